package org.conv4j.vector;

import java.lang.constant.ConstantDescs;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops. Never loaded by name: {@link SimdLoader} defines this class's bytes as a hidden class per
 * width, and the static initialiser reads the width from the class data, so {@link #S} is a true constant.
 * Keep this class free of lambdas, nested classes and enum switches (they would name the original class).
 * The micro-kernels {@code k5x4} and {@code k6xN} (N < 4) are written out per width in vectors (rows x N vectors of
 * accumulators), each in a zero-start ({@code z}) and a continue-from-C ({@code c}) variant.
 */
final class SimdKernels implements Simd {
    private static final VectorSpecies<Float> S = species();
    private static final int L = S.length();
    /** Shorts at the same vector width, for 16-bit max pooling. */
    private static final VectorSpecies<Short> SH = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize()));

    private static VectorSpecies<Float> species() {
        int bits;
        try {
            bits = MethodHandles.classData(MethodHandles.lookup(), ConstantDescs.DEFAULT_NAME, Integer.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return switch (bits) {
            case 0 -> FloatVector.SPECIES_PREFERRED;
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vector bits must be 128, 256 or 512, was " + bits);
        };
    }

    SimdKernels() {
        // work around JDK-8309727 as Lucene does: touch the species once before hot code runs
        FloatVector.fromArray(S, new float[L], 0);
    }

    @Override
    public int bits() {
        return S.vectorBitSize();
    }

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public void gemmRange(float[] a, int[] rowBase, int rowFrom, int rowTo, int[] rowTerms, int[] segOff, int segLen, int kFrom, int kTo, boolean first,
                          boolean last, float[] b, int bOff, int nv, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc) {
        // four vectors wide, five rows: 20 accumulators. With 24 (six rows) C2 had a register or two to spare at best,
        // and depending on the profile it compiled with it spilled accumulators inside the hot loop
        int block = Simd.rowBlock(nv);
        for (int r = rowFrom; r < rowTo; r += block) {
            int n = Math.min(block, rowTo - r);
            int co = cOff + r * ldc;
            if (rowTerms == null) {
                block(nv, first, a, rowBase, r, n, segOff, segLen, kFrom, kTo, last, b, bOff, bias, biasOff, relu, c, co, ldc);
                continue;
            }
            // the union of the block's ranges
            int kF = Math.max(kFrom, unionBound(rowTerms, r, n, 0, false));
            int kT = Math.min(kTo, unionBound(rowTerms, r, n, 1, true));
            int tLo = unionBound(rowTerms, r, n, 2, false);
            int tHi = unionBound(rowTerms, r, n, 3, true);
            if (tLo <= 0 && tHi >= segLen) {
                block(nv, first, a, rowBase, r, n, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc);
                continue;
            }
            // fewer filter columns than a segment holds: a call per segment, on the columns inside. The kernels take
            // one range of terms (a range within each segment slowed their loops down, A1 0.93 -> 0.89 of oneDNN);
            // the sums pass through c between the calls, which changes none of their bits
            int sEnd = -1;
            for (int sg = Math.max(0, kF) / segLen; sg * segLen < kT; sg++) {
                if (Math.max(kF, sg * segLen + tLo) < Math.min(kT, sg * segLen + tHi)) {
                    sEnd = sg;
                }
            }
            boolean zero = first;
            for (int sg = Math.max(0, kF) / segLen; sg <= sEnd; sg++) {
                int q0 = Math.max(kF, sg * segLen + tLo);
                int q1 = Math.min(kT, sg * segLen + tHi);
                if (q0 < q1) {
                    block(nv, zero, a, rowBase, r, n, segOff, segLen, q0, q1, last && sg == sEnd, b, bOff, bias, biasOff, relu, c, co, ldc);
                    zero = false;
                }
            }
            if (sEnd < 0) { // nothing but padding: the sums stay as they are (zero or partial), the bias is added if last
                block(nv, first, a, rowBase, r, n, segOff, segLen, kF, kF, last, b, bOff, bias, biasOff, relu, c, co, ldc);
            }
        }
    }

    /**
     * One block of {@code n} rows from row {@code r} on the kernel for {@code nv} vectors, over the terms {@code [kF, kT)}.
     * Rows past the block's last map to it: they read its inputs and partial sums, and store its values again.
     */
    private static void block(int nv, boolean zero, float[] a, int[] rowBase, int r, int n, int[] segOff, int segLen, int kF, int kT,
                              boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int co, int ldc) {
        int lastRow = r + n - 1;
        int o0 = rowBase[r];
        int o1 = rowBase[Math.min(r + 1, lastRow)];
        int o2 = rowBase[Math.min(r + 2, lastRow)];
        int o3 = rowBase[Math.min(r + 3, lastRow)];
        int o4 = rowBase[Math.min(r + 4, lastRow)];
        if (nv == 4) {
            if (zero) {
                k5x4z(a, o0, o1, o2, o3, o4, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
            } else {
                k5x4c(a, o0, o1, o2, o3, o4, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
            }
            return;
        }
        int o5 = rowBase[Math.min(r + 5, lastRow)];
        switch (nv) {
            case 3 -> {
                if (zero) {
                    k6x3z(a, o0, o1, o2, o3, o4, o5, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                } else {
                    k6x3c(a, o0, o1, o2, o3, o4, o5, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                }
            }
            case 2 -> {
                if (zero) {
                    k6x2z(a, o0, o1, o2, o3, o4, o5, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                } else {
                    k6x2c(a, o0, o1, o2, o3, o4, o5, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                }
            }
            case 1 -> {
                if (zero) {
                    k6x1z(a, o0, o1, o2, o3, o4, o5, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                } else {
                    k6x1c(a, o0, o1, o2, o3, o4, o5, segOff, segLen, kF, kT, last, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                }
            }
            default -> throw new IllegalArgumentException("panel width must be 1 to 4 vectors, was " + nv);
        }
    }

    /** Lowest (or highest, {@code max}) of field {@code f} of rows {@code r .. r+n-1} of {@code rowTerms} (see {@link Simd#gemmRange}). */
    private static int unionBound(int[] rowTerms, int r, int n, int f, boolean max) {
        int v = rowTerms[4 * r + f];
        for (int i = 1; i < n; i++) {
            int u = rowTerms[4 * (r + i) + f];
            v = max ? Math.max(v, u) : Math.min(v, u);
        }
        return v;
    }

    private static void k5x4z(float[] a, int o0, int o1, int o2, int o3, int o4, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc;
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S); FloatVector c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S); FloatVector c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S); FloatVector c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S); FloatVector c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S); FloatVector c42 = FloatVector.zero(S); FloatVector c43 = FloatVector.zero(S);
        final int step = 4 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + t * step + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, b, bk + t * step + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, b, bk + t * step + 3 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02); c03 = av.fma(b3, c03);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12); c13 = av.fma(b3, c13);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22); c23 = av.fma(b3, c23);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32); c33 = av.fma(b3, c33);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42); c43 = av.fma(b3, c43);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
            FloatVector bias2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
            FloatVector bias3 = FloatVector.fromArray(S, bias, biasOff + 3 * L);
            c00 = c00.add(bias0); c01 = c01.add(bias1); c02 = c02.add(bias2); c03 = c03.add(bias3);
            c10 = c10.add(bias0); c11 = c11.add(bias1); c12 = c12.add(bias2); c13 = c13.add(bias3);
            c20 = c20.add(bias0); c21 = c21.add(bias1); c22 = c22.add(bias2); c23 = c23.add(bias3);
            c30 = c30.add(bias0); c31 = c31.add(bias1); c32 = c32.add(bias2); c33 = c33.add(bias3);
            c40 = c40.add(bias0); c41 = c41.add(bias1); c42 = c42.add(bias2); c43 = c43.add(bias3);
            if (relu) {
                c00 = c00.max(0f); c01 = c01.max(0f); c02 = c02.max(0f); c03 = c03.max(0f);
                c10 = c10.max(0f); c11 = c11.max(0f); c12 = c12.max(0f); c13 = c13.max(0f);
                c20 = c20.max(0f); c21 = c21.max(0f); c22 = c22.max(0f); c23 = c23.max(0f);
                c30 = c30.max(0f); c31 = c31.max(0f); c32 = c32.max(0f); c33 = c33.max(0f);
                c40 = c40.max(0f); c41 = c41.max(0f); c42 = c42.max(0f); c43 = c43.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L); c01.intoArray(c, r0 + 1 * L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1 + 0 * L); c11.intoArray(c, r1 + 1 * L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2 + 0 * L); c21.intoArray(c, r2 + 1 * L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3 + 0 * L); c31.intoArray(c, r3 + 1 * L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4 + 0 * L); c41.intoArray(c, r4 + 1 * L); c42.intoArray(c, r4 + 2 * L); c43.intoArray(c, r4 + 3 * L);
    }

    private static void k5x4c(float[] a, int o0, int o1, int o2, int o3, int o4, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, r0 + 0 * L); FloatVector c01 = FloatVector.fromArray(S, c, r0 + 1 * L); FloatVector c02 = FloatVector.fromArray(S, c, r0 + 2 * L); FloatVector c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1 + 0 * L); FloatVector c11 = FloatVector.fromArray(S, c, r1 + 1 * L); FloatVector c12 = FloatVector.fromArray(S, c, r1 + 2 * L); FloatVector c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2 + 0 * L); FloatVector c21 = FloatVector.fromArray(S, c, r2 + 1 * L); FloatVector c22 = FloatVector.fromArray(S, c, r2 + 2 * L); FloatVector c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3 + 0 * L); FloatVector c31 = FloatVector.fromArray(S, c, r3 + 1 * L); FloatVector c32 = FloatVector.fromArray(S, c, r3 + 2 * L); FloatVector c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, r4 + 0 * L); FloatVector c41 = FloatVector.fromArray(S, c, r4 + 1 * L); FloatVector c42 = FloatVector.fromArray(S, c, r4 + 2 * L); FloatVector c43 = FloatVector.fromArray(S, c, r4 + 3 * L);
        final int step = 4 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + t * step + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, b, bk + t * step + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, b, bk + t * step + 3 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02); c03 = av.fma(b3, c03);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12); c13 = av.fma(b3, c13);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22); c23 = av.fma(b3, c23);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32); c33 = av.fma(b3, c33);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42); c43 = av.fma(b3, c43);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
            FloatVector bias2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
            FloatVector bias3 = FloatVector.fromArray(S, bias, biasOff + 3 * L);
            c00 = c00.add(bias0); c01 = c01.add(bias1); c02 = c02.add(bias2); c03 = c03.add(bias3);
            c10 = c10.add(bias0); c11 = c11.add(bias1); c12 = c12.add(bias2); c13 = c13.add(bias3);
            c20 = c20.add(bias0); c21 = c21.add(bias1); c22 = c22.add(bias2); c23 = c23.add(bias3);
            c30 = c30.add(bias0); c31 = c31.add(bias1); c32 = c32.add(bias2); c33 = c33.add(bias3);
            c40 = c40.add(bias0); c41 = c41.add(bias1); c42 = c42.add(bias2); c43 = c43.add(bias3);
            if (relu) {
                c00 = c00.max(0f); c01 = c01.max(0f); c02 = c02.max(0f); c03 = c03.max(0f);
                c10 = c10.max(0f); c11 = c11.max(0f); c12 = c12.max(0f); c13 = c13.max(0f);
                c20 = c20.max(0f); c21 = c21.max(0f); c22 = c22.max(0f); c23 = c23.max(0f);
                c30 = c30.max(0f); c31 = c31.max(0f); c32 = c32.max(0f); c33 = c33.max(0f);
                c40 = c40.max(0f); c41 = c41.max(0f); c42 = c42.max(0f); c43 = c43.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L); c01.intoArray(c, r0 + 1 * L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1 + 0 * L); c11.intoArray(c, r1 + 1 * L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2 + 0 * L); c21.intoArray(c, r2 + 1 * L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3 + 0 * L); c31.intoArray(c, r3 + 1 * L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
        c40.intoArray(c, r4 + 0 * L); c41.intoArray(c, r4 + 1 * L); c42.intoArray(c, r4 + 2 * L); c43.intoArray(c, r4 + 3 * L);
    }

    private static void k6x3z(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc; int r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S); FloatVector c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S); FloatVector c52 = FloatVector.zero(S);
        final int step = 3 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + t * step + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, b, bk + t * step + 2 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
            FloatVector bias2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
            c00 = c00.add(bias0); c01 = c01.add(bias1); c02 = c02.add(bias2);
            c10 = c10.add(bias0); c11 = c11.add(bias1); c12 = c12.add(bias2);
            c20 = c20.add(bias0); c21 = c21.add(bias1); c22 = c22.add(bias2);
            c30 = c30.add(bias0); c31 = c31.add(bias1); c32 = c32.add(bias2);
            c40 = c40.add(bias0); c41 = c41.add(bias1); c42 = c42.add(bias2);
            c50 = c50.add(bias0); c51 = c51.add(bias1); c52 = c52.add(bias2);
            if (relu) {
                c00 = c00.max(0f); c01 = c01.max(0f); c02 = c02.max(0f);
                c10 = c10.max(0f); c11 = c11.max(0f); c12 = c12.max(0f);
                c20 = c20.max(0f); c21 = c21.max(0f); c22 = c22.max(0f);
                c30 = c30.max(0f); c31 = c31.max(0f); c32 = c32.max(0f);
                c40 = c40.max(0f); c41 = c41.max(0f); c42 = c42.max(0f);
                c50 = c50.max(0f); c51 = c51.max(0f); c52 = c52.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L); c01.intoArray(c, r0 + 1 * L); c02.intoArray(c, r0 + 2 * L);
        c10.intoArray(c, r1 + 0 * L); c11.intoArray(c, r1 + 1 * L); c12.intoArray(c, r1 + 2 * L);
        c20.intoArray(c, r2 + 0 * L); c21.intoArray(c, r2 + 1 * L); c22.intoArray(c, r2 + 2 * L);
        c30.intoArray(c, r3 + 0 * L); c31.intoArray(c, r3 + 1 * L); c32.intoArray(c, r3 + 2 * L);
        c40.intoArray(c, r4 + 0 * L); c41.intoArray(c, r4 + 1 * L); c42.intoArray(c, r4 + 2 * L);
        c50.intoArray(c, r5 + 0 * L); c51.intoArray(c, r5 + 1 * L); c52.intoArray(c, r5 + 2 * L);
    }

    private static void k6x3c(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc; int r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, r0 + 0 * L); FloatVector c01 = FloatVector.fromArray(S, c, r0 + 1 * L); FloatVector c02 = FloatVector.fromArray(S, c, r0 + 2 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1 + 0 * L); FloatVector c11 = FloatVector.fromArray(S, c, r1 + 1 * L); FloatVector c12 = FloatVector.fromArray(S, c, r1 + 2 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2 + 0 * L); FloatVector c21 = FloatVector.fromArray(S, c, r2 + 1 * L); FloatVector c22 = FloatVector.fromArray(S, c, r2 + 2 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3 + 0 * L); FloatVector c31 = FloatVector.fromArray(S, c, r3 + 1 * L); FloatVector c32 = FloatVector.fromArray(S, c, r3 + 2 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, r4 + 0 * L); FloatVector c41 = FloatVector.fromArray(S, c, r4 + 1 * L); FloatVector c42 = FloatVector.fromArray(S, c, r4 + 2 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, r5 + 0 * L); FloatVector c51 = FloatVector.fromArray(S, c, r5 + 1 * L); FloatVector c52 = FloatVector.fromArray(S, c, r5 + 2 * L);
        final int step = 3 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + t * step + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, b, bk + t * step + 2 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
            FloatVector bias2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
            c00 = c00.add(bias0); c01 = c01.add(bias1); c02 = c02.add(bias2);
            c10 = c10.add(bias0); c11 = c11.add(bias1); c12 = c12.add(bias2);
            c20 = c20.add(bias0); c21 = c21.add(bias1); c22 = c22.add(bias2);
            c30 = c30.add(bias0); c31 = c31.add(bias1); c32 = c32.add(bias2);
            c40 = c40.add(bias0); c41 = c41.add(bias1); c42 = c42.add(bias2);
            c50 = c50.add(bias0); c51 = c51.add(bias1); c52 = c52.add(bias2);
            if (relu) {
                c00 = c00.max(0f); c01 = c01.max(0f); c02 = c02.max(0f);
                c10 = c10.max(0f); c11 = c11.max(0f); c12 = c12.max(0f);
                c20 = c20.max(0f); c21 = c21.max(0f); c22 = c22.max(0f);
                c30 = c30.max(0f); c31 = c31.max(0f); c32 = c32.max(0f);
                c40 = c40.max(0f); c41 = c41.max(0f); c42 = c42.max(0f);
                c50 = c50.max(0f); c51 = c51.max(0f); c52 = c52.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L); c01.intoArray(c, r0 + 1 * L); c02.intoArray(c, r0 + 2 * L);
        c10.intoArray(c, r1 + 0 * L); c11.intoArray(c, r1 + 1 * L); c12.intoArray(c, r1 + 2 * L);
        c20.intoArray(c, r2 + 0 * L); c21.intoArray(c, r2 + 1 * L); c22.intoArray(c, r2 + 2 * L);
        c30.intoArray(c, r3 + 0 * L); c31.intoArray(c, r3 + 1 * L); c32.intoArray(c, r3 + 2 * L);
        c40.intoArray(c, r4 + 0 * L); c41.intoArray(c, r4 + 1 * L); c42.intoArray(c, r4 + 2 * L);
        c50.intoArray(c, r5 + 0 * L); c51.intoArray(c, r5 + 1 * L); c52.intoArray(c, r5 + 2 * L);
    }

    private static void k6x2z(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc; int r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        final int step = 2 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + t * step + 1 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
            c00 = c00.add(bias0); c01 = c01.add(bias1);
            c10 = c10.add(bias0); c11 = c11.add(bias1);
            c20 = c20.add(bias0); c21 = c21.add(bias1);
            c30 = c30.add(bias0); c31 = c31.add(bias1);
            c40 = c40.add(bias0); c41 = c41.add(bias1);
            c50 = c50.add(bias0); c51 = c51.add(bias1);
            if (relu) {
                c00 = c00.max(0f); c01 = c01.max(0f);
                c10 = c10.max(0f); c11 = c11.max(0f);
                c20 = c20.max(0f); c21 = c21.max(0f);
                c30 = c30.max(0f); c31 = c31.max(0f);
                c40 = c40.max(0f); c41 = c41.max(0f);
                c50 = c50.max(0f); c51 = c51.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L); c01.intoArray(c, r0 + 1 * L);
        c10.intoArray(c, r1 + 0 * L); c11.intoArray(c, r1 + 1 * L);
        c20.intoArray(c, r2 + 0 * L); c21.intoArray(c, r2 + 1 * L);
        c30.intoArray(c, r3 + 0 * L); c31.intoArray(c, r3 + 1 * L);
        c40.intoArray(c, r4 + 0 * L); c41.intoArray(c, r4 + 1 * L);
        c50.intoArray(c, r5 + 0 * L); c51.intoArray(c, r5 + 1 * L);
    }

    private static void k6x2c(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc; int r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, r0 + 0 * L); FloatVector c01 = FloatVector.fromArray(S, c, r0 + 1 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1 + 0 * L); FloatVector c11 = FloatVector.fromArray(S, c, r1 + 1 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2 + 0 * L); FloatVector c21 = FloatVector.fromArray(S, c, r2 + 1 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3 + 0 * L); FloatVector c31 = FloatVector.fromArray(S, c, r3 + 1 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, r4 + 0 * L); FloatVector c41 = FloatVector.fromArray(S, c, r4 + 1 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, r5 + 0 * L); FloatVector c51 = FloatVector.fromArray(S, c, r5 + 1 * L);
        final int step = 2 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + t * step + 1 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
            c00 = c00.add(bias0); c01 = c01.add(bias1);
            c10 = c10.add(bias0); c11 = c11.add(bias1);
            c20 = c20.add(bias0); c21 = c21.add(bias1);
            c30 = c30.add(bias0); c31 = c31.add(bias1);
            c40 = c40.add(bias0); c41 = c41.add(bias1);
            c50 = c50.add(bias0); c51 = c51.add(bias1);
            if (relu) {
                c00 = c00.max(0f); c01 = c01.max(0f);
                c10 = c10.max(0f); c11 = c11.max(0f);
                c20 = c20.max(0f); c21 = c21.max(0f);
                c30 = c30.max(0f); c31 = c31.max(0f);
                c40 = c40.max(0f); c41 = c41.max(0f);
                c50 = c50.max(0f); c51 = c51.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L); c01.intoArray(c, r0 + 1 * L);
        c10.intoArray(c, r1 + 0 * L); c11.intoArray(c, r1 + 1 * L);
        c20.intoArray(c, r2 + 0 * L); c21.intoArray(c, r2 + 1 * L);
        c30.intoArray(c, r3 + 0 * L); c31.intoArray(c, r3 + 1 * L);
        c40.intoArray(c, r4 + 0 * L); c41.intoArray(c, r4 + 1 * L);
        c50.intoArray(c, r5 + 0 * L); c51.intoArray(c, r5 + 1 * L);
    }

    private static void k6x1z(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc; int r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        final int step = 1 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            c00 = c00.add(bias0);
            c10 = c10.add(bias0);
            c20 = c20.add(bias0);
            c30 = c30.add(bias0);
            c40 = c40.add(bias0);
            c50 = c50.add(bias0);
            if (relu) {
                c00 = c00.max(0f);
                c10 = c10.max(0f);
                c20 = c20.max(0f);
                c30 = c30.max(0f);
                c40 = c40.max(0f);
                c50 = c50.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L);
        c10.intoArray(c, r1 + 0 * L);
        c20.intoArray(c, r2 + 0 * L);
        c30.intoArray(c, r3 + 0 * L);
        c40.intoArray(c, r4 + 0 * L);
        c50.intoArray(c, r5 + 0 * L);
    }

    private static void k6x1c(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segLen, int kFrom, int kTo,
            boolean last, float[] b, int bOff, float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        // partial sums (not last) are stored as they are; the last range adds the bias, then ReLU when asked. The stores
        // stay inline: C2 did not inline a store helper into these large methods and boxed every vector for the call
        // rows past the tile's last map to it: they read its inputs and partial sums, so they hold its values
        int r0 = cOff; int r1 = cOff + Math.min(1, rows - 1) * ldc; int r2 = cOff + Math.min(2, rows - 1) * ldc;
        int r3 = cOff + Math.min(3, rows - 1) * ldc; int r4 = cOff + Math.min(4, rows - 1) * ldc; int r5 = cOff + Math.min(5, rows - 1) * ldc;
        FloatVector c00 = FloatVector.fromArray(S, c, r0 + 0 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1 + 0 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2 + 0 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3 + 0 * L);
        FloatVector c40 = FloatVector.fromArray(S, c, r4 + 0 * L);
        FloatVector c50 = FloatVector.fromArray(S, c, r5 + 0 * L);
        final int step = 1 * L;
        for (int q = kFrom; q < kTo; ) {
            int s = q / segLen;
            int t0 = q - s * segLen;
            int t1 = Math.min(segLen, t0 + kTo - q);
            int bk = bOff + s * segLen * step;
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            // one plain counted loop: a manual unroll left a remainder loop whose extra live ranges made C2 spill
            // accumulators inside the hot loop whenever the remainder had run before compilation
            for (int t = t0; t < t1; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + t * step + 0 * L);
                FloatVector av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50);
            }
            q += t1 - t0;
        }
        if (last) {
            FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
            c00 = c00.add(bias0);
            c10 = c10.add(bias0);
            c20 = c20.add(bias0);
            c30 = c30.add(bias0);
            c40 = c40.add(bias0);
            c50 = c50.add(bias0);
            if (relu) {
                c00 = c00.max(0f);
                c10 = c10.max(0f);
                c20 = c20.max(0f);
                c30 = c30.max(0f);
                c40 = c40.max(0f);
                c50 = c50.max(0f);
            }
        }
        // rows past the tile's last computed the same sums as the last row, so storing them rewrites equal values
        c00.intoArray(c, r0 + 0 * L);
        c10.intoArray(c, r1 + 0 * L);
        c20.intoArray(c, r2 + 0 * L);
        c30.intoArray(c, r3 + 0 * L);
        c40.intoArray(c, r4 + 0 * L);
        c50.intoArray(c, r5 + 0 * L);
    }


    @Override
    public void planarConv(float[] p, int[] off, int terms, int rowStep, int rows, int width, float[] w, int pairs,
                           float[] bias, boolean relu, float[] out) {
        // relu as a max with 0, or with -inf (a no-op that keeps NaN): no branch, no vector phi
        float lo = relu ? 0f : Float.NEGATIVE_INFINITY;
        for (int pair = 0; pair < pairs; pair++) {
            int wBase = pair * terms * 2;
            float bias0 = bias[pair * 2];
            float bias1 = bias[pair * 2 + 1];
            int out0 = pair * 2 * rows * width;
            int out1 = out0 + rows * width;
            for (int i = 0; i < rows; i++) {
                int rowOff = i * rowStep;
                int j = 0;
                for (; j + 4 * L <= width; j += 4 * L) {
                    FloatVector a0 = FloatVector.zero(S);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    FloatVector b0 = a0;
                    FloatVector b1 = a0;
                    FloatVector b2 = a0;
                    FloatVector b3 = a0;
                    int base = rowOff + j;
                    for (int q = 0; q < terms; q++) {
                        int o = off[q] + base;
                        FloatVector w0 = FloatVector.broadcast(S, w[wBase + 2 * q]);
                        FloatVector w1 = FloatVector.broadcast(S, w[wBase + 2 * q + 1]);
                        FloatVector v0 = FloatVector.fromArray(S, p, o);
                        FloatVector v1 = FloatVector.fromArray(S, p, o + L);
                        FloatVector v2 = FloatVector.fromArray(S, p, o + 2 * L);
                        FloatVector v3 = FloatVector.fromArray(S, p, o + 3 * L);
                        a0 = v0.fma(w0, a0);
                        a1 = v1.fma(w0, a1);
                        a2 = v2.fma(w0, a2);
                        a3 = v3.fma(w0, a3);
                        b0 = v0.fma(w1, b0);
                        b1 = v1.fma(w1, b1);
                        b2 = v2.fma(w1, b2);
                        b3 = v3.fma(w1, b3);
                    }
                    int o0 = out0 + i * width + j;
                    int o1 = out1 + i * width + j;
                    a0.add(bias0).max(lo).intoArray(out, o0);
                    a1.add(bias0).max(lo).intoArray(out, o0 + L);
                    a2.add(bias0).max(lo).intoArray(out, o0 + 2 * L);
                    a3.add(bias0).max(lo).intoArray(out, o0 + 3 * L);
                    b0.add(bias1).max(lo).intoArray(out, o1);
                    b1.add(bias1).max(lo).intoArray(out, o1 + L);
                    b2.add(bias1).max(lo).intoArray(out, o1 + 2 * L);
                    b3.add(bias1).max(lo).intoArray(out, o1 + 3 * L);
                }
                for (; j < width; j += L) {
                    VectorMask<Float> m = S.indexInRange(j, width);
                    FloatVector a0 = FloatVector.zero(S);
                    FloatVector b0 = a0;
                    int base = rowOff + j;
                    for (int q = 0; q < terms; q++) {
                        FloatVector v0 = FloatVector.fromArray(S, p, off[q] + base, m);
                        a0 = v0.fma(FloatVector.broadcast(S, w[wBase + 2 * q]), a0);
                        b0 = v0.fma(FloatVector.broadcast(S, w[wBase + 2 * q + 1]), b0);
                    }
                    a0.add(bias0).max(lo).intoArray(out, out0 + i * width + j, m);
                    b0.add(bias1).max(lo).intoArray(out, out1 + i * width + j, m);
                }
            }
        }
    }

    @Override
    public void depthwise(float[] a, int[] rowBase, int rows, int[] kOff, int taps, int channels, float[] w, int ldw,
                          float[] bias, boolean relu, float[] c, int ldc) {
        // relu as a max with 0, or with -inf (a no-op that keeps NaN): no branch, no vector phi
        float lo = relu ? 0f : Float.NEGATIVE_INFINITY;
        int full = channels / L * L;
        int ch0 = 0;
        // two channel vectors per pass: eight accumulators share the tap offsets and row bases
        for (; ch0 + 2 * L <= full; ch0 += 2 * L) {
            int ch = ch0;
            FloatVector bv = FloatVector.fromArray(S, bias, ch);
            FloatVector bu = FloatVector.fromArray(S, bias, ch + L);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                int b0 = rowBase[r] + ch;
                int b1 = rowBase[r + 1] + ch;
                int b2 = rowBase[r + 2] + ch;
                int b3 = rowBase[r + 3] + ch;
                FloatVector a0 = bv;
                FloatVector a1 = bv;
                FloatVector a2 = bv;
                FloatVector a3 = bv;
                FloatVector u0 = bu;
                FloatVector u1 = bu;
                FloatVector u2 = bu;
                FloatVector u3 = bu;
                for (int k = 0; k < taps; k++) {
                    int wo = k * ldw + ch;
                    FloatVector wv = FloatVector.fromArray(S, w, wo);
                    FloatVector wu = FloatVector.fromArray(S, w, wo + L);
                    int o = kOff[k];
                    a0 = FloatVector.fromArray(S, a, b0 + o).fma(wv, a0);
                    u0 = FloatVector.fromArray(S, a, b0 + o + L).fma(wu, u0);
                    a1 = FloatVector.fromArray(S, a, b1 + o).fma(wv, a1);
                    u1 = FloatVector.fromArray(S, a, b1 + o + L).fma(wu, u1);
                    a2 = FloatVector.fromArray(S, a, b2 + o).fma(wv, a2);
                    u2 = FloatVector.fromArray(S, a, b2 + o + L).fma(wu, u2);
                    a3 = FloatVector.fromArray(S, a, b3 + o).fma(wv, a3);
                    u3 = FloatVector.fromArray(S, a, b3 + o + L).fma(wu, u3);
                }
                a0.max(lo).intoArray(c, r * ldc + ch);
                u0.max(lo).intoArray(c, r * ldc + ch + L);
                a1.max(lo).intoArray(c, (r + 1) * ldc + ch);
                u1.max(lo).intoArray(c, (r + 1) * ldc + ch + L);
                a2.max(lo).intoArray(c, (r + 2) * ldc + ch);
                u2.max(lo).intoArray(c, (r + 2) * ldc + ch + L);
                a3.max(lo).intoArray(c, (r + 3) * ldc + ch);
                u3.max(lo).intoArray(c, (r + 3) * ldc + ch + L);
            }
            for (; r < rows; r++) {
                int b0 = rowBase[r] + ch;
                FloatVector a0 = bv;
                FloatVector u0 = bu;
                for (int k = 0; k < taps; k++) {
                    int wo = k * ldw + ch;
                    int o = b0 + kOff[k];
                    a0 = FloatVector.fromArray(S, a, o).fma(FloatVector.fromArray(S, w, wo), a0);
                    u0 = FloatVector.fromArray(S, a, o + L).fma(FloatVector.fromArray(S, w, wo + L), u0);
                }
                a0.max(lo).intoArray(c, r * ldc + ch);
                u0.max(lo).intoArray(c, r * ldc + ch + L);
            }
        }
        for (int ch = ch0; ch < full; ch += L) {
            FloatVector bv = FloatVector.fromArray(S, bias, ch);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                int b0 = rowBase[r] + ch;
                int b1 = rowBase[r + 1] + ch;
                int b2 = rowBase[r + 2] + ch;
                int b3 = rowBase[r + 3] + ch;
                FloatVector acc0 = bv;
                FloatVector acc1 = bv;
                FloatVector acc2 = bv;
                FloatVector acc3 = bv;
                for (int k = 0; k < taps; k++) {
                    FloatVector wv = FloatVector.fromArray(S, w, k * ldw + ch);
                    int o = kOff[k];
                    acc0 = FloatVector.fromArray(S, a, b0 + o).fma(wv, acc0);
                    acc1 = FloatVector.fromArray(S, a, b1 + o).fma(wv, acc1);
                    acc2 = FloatVector.fromArray(S, a, b2 + o).fma(wv, acc2);
                    acc3 = FloatVector.fromArray(S, a, b3 + o).fma(wv, acc3);
                }
                acc0.max(lo).intoArray(c, r * ldc + ch);
                acc1.max(lo).intoArray(c, (r + 1) * ldc + ch);
                acc2.max(lo).intoArray(c, (r + 2) * ldc + ch);
                acc3.max(lo).intoArray(c, (r + 3) * ldc + ch);
            }
            for (; r < rows; r++) {
                int b0 = rowBase[r] + ch;
                FloatVector acc0 = bv;
                for (int k = 0; k < taps; k++) {
                    acc0 = FloatVector.fromArray(S, a, b0 + kOff[k]).fma(FloatVector.fromArray(S, w, k * ldw + ch), acc0);
                }
                acc0.max(lo).intoArray(c, r * ldc + ch);
            }
        }
        if (full < channels) {
            VectorMask<Float> m = S.indexInRange(full, channels);
            FloatVector bv = FloatVector.fromArray(S, bias, full);
            for (int r = 0; r < rows; r++) {
                int b0 = rowBase[r] + full;
                FloatVector acc0 = bv;
                for (int k = 0; k < taps; k++) {
                    acc0 = FloatVector.fromArray(S, a, b0 + kOff[k], m).fma(FloatVector.fromArray(S, w, k * ldw + full), acc0);
                }
                acc0.max(lo).intoArray(c, r * ldc + full, m);
            }
        }
    }

    @Override
    public void blockChannels(float[] a, int pixels, int channels, float[] dst, int cell, int cells) {
        int blocks = (channels + L - 1) / L;
        for (int blk = 0; blk < blocks; blk++) {
            int ch = blk * L;
            int d = (blk * cells + cell) * L;
            if (ch + L <= channels) {
                for (int p = 0; p < pixels; p++) {
                    FloatVector.fromArray(S, a, p * channels + ch).intoArray(dst, d + p * L);
                }
            } else {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                for (int p = 0; p < pixels; p++) {
                    FloatVector.fromArray(S, a, p * channels + ch, m).intoArray(dst, d + p * L);
                }
            }
        }
    }

    @Override
    public void depthwise9(float[] a, int blocks, int blockStride, int rowStep, int h, int w, int[] tapOff, float[] wt,
                           float[] bias, boolean relu, float[] dst, int dstOff, int rowStride, int pixStride) {
        // The input index is base + j * L + k: a constant scale, so C2 hoists the bounds checks out of the loop.
        // Eight pixels at a time: eight independent FMA chains, and each input vector of a filter row is loaded once
        // for the up to three taps that read it (10 loads per 24 FMAs instead of 24). One method with ReLU, one
        // without: a Java-semantics max is six instructions per output vector, and one method holding both loops
        // is too large for C1 (its tier-3 compile bails out).
        if (relu) {
            dw9Relu(a, blocks, blockStride, rowStep, h, w, tapOff, wt, bias, dst, dstOff, rowStride, pixStride);
        } else {
            dw9Plain(a, blocks, blockStride, rowStep, h, w, tapOff, wt, bias, dst, dstOff, rowStride, pixStride);
        }
    }

    private static void dw9Relu(float[] a, int blocks, int blockStride, int rowStep, int h, int w, int[] tapOff,
                                 float[] wt, float[] bias, float[] dst, int dstOff, int rowStride, int pixStride) {
        // filter rows start at k0, k3, k6; the taps of a row are one vector apart (stride and dilation 1 along W)
        int k0 = tapOff[0]; int k3 = tapOff[3]; int k6 = tapOff[6];
        int ldw = blocks * L;
        for (int blk = 0; blk < blocks; blk++) {
            int ch = blk * L;
            FloatVector bv = FloatVector.fromArray(S, bias, ch);
            FloatVector w0 = FloatVector.fromArray(S, wt, ch);
            FloatVector w1 = FloatVector.fromArray(S, wt, ldw + ch);
            FloatVector w2 = FloatVector.fromArray(S, wt, 2 * ldw + ch);
            FloatVector w3 = FloatVector.fromArray(S, wt, 3 * ldw + ch);
            FloatVector w4 = FloatVector.fromArray(S, wt, 4 * ldw + ch);
            FloatVector w5 = FloatVector.fromArray(S, wt, 5 * ldw + ch);
            FloatVector w6 = FloatVector.fromArray(S, wt, 6 * ldw + ch);
            FloatVector w7 = FloatVector.fromArray(S, wt, 7 * ldw + ch);
            FloatVector w8 = FloatVector.fromArray(S, wt, 8 * ldw + ch);
            for (int i = 0; i < h; i++) {
                int base = blk * blockStride + i * rowStep;
                int cb = dstOff + i * rowStride + ch;
                int j = 0;
                for (; j + 8 <= w; j += 8) {
                    int o = base + j * L;
                    FloatVector v;
                    v = FloatVector.fromArray(S, a, o + k0 + 0 * L);
                    FloatVector a0 = v.fma(w0, bv);
                    v = FloatVector.fromArray(S, a, o + k0 + 1 * L);
                    FloatVector a1 = v.fma(w0, bv);
                    a0 = v.fma(w1, a0);
                    v = FloatVector.fromArray(S, a, o + k0 + 2 * L);
                    FloatVector a2 = v.fma(w0, bv);
                    a1 = v.fma(w1, a1);
                    a0 = v.fma(w2, a0);
                    v = FloatVector.fromArray(S, a, o + k0 + 3 * L);
                    FloatVector a3 = v.fma(w0, bv);
                    a2 = v.fma(w1, a2);
                    a1 = v.fma(w2, a1);
                    v = FloatVector.fromArray(S, a, o + k0 + 4 * L);
                    FloatVector a4 = v.fma(w0, bv);
                    a3 = v.fma(w1, a3);
                    a2 = v.fma(w2, a2);
                    v = FloatVector.fromArray(S, a, o + k0 + 5 * L);
                    FloatVector a5 = v.fma(w0, bv);
                    a4 = v.fma(w1, a4);
                    a3 = v.fma(w2, a3);
                    v = FloatVector.fromArray(S, a, o + k0 + 6 * L);
                    FloatVector a6 = v.fma(w0, bv);
                    a5 = v.fma(w1, a5);
                    a4 = v.fma(w2, a4);
                    v = FloatVector.fromArray(S, a, o + k0 + 7 * L);
                    FloatVector a7 = v.fma(w0, bv);
                    a6 = v.fma(w1, a6);
                    a5 = v.fma(w2, a5);
                    v = FloatVector.fromArray(S, a, o + k0 + 8 * L);
                    a7 = v.fma(w1, a7);
                    a6 = v.fma(w2, a6);
                    v = FloatVector.fromArray(S, a, o + k0 + 9 * L);
                    a7 = v.fma(w2, a7);
                    v = FloatVector.fromArray(S, a, o + k3 + 0 * L);
                    a0 = v.fma(w3, a0);
                    v = FloatVector.fromArray(S, a, o + k3 + 1 * L);
                    a1 = v.fma(w3, a1);
                    a0 = v.fma(w4, a0);
                    v = FloatVector.fromArray(S, a, o + k3 + 2 * L);
                    a2 = v.fma(w3, a2);
                    a1 = v.fma(w4, a1);
                    a0 = v.fma(w5, a0);
                    v = FloatVector.fromArray(S, a, o + k3 + 3 * L);
                    a3 = v.fma(w3, a3);
                    a2 = v.fma(w4, a2);
                    a1 = v.fma(w5, a1);
                    v = FloatVector.fromArray(S, a, o + k3 + 4 * L);
                    a4 = v.fma(w3, a4);
                    a3 = v.fma(w4, a3);
                    a2 = v.fma(w5, a2);
                    v = FloatVector.fromArray(S, a, o + k3 + 5 * L);
                    a5 = v.fma(w3, a5);
                    a4 = v.fma(w4, a4);
                    a3 = v.fma(w5, a3);
                    v = FloatVector.fromArray(S, a, o + k3 + 6 * L);
                    a6 = v.fma(w3, a6);
                    a5 = v.fma(w4, a5);
                    a4 = v.fma(w5, a4);
                    v = FloatVector.fromArray(S, a, o + k3 + 7 * L);
                    a7 = v.fma(w3, a7);
                    a6 = v.fma(w4, a6);
                    a5 = v.fma(w5, a5);
                    v = FloatVector.fromArray(S, a, o + k3 + 8 * L);
                    a7 = v.fma(w4, a7);
                    a6 = v.fma(w5, a6);
                    v = FloatVector.fromArray(S, a, o + k3 + 9 * L);
                    a7 = v.fma(w5, a7);
                    v = FloatVector.fromArray(S, a, o + k6 + 0 * L);
                    a0 = v.fma(w6, a0);
                    v = FloatVector.fromArray(S, a, o + k6 + 1 * L);
                    a1 = v.fma(w6, a1);
                    a0 = v.fma(w7, a0);
                    v = FloatVector.fromArray(S, a, o + k6 + 2 * L);
                    a2 = v.fma(w6, a2);
                    a1 = v.fma(w7, a1);
                    a0 = v.fma(w8, a0);
                    v = FloatVector.fromArray(S, a, o + k6 + 3 * L);
                    a3 = v.fma(w6, a3);
                    a2 = v.fma(w7, a2);
                    a1 = v.fma(w8, a1);
                    v = FloatVector.fromArray(S, a, o + k6 + 4 * L);
                    a4 = v.fma(w6, a4);
                    a3 = v.fma(w7, a3);
                    a2 = v.fma(w8, a2);
                    v = FloatVector.fromArray(S, a, o + k6 + 5 * L);
                    a5 = v.fma(w6, a5);
                    a4 = v.fma(w7, a4);
                    a3 = v.fma(w8, a3);
                    v = FloatVector.fromArray(S, a, o + k6 + 6 * L);
                    a6 = v.fma(w6, a6);
                    a5 = v.fma(w7, a5);
                    a4 = v.fma(w8, a4);
                    v = FloatVector.fromArray(S, a, o + k6 + 7 * L);
                    a7 = v.fma(w6, a7);
                    a6 = v.fma(w7, a6);
                    a5 = v.fma(w8, a5);
                    v = FloatVector.fromArray(S, a, o + k6 + 8 * L);
                    a7 = v.fma(w7, a7);
                    a6 = v.fma(w8, a6);
                    v = FloatVector.fromArray(S, a, o + k6 + 9 * L);
                    a7 = v.fma(w8, a7);
                    a0.max(0f).intoArray(dst, cb + (j + 0) * pixStride);
                    a1.max(0f).intoArray(dst, cb + (j + 1) * pixStride);
                    a2.max(0f).intoArray(dst, cb + (j + 2) * pixStride);
                    a3.max(0f).intoArray(dst, cb + (j + 3) * pixStride);
                    a4.max(0f).intoArray(dst, cb + (j + 4) * pixStride);
                    a5.max(0f).intoArray(dst, cb + (j + 5) * pixStride);
                    a6.max(0f).intoArray(dst, cb + (j + 6) * pixStride);
                    a7.max(0f).intoArray(dst, cb + (j + 7) * pixStride);
                }
                for (; j < w; j++) {
                    int o = base + j * L;
                    FloatVector acc = FloatVector.fromArray(S, a, o + k0).fma(w0, bv);
                    acc = FloatVector.fromArray(S, a, o + k0 + L).fma(w1, acc);
                    acc = FloatVector.fromArray(S, a, o + k0 + 2 * L).fma(w2, acc);
                    acc = FloatVector.fromArray(S, a, o + k3).fma(w3, acc);
                    acc = FloatVector.fromArray(S, a, o + k3 + L).fma(w4, acc);
                    acc = FloatVector.fromArray(S, a, o + k3 + 2 * L).fma(w5, acc);
                    acc = FloatVector.fromArray(S, a, o + k6).fma(w6, acc);
                    acc = FloatVector.fromArray(S, a, o + k6 + L).fma(w7, acc);
                    acc = FloatVector.fromArray(S, a, o + k6 + 2 * L).fma(w8, acc);
                    acc.max(0f).intoArray(dst, cb + j * pixStride);
                }
            }
        }
    }

    private static void dw9Plain(float[] a, int blocks, int blockStride, int rowStep, int h, int w, int[] tapOff,
                                 float[] wt, float[] bias, float[] dst, int dstOff, int rowStride, int pixStride) {
        // filter rows start at k0, k3, k6; the taps of a row are one vector apart (stride and dilation 1 along W)
        int k0 = tapOff[0]; int k3 = tapOff[3]; int k6 = tapOff[6];
        int ldw = blocks * L;
        for (int blk = 0; blk < blocks; blk++) {
            int ch = blk * L;
            FloatVector bv = FloatVector.fromArray(S, bias, ch);
            FloatVector w0 = FloatVector.fromArray(S, wt, ch);
            FloatVector w1 = FloatVector.fromArray(S, wt, ldw + ch);
            FloatVector w2 = FloatVector.fromArray(S, wt, 2 * ldw + ch);
            FloatVector w3 = FloatVector.fromArray(S, wt, 3 * ldw + ch);
            FloatVector w4 = FloatVector.fromArray(S, wt, 4 * ldw + ch);
            FloatVector w5 = FloatVector.fromArray(S, wt, 5 * ldw + ch);
            FloatVector w6 = FloatVector.fromArray(S, wt, 6 * ldw + ch);
            FloatVector w7 = FloatVector.fromArray(S, wt, 7 * ldw + ch);
            FloatVector w8 = FloatVector.fromArray(S, wt, 8 * ldw + ch);
            for (int i = 0; i < h; i++) {
                int base = blk * blockStride + i * rowStep;
                int cb = dstOff + i * rowStride + ch;
                int j = 0;
                for (; j + 8 <= w; j += 8) {
                    int o = base + j * L;
                    FloatVector v;
                    v = FloatVector.fromArray(S, a, o + k0 + 0 * L);
                    FloatVector a0 = v.fma(w0, bv);
                    v = FloatVector.fromArray(S, a, o + k0 + 1 * L);
                    FloatVector a1 = v.fma(w0, bv);
                    a0 = v.fma(w1, a0);
                    v = FloatVector.fromArray(S, a, o + k0 + 2 * L);
                    FloatVector a2 = v.fma(w0, bv);
                    a1 = v.fma(w1, a1);
                    a0 = v.fma(w2, a0);
                    v = FloatVector.fromArray(S, a, o + k0 + 3 * L);
                    FloatVector a3 = v.fma(w0, bv);
                    a2 = v.fma(w1, a2);
                    a1 = v.fma(w2, a1);
                    v = FloatVector.fromArray(S, a, o + k0 + 4 * L);
                    FloatVector a4 = v.fma(w0, bv);
                    a3 = v.fma(w1, a3);
                    a2 = v.fma(w2, a2);
                    v = FloatVector.fromArray(S, a, o + k0 + 5 * L);
                    FloatVector a5 = v.fma(w0, bv);
                    a4 = v.fma(w1, a4);
                    a3 = v.fma(w2, a3);
                    v = FloatVector.fromArray(S, a, o + k0 + 6 * L);
                    FloatVector a6 = v.fma(w0, bv);
                    a5 = v.fma(w1, a5);
                    a4 = v.fma(w2, a4);
                    v = FloatVector.fromArray(S, a, o + k0 + 7 * L);
                    FloatVector a7 = v.fma(w0, bv);
                    a6 = v.fma(w1, a6);
                    a5 = v.fma(w2, a5);
                    v = FloatVector.fromArray(S, a, o + k0 + 8 * L);
                    a7 = v.fma(w1, a7);
                    a6 = v.fma(w2, a6);
                    v = FloatVector.fromArray(S, a, o + k0 + 9 * L);
                    a7 = v.fma(w2, a7);
                    v = FloatVector.fromArray(S, a, o + k3 + 0 * L);
                    a0 = v.fma(w3, a0);
                    v = FloatVector.fromArray(S, a, o + k3 + 1 * L);
                    a1 = v.fma(w3, a1);
                    a0 = v.fma(w4, a0);
                    v = FloatVector.fromArray(S, a, o + k3 + 2 * L);
                    a2 = v.fma(w3, a2);
                    a1 = v.fma(w4, a1);
                    a0 = v.fma(w5, a0);
                    v = FloatVector.fromArray(S, a, o + k3 + 3 * L);
                    a3 = v.fma(w3, a3);
                    a2 = v.fma(w4, a2);
                    a1 = v.fma(w5, a1);
                    v = FloatVector.fromArray(S, a, o + k3 + 4 * L);
                    a4 = v.fma(w3, a4);
                    a3 = v.fma(w4, a3);
                    a2 = v.fma(w5, a2);
                    v = FloatVector.fromArray(S, a, o + k3 + 5 * L);
                    a5 = v.fma(w3, a5);
                    a4 = v.fma(w4, a4);
                    a3 = v.fma(w5, a3);
                    v = FloatVector.fromArray(S, a, o + k3 + 6 * L);
                    a6 = v.fma(w3, a6);
                    a5 = v.fma(w4, a5);
                    a4 = v.fma(w5, a4);
                    v = FloatVector.fromArray(S, a, o + k3 + 7 * L);
                    a7 = v.fma(w3, a7);
                    a6 = v.fma(w4, a6);
                    a5 = v.fma(w5, a5);
                    v = FloatVector.fromArray(S, a, o + k3 + 8 * L);
                    a7 = v.fma(w4, a7);
                    a6 = v.fma(w5, a6);
                    v = FloatVector.fromArray(S, a, o + k3 + 9 * L);
                    a7 = v.fma(w5, a7);
                    v = FloatVector.fromArray(S, a, o + k6 + 0 * L);
                    a0 = v.fma(w6, a0);
                    v = FloatVector.fromArray(S, a, o + k6 + 1 * L);
                    a1 = v.fma(w6, a1);
                    a0 = v.fma(w7, a0);
                    v = FloatVector.fromArray(S, a, o + k6 + 2 * L);
                    a2 = v.fma(w6, a2);
                    a1 = v.fma(w7, a1);
                    a0 = v.fma(w8, a0);
                    v = FloatVector.fromArray(S, a, o + k6 + 3 * L);
                    a3 = v.fma(w6, a3);
                    a2 = v.fma(w7, a2);
                    a1 = v.fma(w8, a1);
                    v = FloatVector.fromArray(S, a, o + k6 + 4 * L);
                    a4 = v.fma(w6, a4);
                    a3 = v.fma(w7, a3);
                    a2 = v.fma(w8, a2);
                    v = FloatVector.fromArray(S, a, o + k6 + 5 * L);
                    a5 = v.fma(w6, a5);
                    a4 = v.fma(w7, a4);
                    a3 = v.fma(w8, a3);
                    v = FloatVector.fromArray(S, a, o + k6 + 6 * L);
                    a6 = v.fma(w6, a6);
                    a5 = v.fma(w7, a5);
                    a4 = v.fma(w8, a4);
                    v = FloatVector.fromArray(S, a, o + k6 + 7 * L);
                    a7 = v.fma(w6, a7);
                    a6 = v.fma(w7, a6);
                    a5 = v.fma(w8, a5);
                    v = FloatVector.fromArray(S, a, o + k6 + 8 * L);
                    a7 = v.fma(w7, a7);
                    a6 = v.fma(w8, a6);
                    v = FloatVector.fromArray(S, a, o + k6 + 9 * L);
                    a7 = v.fma(w8, a7);
                    a0.intoArray(dst, cb + (j + 0) * pixStride);
                    a1.intoArray(dst, cb + (j + 1) * pixStride);
                    a2.intoArray(dst, cb + (j + 2) * pixStride);
                    a3.intoArray(dst, cb + (j + 3) * pixStride);
                    a4.intoArray(dst, cb + (j + 4) * pixStride);
                    a5.intoArray(dst, cb + (j + 5) * pixStride);
                    a6.intoArray(dst, cb + (j + 6) * pixStride);
                    a7.intoArray(dst, cb + (j + 7) * pixStride);
                }
                for (; j < w; j++) {
                    int o = base + j * L;
                    FloatVector acc = FloatVector.fromArray(S, a, o + k0).fma(w0, bv);
                    acc = FloatVector.fromArray(S, a, o + k0 + L).fma(w1, acc);
                    acc = FloatVector.fromArray(S, a, o + k0 + 2 * L).fma(w2, acc);
                    acc = FloatVector.fromArray(S, a, o + k3).fma(w3, acc);
                    acc = FloatVector.fromArray(S, a, o + k3 + L).fma(w4, acc);
                    acc = FloatVector.fromArray(S, a, o + k3 + 2 * L).fma(w5, acc);
                    acc = FloatVector.fromArray(S, a, o + k6).fma(w6, acc);
                    acc = FloatVector.fromArray(S, a, o + k6 + L).fma(w7, acc);
                    acc = FloatVector.fromArray(S, a, o + k6 + 2 * L).fma(w8, acc);
                    acc.intoArray(dst, cb + j * pixStride);
                }
            }
        }
    }

    @Override
    public void depthwise9Direct(MemorySegment src, long srcOff, long rowStep, long tapRow, long pixBytes, int h, int w,
                                 float[] wt, int blocks, float[] bias, boolean relu, MemorySegment dst, long dstOff,
                                 long dstRowBytes, long dstPixBytes) {
        // Read in place: no relayout into channel blocks (a third of D1's time), for a bounds check per load. Five
        // pixels at a time: 21 loads, 45 FMAs. With six or eight the method is too large for C1 (out of virtual
        // registers), and HotSpot then kept it in tier-2 code without vector intrinsics (1.2 GFLOP/s). In a
        // stand-alone probe on D1's interior five ran at 89 GFLOP/s, six at 91, four at 87. ReLU is a compare and
        // blend (x <= 0 gives +0: NaN stays, -0 becomes +0, as Math.max(x, 0)), two instructions against max's six,
        // under a branch that ran D1 as fast as a separate ReLU method did (82-84 GFLOP/s plain, 78-79 with ReLU).
        int ldw = blocks * L;
        for (int blk = 0; blk < blocks; blk++) {
            long cb = 4L * blk * L;
            for (int i = 0; i < h; i++) {
                long s0 = srcOff + i * rowStep + cb;
                long d0 = dstOff + i * dstRowBytes + cb;
                dw5(src, s0, tapRow, pixBytes, w, wt, ldw, blk * L, bias, relu, dst, d0, dstPixBytes);
            }
        }
    }

    @Override
    public void depthwise9Column(MemorySegment src, long srcOff, long rowStep, long tapRow, long pixBytes, int kwFrom,
                                 int kwTo, int h, float[] wt, int blocks, float[] bias, boolean relu, MemorySegment dst,
                                 long dstOff, long dstRowBytes) {
        // Border columns cost a fifth of D1's time as one-pixel-wide blocked tiles (each pixel one FMA chain, and a
        // gather per call); here four rows of the column run as four chains. Taps still in order, kh then kw.
        ByteOrder o = ByteOrder.nativeOrder();
        int ldw = blocks * L;
        for (int blk = 0; blk < blocks; blk++) {
            int ch = blk * L;
            long cb = 4L * ch;
            FloatVector bv = FloatVector.fromArray(S, bias, ch);
            int step = h >= 4 ? 4 : 1;
            for (int g = 0; g < h; g += step) {
                int i = Math.min(g, h - step); // the last group of four may overlap the one before
                long s = srcOff + i * rowStep + cb;
                FloatVector a0 = bv, a1 = bv, a2 = bv, a3 = bv;
                for (int kh = 0; kh < 3; kh++) {
                    for (int kw = kwFrom; kw < kwTo; kw++) {
                        FloatVector wv = FloatVector.fromArray(S, wt, (kh * 3 + kw) * ldw + ch);
                        long t = s + kh * tapRow + kw * pixBytes;
                        a0 = FloatVector.fromMemorySegment(S, src, t, o).fma(wv, a0);
                        if (step == 4) {
                            a1 = FloatVector.fromMemorySegment(S, src, t + rowStep, o).fma(wv, a1);
                            a2 = FloatVector.fromMemorySegment(S, src, t + 2 * rowStep, o).fma(wv, a2);
                            a3 = FloatVector.fromMemorySegment(S, src, t + 3 * rowStep, o).fma(wv, a3);
                        }
                    }
                }
                long d = dstOff + i * dstRowBytes + cb;
                store(relu, a0, dst, d);
                if (step == 4) {
                    store(relu, a1, dst, d + dstRowBytes);
                    store(relu, a2, dst, d + 2 * dstRowBytes);
                    store(relu, a3, dst, d + 3 * dstRowBytes);
                }
            }
        }
    }

    private static void store(boolean relu, FloatVector a, MemorySegment dst, long at) {
        (relu ? a.blend(0f, a.compare(VectorOperators.LE, 0f)) : a).intoMemorySegment(dst, at, ByteOrder.nativeOrder());
    }

    private static void dw5(MemorySegment src, long s0, long tapRow, long pix, int w, float[] wt, int ldw, int ch,
                            float[] bias, boolean relu, MemorySegment dst, long d0, long dPix) {
        ByteOrder o = ByteOrder.nativeOrder();
        FloatVector bv = FloatVector.fromArray(S, bias, ch);
        FloatVector w0 = FloatVector.fromArray(S, wt, ch);
        FloatVector w1 = FloatVector.fromArray(S, wt, ldw + ch);
        FloatVector w2 = FloatVector.fromArray(S, wt, 2 * ldw + ch);
        FloatVector w3 = FloatVector.fromArray(S, wt, 3 * ldw + ch);
        FloatVector w4 = FloatVector.fromArray(S, wt, 4 * ldw + ch);
        FloatVector w5 = FloatVector.fromArray(S, wt, 5 * ldw + ch);
        FloatVector w6 = FloatVector.fromArray(S, wt, 6 * ldw + ch);
        FloatVector w7 = FloatVector.fromArray(S, wt, 7 * ldw + ch);
        FloatVector w8 = FloatVector.fromArray(S, wt, 8 * ldw + ch);
        for (int g = 0, groups = (w + 4) / 5; g < groups; g++) {
            int j = Math.min(5 * g, w - 5); // the last group may overlap the one before: the same values stored again
            long q0 = s0 + j * pix;
            long q1 = q0 + tapRow;
            long q2 = q1 + tapRow;
            FloatVector v;
            FloatVector a0 = bv, a1 = bv, a2 = bv, a3 = bv, a4 = bv;
            v = FloatVector.fromMemorySegment(S, src, q0, o); a0 = v.fma(w0, a0);
            v = FloatVector.fromMemorySegment(S, src, q0 + pix, o); a1 = v.fma(w0, a1); a0 = v.fma(w1, a0);
            v = FloatVector.fromMemorySegment(S, src, q0 + 2 * pix, o); a2 = v.fma(w0, a2); a1 = v.fma(w1, a1); a0 = v.fma(w2, a0);
            v = FloatVector.fromMemorySegment(S, src, q0 + 3 * pix, o); a3 = v.fma(w0, a3); a2 = v.fma(w1, a2); a1 = v.fma(w2, a1);
            v = FloatVector.fromMemorySegment(S, src, q0 + 4 * pix, o); a4 = v.fma(w0, a4); a3 = v.fma(w1, a3); a2 = v.fma(w2, a2);
            v = FloatVector.fromMemorySegment(S, src, q0 + 5 * pix, o); a4 = v.fma(w1, a4); a3 = v.fma(w2, a3);
            v = FloatVector.fromMemorySegment(S, src, q0 + 6 * pix, o); a4 = v.fma(w2, a4);
            v = FloatVector.fromMemorySegment(S, src, q1, o); a0 = v.fma(w3, a0);
            v = FloatVector.fromMemorySegment(S, src, q1 + pix, o); a1 = v.fma(w3, a1); a0 = v.fma(w4, a0);
            v = FloatVector.fromMemorySegment(S, src, q1 + 2 * pix, o); a2 = v.fma(w3, a2); a1 = v.fma(w4, a1); a0 = v.fma(w5, a0);
            v = FloatVector.fromMemorySegment(S, src, q1 + 3 * pix, o); a3 = v.fma(w3, a3); a2 = v.fma(w4, a2); a1 = v.fma(w5, a1);
            v = FloatVector.fromMemorySegment(S, src, q1 + 4 * pix, o); a4 = v.fma(w3, a4); a3 = v.fma(w4, a3); a2 = v.fma(w5, a2);
            v = FloatVector.fromMemorySegment(S, src, q1 + 5 * pix, o); a4 = v.fma(w4, a4); a3 = v.fma(w5, a3);
            v = FloatVector.fromMemorySegment(S, src, q1 + 6 * pix, o); a4 = v.fma(w5, a4);
            v = FloatVector.fromMemorySegment(S, src, q2, o); a0 = v.fma(w6, a0);
            v = FloatVector.fromMemorySegment(S, src, q2 + pix, o); a1 = v.fma(w6, a1); a0 = v.fma(w7, a0);
            v = FloatVector.fromMemorySegment(S, src, q2 + 2 * pix, o); a2 = v.fma(w6, a2); a1 = v.fma(w7, a1); a0 = v.fma(w8, a0);
            v = FloatVector.fromMemorySegment(S, src, q2 + 3 * pix, o); a3 = v.fma(w6, a3); a2 = v.fma(w7, a2); a1 = v.fma(w8, a1);
            v = FloatVector.fromMemorySegment(S, src, q2 + 4 * pix, o); a4 = v.fma(w6, a4); a3 = v.fma(w7, a3); a2 = v.fma(w8, a2);
            v = FloatVector.fromMemorySegment(S, src, q2 + 5 * pix, o); a4 = v.fma(w7, a4); a3 = v.fma(w8, a3);
            v = FloatVector.fromMemorySegment(S, src, q2 + 6 * pix, o); a4 = v.fma(w8, a4);
            if (relu) {
                a0 = a0.blend(0f, a0.compare(VectorOperators.LE, 0f));
                a1 = a1.blend(0f, a1.compare(VectorOperators.LE, 0f));
                a2 = a2.blend(0f, a2.compare(VectorOperators.LE, 0f));
                a3 = a3.blend(0f, a3.compare(VectorOperators.LE, 0f));
                a4 = a4.blend(0f, a4.compare(VectorOperators.LE, 0f));
            }
            long d = d0 + j * dPix;
            a0.intoMemorySegment(dst, d, o);
            a1.intoMemorySegment(dst, d + dPix, o);
            a2.intoMemorySegment(dst, d + 2 * dPix, o);
            a3.intoMemorySegment(dst, d + 3 * dPix, o);
            a4.intoMemorySegment(dst, d + 4 * dPix, o);
        }
    }

    @Override
    public void gatherBlocked(MemorySegment seg, long byteOff, int pixels, int channels, float[] dst, int cell, int cells) {
        int blocks = (channels + L - 1) / L;
        for (int blk = 0; blk < blocks; blk++) {
            int ch = blk * L;
            int d = (blk * cells + cell) * L;
            long src = byteOff + 4L * ch;
            if (ch + L <= channels) {
                for (int p = 0; p < pixels; p++) {
                    FloatVector.fromMemorySegment(S, seg, src + 4L * p * channels, ByteOrder.nativeOrder()).intoArray(dst, d + p * L);
                }
            } else {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                for (int p = 0; p < pixels; p++) {
                    FloatVector.fromMemorySegment(S, seg, src + 4L * p * channels, ByteOrder.nativeOrder(), m).intoArray(dst, d + p * L);
                }
            }
        }
    }

    @Override
    public void reduceRows(MemorySegment src, long[] byteOff, int rows, float[] acc, int n, boolean max) {
        // per block of acc (kept in L1): the first up to four rows in one pass, the rest one by one; each row a slice
        // taken before its loop, so that the slice's bounds checks leave the loop (one loop over all rows re-checks
        // every load: half the speed; reading acc back as a heap segment: 0.42 of oneDNN on P2 against 0.70)
        ByteOrder o = ByteOrder.nativeOrder();
        for (int b0 = 0; b0 < n; b0 += ROW_BLOCK) {
            int m = Math.min(ROW_BLOCK, n - b0);
            long from = 4L * b0;
            long bytes = 4L * m;
            MemorySegment a = src.asSlice(byteOff[0] + from, bytes);
            MemorySegment b = rows > 1 ? src.asSlice(byteOff[1] + from, bytes) : null;
            MemorySegment c = rows > 2 ? src.asSlice(byteOff[2] + from, bytes) : null;
            MemorySegment d = rows > 3 ? src.asSlice(byteOff[3] + from, bytes) : null;
            if (max) {
                maxOf(acc, b0, m, a, b, c, d);
            } else {
                sumOf(acc, b0, m, a, b, c, d);
            }
            for (int r = 4; r < rows; r++) {
                MemorySegment x = src.asSlice(byteOff[r] + from, bytes);
                int i = 0;
                int bound = S.loopBound(m);
                if (max) {
                    for (; i < bound; i += L) {
                        FloatVector.fromArray(S, acc, b0 + i).max(FloatVector.fromMemorySegment(S, x, 4L * i, o)).intoArray(acc, b0 + i);
                    }
                } else {
                    for (; i < bound; i += L) {
                        FloatVector.fromArray(S, acc, b0 + i).add(FloatVector.fromMemorySegment(S, x, 4L * i, o)).intoArray(acc, b0 + i);
                    }
                }
                for (; i < m; i++) {
                    float v = x.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                    acc[b0 + i] = max ? Math.max(acc[b0 + i], v) : acc[b0 + i] + v;
                }
            }
        }
    }

    @Override
    public void maxRows16(MemorySegment src, long[] byteOff, int rows, int n, short nanAbove, short[] acc) {
        // 16-bit floats are sign-magnitude: flipping the magnitude bits of the negatives orders the bit patterns, as
        // signed integers, the way the values order (-0 just below +0), and every NaN becomes the largest key. So
        // the window's rows are never widened (fp16 max pooling spent most of its time doing that), only the result.
        ByteOrder o = ByteOrder.nativeOrder();
        int lanes = SH.length();
        int bound = SH.loopBound(n);
        for (int r = 0; r < rows; r++) {
            MemorySegment row = src.asSlice(byteOff[r], 2L * n);
            int i = 0;
            if (r == 0) {
                for (; i < bound; i += lanes) {
                    maxKey(ShortVector.fromMemorySegment(SH, row, 2L * i, o), nanAbove).intoArray(acc, i);
                }
            } else {
                for (; i < bound; i += lanes) {
                    maxKey(ShortVector.fromMemorySegment(SH, row, 2L * i, o), nanAbove).max(ShortVector.fromArray(SH, acc, i))
                            .intoArray(acc, i);
                }
            }
            for (; i < n; i++) {
                short h = row.getAtIndex(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, i);
                short k = (h & 0x7fff) > nanAbove ? 0x7fff : (short) (h ^ ((h >> 15) & 0x7fff));
                acc[i] = r == 0 ? k : (short) Math.max(acc[i], k);
            }
        }
        // keys back to bit patterns: the flip is its own inverse (the sign bit does not change)
        int i = 0;
        for (; i < bound; i += lanes) {
            ShortVector k = ShortVector.fromArray(SH, acc, i);
            k.lanewise(VectorOperators.XOR, k.lanewise(VectorOperators.ASHR, 15).and((short) 0x7fff)).intoArray(acc, i);
        }
        for (; i < n; i++) {
            acc[i] = (short) (acc[i] ^ ((acc[i] >> 15) & 0x7fff));
        }
    }

    private static ShortVector maxKey(ShortVector h, short nanAbove) {
        ShortVector flipped = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.ASHR, 15).and((short) 0x7fff));
        return flipped.blend((short) 0x7fff, h.and((short) 0x7fff).compare(VectorOperators.GT, nanAbove));
    }

    /** Floats of acc that {@link #reduceRows} finishes before moving on: 8 KB, in L1 with the rows' streams. */
    private static final int ROW_BLOCK = 2048;

    /**
     * {@code acc[at + i] = max(max(max(a[i], b[i]), c[i]), d[i])} over the segments given (trailing ones null), each
     * count in a loop of its own: C2 keeps neither a null test nor a max-or-add choice out of the loop (measured:
     * 2-row max pooling at 0.58 of oneDNN with them inside, 0.83 without).
     */
    private static void maxOf(float[] acc, int at, int n, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        ByteOrder o = ByteOrder.nativeOrder();
        int i = 0;
        int bound = S.loopBound(n);
        if (b == null) {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).intoArray(acc, at + i);
            }
        } else if (c == null) {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).max(FloatVector.fromMemorySegment(S, b, 4L * i, o))
                        .intoArray(acc, at + i);
            }
        } else if (d == null) {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).max(FloatVector.fromMemorySegment(S, b, 4L * i, o))
                        .max(FloatVector.fromMemorySegment(S, c, 4L * i, o)).intoArray(acc, at + i);
            }
        } else {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).max(FloatVector.fromMemorySegment(S, b, 4L * i, o))
                        .max(FloatVector.fromMemorySegment(S, c, 4L * i, o))
                        .max(FloatVector.fromMemorySegment(S, d, 4L * i, o)).intoArray(acc, at + i);
            }
        }
        if (i < n) {
            combineTail(acc, at, i, n, true, a, b, c, d);
        }
    }

    /**
     * {@link #maxOf} with sums, in the same order. A copy of it on purpose: one method taking the operator
     * ({@code lanewise(op, v)}) is not inlined into two call sites with constant operators, and ran P1-P3 at a tenth
     * of the speed; reusing a row to fill a short max pass (one loop) cost 0.53 -> 0.43 on P1.
     */
    private static void sumOf(float[] acc, int at, int n, MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        ByteOrder o = ByteOrder.nativeOrder();
        int i = 0;
        int bound = S.loopBound(n);
        if (b == null) {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).intoArray(acc, at + i);
            }
        } else if (c == null) {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).add(FloatVector.fromMemorySegment(S, b, 4L * i, o))
                        .intoArray(acc, at + i);
            }
        } else if (d == null) {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).add(FloatVector.fromMemorySegment(S, b, 4L * i, o))
                        .add(FloatVector.fromMemorySegment(S, c, 4L * i, o)).intoArray(acc, at + i);
            }
        } else {
            for (; i < bound; i += L) {
                FloatVector.fromMemorySegment(S, a, 4L * i, o).add(FloatVector.fromMemorySegment(S, b, 4L * i, o))
                        .add(FloatVector.fromMemorySegment(S, c, 4L * i, o))
                        .add(FloatVector.fromMemorySegment(S, d, 4L * i, o)).intoArray(acc, at + i);
            }
        }
        if (i < n) {
            combineTail(acc, at, i, n, false, a, b, c, d);
        }
    }

    private static void combineTail(float[] acc, int at, int from, int n, boolean max, MemorySegment... rows) {
        java.lang.foreign.ValueLayout.OfFloat f = java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED;
        for (int i = from; i < n; i++) {
            float v = rows[0].getAtIndex(f, i);
            for (int r = 1; r < rows.length && rows[r] != null; r++) {
                v = max ? Math.max(v, rows[r].getAtIndex(f, i)) : v + rows[r].getAtIndex(f, i);
            }
            acc[at + i] = v;
        }
    }

    @Override
    public void reduceColumns(float[] row, int cols, int channels, int start, int stride, int k, int outs, boolean max,
                              int rows, float[] out) {
        // outputs [jLo, jHi) have every window column inside the row
        int jLo = Math.min(outs, start >= 0 ? 0 : (-start + stride - 1) / stride);
        int jHi = Math.max(jLo, Math.min(outs, cols - k - start < 0 ? 0 : (cols - k - start) / stride + 1));
        if (channels >= L || jHi - jLo < 2) {
            reducePixels(row, cols, channels, start, stride, k, 0, outs, max, rows, out);
            return;
        }
        // fewer channels than lanes: a vector per pixel would idle most lanes, so reduce the interior along the
        // flattened row instead, m[i] = op_t row[i + t * channels] (in place: m[i] reads only cells at or after i),
        // then pick every stride-th pixel; the edges, first, per pixel
        reducePixels(row, cols, channels, start, stride, k, 0, jLo, max, rows, out);
        reducePixels(row, cols, channels, start, stride, k, jHi, outs, max, rows, out);
        int from = (jLo * stride + start) * channels;
        int to = ((jHi - 1) * stride + start) * channels + channels;
        float count = (float) rows * k;
        int i = from;
        // max and sum in loops of their own: a vector merged from two operations through a branch is boxed by C2
        int bound = from + S.loopBound(to - from);
        if (max) {
            for (; i < bound; i += L) {
                FloatVector acc = FloatVector.fromArray(S, row, i);
                for (int t = 1; t < k; t++) {
                    acc = acc.max(FloatVector.fromArray(S, row, i + t * channels));
                }
                acc.intoArray(row, i);
            }
        } else {
            for (; i < bound; i += L) {
                FloatVector acc = FloatVector.fromArray(S, row, i);
                for (int t = 1; t < k; t++) {
                    acc = acc.add(FloatVector.fromArray(S, row, i + t * channels));
                }
                acc.div(count).intoArray(row, i);
            }
        }
        for (; i < to; i++) {
            float acc = row[i];
            for (int t = 1; t < k; t++) {
                float v = row[i + t * channels];
                acc = max ? Math.max(acc, v) : acc + v;
            }
            row[i] = max ? acc : acc / count;
        }
        if (stride == 1) {
            System.arraycopy(row, from, out, jLo * channels, (jHi - jLo) * channels);
        } else {
            // a two-vector permute picks `per` whole pixels at once: lane l takes (l / channels) * stride * channels
            // + l % channels of the 2L floats from src (a gather does the same at several times the cost)
            int per = Math.min(L / channels, ((2 * L) / channels - 1) / stride + 1);
            float[] pick = new float[L];
            for (int l = 0; l < per * channels; l++) {
                pick[l] = (l / channels) * stride * channels + l % channels;
            }
            FloatVector index = FloatVector.fromArray(S, pick, 0);
            VectorMask<Float> used = S.indexInRange(0, per * channels);
            int j = jLo;
            int src = from;
            int dst = jLo * channels;
            for (int last = cols * channels - 2 * L; j + per <= jHi && src <= last;
                 j += per, src += per * stride * channels, dst += per * channels) {
                index.selectFrom(FloatVector.fromArray(S, row, src), FloatVector.fromArray(S, row, src + L)).intoArray(out, dst, used);
            }
            for (; j < jHi; j++, src += stride * channels) {
                for (int ch = 0; ch < channels; ch++) {
                    out[dst++] = row[src + ch];
                }
            }
        }
    }

    /**
     * {@link #reduceColumns} for outputs {@code [j0, j1)}, a vector of channels at a time. Max and sum in methods of
     * their own: one method holding both grew past what C2 inlines once a JVM had run both kinds, and its vector
     * operations then ran as calls into the Java fallback (fp16 global average pooling after max pooling: 2.4
     * instead of 9.4 GFLOP/s).
     */
    private static void reducePixels(float[] row, int cols, int channels, int start, int stride, int k, int j0, int j1,
                                     boolean max, int rows, float[] out) {
        if (max) {
            maxPixels(row, cols, channels, start, stride, k, j0, j1, out);
        } else {
            meanPixels(row, cols, channels, start, stride, k, j0, j1, rows, out);
        }
    }

    private static void maxPixels(float[] row, int cols, int channels, int start, int stride, int k, int j0, int j1, float[] out) {
        int full = channels / L * L;
        VectorMask<Float> tail = S.indexInRange(full, channels);
        for (int j = j0; j < j1; j++) {
            int c0 = j * stride + start;
            int t0 = Math.max(0, c0);
            int t1 = Math.min(cols, c0 + k);
            int base = t0 * channels;
            int o = j * channels;
            int ch = 0;
            // four vectors of channels at a time: four independent chains share one walk over the window
            for (; ch + 4 * L <= full; ch += 4 * L) {
                int p = base + ch;
                FloatVector a0 = FloatVector.fromArray(S, row, p);
                FloatVector a1 = FloatVector.fromArray(S, row, p + L);
                FloatVector a2 = FloatVector.fromArray(S, row, p + 2 * L);
                FloatVector a3 = FloatVector.fromArray(S, row, p + 3 * L);
                for (int t = t0 + 1; t < t1; t++) {
                    p += channels;
                    a0 = a0.max(FloatVector.fromArray(S, row, p));
                    a1 = a1.max(FloatVector.fromArray(S, row, p + L));
                    a2 = a2.max(FloatVector.fromArray(S, row, p + 2 * L));
                    a3 = a3.max(FloatVector.fromArray(S, row, p + 3 * L));
                }
                a0.intoArray(out, o + ch);
                a1.intoArray(out, o + ch + L);
                a2.intoArray(out, o + ch + 2 * L);
                a3.intoArray(out, o + ch + 3 * L);
            }
            for (; ch < full; ch += L) {
                FloatVector acc = FloatVector.fromArray(S, row, base + ch);
                for (int t = t0 + 1, p = base + channels + ch; t < t1; t++, p += channels) {
                    acc = acc.max(FloatVector.fromArray(S, row, p));
                }
                acc.intoArray(out, o + ch);
            }
            if (full < channels) {
                FloatVector acc = FloatVector.fromArray(S, row, base + full, tail);
                for (int t = t0 + 1, p = base + channels + full; t < t1; t++, p += channels) {
                    acc = acc.max(FloatVector.fromArray(S, row, p, tail));
                }
                acc.intoArray(out, o + full, tail);
            }
        }
    }

    private static void meanPixels(float[] row, int cols, int channels, int start, int stride, int k, int j0, int j1, int rows,
                                   float[] out) {
        int full = channels / L * L;
        VectorMask<Float> tail = S.indexInRange(full, channels);
        for (int j = j0; j < j1; j++) {
            int c0 = j * stride + start;
            int t0 = Math.max(0, c0);
            int t1 = Math.min(cols, c0 + k);
            float count = (float) rows * (t1 - t0);
            int base = t0 * channels;
            int o = j * channels;
            for (int ch = 0; ch < full; ch += L) {
                FloatVector acc = FloatVector.fromArray(S, row, base + ch);
                for (int t = t0 + 1, p = base + channels + ch; t < t1; t++, p += channels) {
                    acc = acc.add(FloatVector.fromArray(S, row, p));
                }
                acc.div(count).intoArray(out, o + ch);
            }
            if (full < channels) {
                FloatVector acc = FloatVector.fromArray(S, row, base + full, tail);
                for (int t = t0 + 1, p = base + channels + full; t < t1; t++, p += channels) {
                    acc = acc.add(FloatVector.fromArray(S, row, p, tail));
                }
                acc.div(count).intoArray(out, o + full, tail);
            }
        }
    }

    @Override
    public void depthMax(float[] a, int rows, int channels, int depth, float[] c) {
        int outC = channels / depth;
        int[] index = new int[L];
        for (int i = 0; i < L; i++) {
            index[i] = i * depth;
        }
        for (int r = 0; r < rows; r++) {
            int oc = 0;
            // masked gathers still bounds-check unset lanes in JDK 25, so only full vectors gather
            for (; oc + L <= outC; oc += L) {
                int base = r * channels + oc * depth;
                FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int j = 0; j < depth; j++) {
                    acc = acc.max(FloatVector.fromArray(S, a, base + j, index, 0));
                }
                acc.intoArray(c, r * outC + oc);
            }
            for (; oc < outC; oc++) {
                int base = r * channels + oc * depth;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < depth; j++) {
                    m = Math.max(m, a[base + j]);
                }
                c[r * outC + oc] = m;
            }
        }
    }

    @Override
    public void lrn(float[] x, int rows, int channels, int radius, float bias, float alpha, float beta, float[] sq,
                    float[] out) {
        int width = 2 * radius + 1;
        int full = channels / L * L;
        VectorMask<Float> tail = S.indexInRange(full, channels);
        // first every row's bias + alpha * (window sum of squares) into out, then out = x / out^beta in one pass
        for (int r = 0; r < rows; r++) {
            int row = r * channels;
            java.util.Arrays.fill(sq, 0, radius, 0f);
            java.util.Arrays.fill(sq, radius + channels, 2 * radius + channels + L, 0f);
            int ch = 0;
            for (; ch < full; ch += L) {
                FloatVector v = FloatVector.fromArray(S, x, row + ch);
                v.mul(v).intoArray(sq, radius + ch);
            }
            if (ch < channels) {
                FloatVector v = FloatVector.fromArray(S, x, row + ch, tail);
                v.mul(v).intoArray(sq, radius + ch, tail);
            }
            for (ch = 0; ch < channels; ch += L) {
                FloatVector sum = FloatVector.fromArray(S, sq, ch);
                for (int j = 1; j < width; j++) {
                    sum = sum.add(FloatVector.fromArray(S, sq, ch + j));
                }
                FloatVector den = sum.mul(alpha).add(bias);
                if (ch < full) {
                    den.intoArray(out, row + ch);
                } else {
                    den.intoArray(out, row + ch, tail);
                }
            }
        }
        divideByPower(x, out, rows * channels, beta);
    }

    /**
     * {@code den[i] = x[i] / den[i]^beta}. The usual betas skip the vector pow (an SVML call, 55% of LRN's time at
     * 0.75): {@code d^0.75 = sqrt(d) * sqrt(sqrt(d))} errs by under 2 ulps, within LRN's tolerance; each beta has
     * its loop, so that no branch sits inside one.
     */
    private static void divideByPower(float[] x, float[] den, int n, float beta) {
        int i = 0;
        int bound = S.loopBound(n);
        if (beta == 0.75f) {
            for (; i < bound; i += L) {
                FloatVector r = FloatVector.fromArray(S, den, i).sqrt();
                FloatVector.fromArray(S, x, i).div(r.mul(r.sqrt())).intoArray(den, i);
            }
        } else if (beta == 0.5f) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, i).div(FloatVector.fromArray(S, den, i).sqrt()).intoArray(den, i);
            }
        } else if (beta == 1f) {
            for (; i < bound; i += L) {
                FloatVector.fromArray(S, x, i).div(FloatVector.fromArray(S, den, i)).intoArray(den, i);
            }
        } else {
            for (; i < bound; i += L) {
                FloatVector d = FloatVector.fromArray(S, den, i).lanewise(VectorOperators.POW, beta);
                FloatVector.fromArray(S, x, i).div(d).intoArray(den, i);
            }
        }
        for (; i < n; i++) {
            float r = (float) Math.sqrt(den[i]);
            float p = beta == 0.75f ? r * (float) Math.sqrt(r) : beta == 0.5f ? r : (float) Math.pow(den[i], beta);
            den[i] = x[i] / p;
        }
    }

    @Override
    public void softmax(float[] x, int rows, int channels) {
        for (int r = 0; r < rows; r++) {
            int row = r * channels;
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                mx = mx.max(FloatVector.fromArray(S, x, row + ch, m).blend(Float.NEGATIVE_INFINITY, m.not()));
            }
            float max = mx.reduceLanes(VectorOperators.MAX);
            FloatVector sum = FloatVector.zero(S);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                FloatVector e = FloatVector.fromArray(S, x, row + ch, m).sub(max).lanewise(VectorOperators.EXP);
                e = e.blend(0f, m.not());
                e.intoArray(x, row + ch, m);
                sum = sum.add(e);
            }
            float inv = sum.reduceLanes(VectorOperators.ADD);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                FloatVector.fromArray(S, x, row + ch, m).div(inv).intoArray(x, row + ch, m);
            }
        }
    }

    @Override
    public void relu(float[] a, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            v.blend(0f, v.lt(0f)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] = a[i] < 0 ? 0f : a[i];
        }
    }

    @Override
    public void max(float[] a, float[] b, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, a, i).max(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] = Math.max(a[i], b[i]);
        }
    }

    @Override
    public void add(float[] a, float[] b, int n, boolean relu) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i));
            if (relu) {
                v = v.blend(0f, v.lt(0f));
            }
            v.intoArray(a, i);
        }
        for (; i < n; i++) {
            float v = a[i] + b[i];
            a[i] = relu && v < 0 ? 0f : v;
        }
    }

    @Override
    public void affineRows(float[] x, int pixels, int channels, float[] mean, float[] mul, float[] offset, boolean relu) {
        for (int ch = 0; ch < channels; ch += L) {
            VectorMask<Float> m = S.indexInRange(ch, channels);
            FloatVector mv = FloatVector.fromArray(S, mean, ch, m);
            FloatVector kv = FloatVector.fromArray(S, mul, ch, m);
            FloatVector ov = FloatVector.fromArray(S, offset, ch, m);
            for (int p = 0; p < pixels; p++) {
                int o = p * channels + ch;
                FloatVector v = FloatVector.fromArray(S, x, o, m).sub(mv).fma(kv, ov);
                if (relu) {
                    v = v.blend(0f, v.lt(0f));
                }
                v.intoArray(x, o, m);
            }
        }
    }

    @Override
    public void affineRun(float[] x, int off, int n, float mean, float mul, float offset, boolean relu) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(mean).fma(mul, offset);
            if (relu) {
                v = v.blend(0f, v.lt(0f));
            }
            v.intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = Math.fma(x[off + i] - mean, mul, offset);
            x[off + i] = relu && v < 0 ? 0f : v;
        }
    }

    @Override
    public void accumulateRows(float[] acc, float[] x, int rows, int channels) {
        for (int ch = 0; ch < channels; ch += L) {
            VectorMask<Float> m = S.indexInRange(ch, channels);
            FloatVector s = FloatVector.fromArray(S, acc, ch, m);
            for (int r = 0; r < rows; r++) {
                s = s.add(FloatVector.fromArray(S, x, r * channels + ch, m));
            }
            s.intoArray(acc, ch, m);
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        FloatVector s = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            s = s.add(FloatVector.fromArray(S, x, off + i));
        }
        float t = s.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            t += x[off + i];
        }
        return t;
    }
}
