package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import org.conv4j.ActivationShape;
import org.conv4j.DType;

/**
 * An activation tensor's logical extents (batch, channels, spatial padded to D, H, W) and element strides, with
 * the moves between it and channels-last heap tiles: gathering a window region (zero padding, dtype
 * widening, channels-first transposed to channels-last) and storing a rectangle of output pixels.
 */
final class Act {
    final DType dtype;
    final int n;
    final int c;
    final int[] sp;
    final long sn;
    final long sc;
    final long[] ss;
    final boolean channelsLast;

    Act(ActivationShape s, DType dtype) {
        this.dtype = dtype;
        this.n = s.batch();
        this.c = s.channels();
        this.sp = s.spatial3();
        long[] st = s.strides();
        this.sn = st[0];
        this.sc = st[1];
        this.ss = new long[] {st[2], st[3], st[4]};
        this.channelsLast = st[1] == 1;
    }

    long pixels() {
        return (long) sp[0] * sp[1] * sp[2];
    }

    long index(int b, int ch, int d, int h, int w) {
        return b * sn + ch * sc + d * ss[0] + h * ss[1] + w * ss[2];
    }

    /**
     * Fills {@code dst} with the channels-last tile {@code [tv0][tv1][tv2][c]} of virtual positions
     * {@code vStart + t * sub} on each axis ({@code sub > 1} skips the cells a 1-wide kernel with that stride never reads). Virtual {@code v} maps to input {@code (v - off) / ins} when that divides
     * exactly and lands inside the input; every other cell holds zero.
     */
    void gather(MemorySegment seg, int b, int[] vStart, int[] tv, int[] sub, int[] off, int[] ins, float[] dst) {
        int rowLen = tv[2] * c;
        for (int td = 0; td < tv[0]; td++) {
            int d = real(vStart[0] + td * sub[0], off[0], ins[0], sp[0]);
            for (int th = 0; th < tv[1]; th++) {
                int base = (td * tv[1] + th) * rowLen;
                int h = d < 0 ? -1 : real(vStart[1] + th * sub[1], off[1], ins[1], sp[1]);
                if (h < 0) {
                    java.util.Arrays.fill(dst, base, base + rowLen, 0f);
                    continue;
                }
                if (ins[2] == 1 && sub[2] == 1) {
                    int lo = Math.max(vStart[2], off[2]);
                    int hi = Math.min(vStart[2] + tv[2], off[2] + sp[2]);
                    if (hi <= lo) {
                        java.util.Arrays.fill(dst, base, base + rowLen, 0f);
                        continue;
                    }
                    java.util.Arrays.fill(dst, base, base + (lo - vStart[2]) * c, 0f);
                    java.util.Arrays.fill(dst, base + (hi - vStart[2]) * c, base + rowLen, 0f);
                    loadRun(seg, b, d, h, lo - off[2], hi - lo, dst, base + (lo - vStart[2]) * c);
                } else {
                    java.util.Arrays.fill(dst, base, base + rowLen, 0f);
                    for (int tw = 0; tw < tv[2]; tw++) {
                        int w = real(vStart[2] + tw * sub[2], off[2], ins[2], sp[2]);
                        if (w >= 0) {
                            loadRun(seg, b, d, h, w, 1, dst, base + tw * c);
                        }
                    }
                }
            }
        }
    }

    /** Input index of virtual position {@code v}, or -1 for padding. */
    static int real(int v, int off, int ins, int size) {
        int t = v - off;
        if (t < 0) {
            return -1;
        }
        if (ins != 1) {
            if (t % ins != 0) {
                return -1;
            }
            t /= ins;
        }
        return t < size ? t : -1;
    }

    /** Loads pixels {@code w .. w+count} of row (b, d, h), all channels, channels-last into {@code dst}. */
    void loadRun(MemorySegment seg, int b, int d, int h, int w, int count, float[] dst, int off) {
        long start = index(b, 0, d, h, w);
        if (channelsLast) {
            Convert.load(seg, dtype, start, dst, off, count * c);
            return;
        }
        float[] tmp = Scratch.get().floats(Scratch.AUX2, count);
        for (int ch = 0; ch < c; ch++) {
            Convert.load(seg, dtype, start + ch * sc, tmp, 0, count);
            for (int j = 0; j < count; j++) {
                dst[off + j * c + ch] = tmp[j];
            }
        }
    }

    /**
     * Stores a channels-last tile of output pixels {@code (b, od, oh0 + i, ow0 + j)}, {@code i < th, j < tw},
     * holding channels {@code k0 .. k0 + kc} at row stride {@code ldt}.
     */
    void store(float[] tile, int ldt, MemorySegment seg, int b, int od, int oh0, int th, int ow0, int tw, int k0, int kc) {
        if (channelsLast) {
            boolean dense = kc == c && ldt == kc;
            for (int i = 0; i < th; i++) {
                long start = index(b, k0, od, oh0 + i, ow0);
                if (dense) {
                    Convert.store(tile, i * tw * ldt, seg, dtype, start, tw * kc);
                } else {
                    for (int j = 0; j < tw; j++) {
                        Convert.store(tile, (i * tw + j) * ldt, seg, dtype, start + j * ss[2], kc);
                    }
                }
            }
            return;
        }
        float[] tmp = Scratch.get().floats(Scratch.AUX2, tw);
        for (int k = 0; k < kc; k++) {
            for (int i = 0; i < th; i++) {
                int row = i * tw * ldt + k;
                for (int j = 0; j < tw; j++) {
                    tmp[j] = tile[row + j * ldt];
                }
                Convert.store(tmp, 0, seg, dtype, index(b, k0 + k, od, oh0 + i, ow0), tw);
            }
        }
    }

    /** Loads pixels {@code p0 .. p0+count} (flattened D, H, W) of image {@code b} as channels-last rows. */
    void loadPixels(MemorySegment seg, int b, long p0, int count, float[] dst) {
        if (channelsLast) {
            Convert.load(seg, dtype, b * sn + p0 * c, dst, 0, count * c);
            return;
        }
        float[] tmp = Scratch.get().floats(Scratch.AUX2, count);
        for (int ch = 0; ch < c; ch++) {
            Convert.load(seg, dtype, b * sn + ch * sc + p0, tmp, 0, count);
            for (int j = 0; j < count; j++) {
                dst[j * c + ch] = tmp[j];
            }
        }
    }

    /** Stores channels-last rows as pixels {@code p0 .. p0+count} of image {@code b}. */
    void storePixels(float[] src, MemorySegment seg, int b, long p0, int count) {
        if (channelsLast) {
            Convert.store(src, 0, seg, dtype, b * sn + p0 * c, count * c);
            return;
        }
        float[] tmp = Scratch.get().floats(Scratch.AUX2, count);
        for (int ch = 0; ch < c; ch++) {
            for (int j = 0; j < count; j++) {
                tmp[j] = src[j * c + ch];
            }
            Convert.store(tmp, 0, seg, dtype, b * sn + ch * sc + p0, count);
        }
    }
}
