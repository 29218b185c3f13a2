package org.conv4j.vector;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DType;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.Layout;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.TensorSpec;

/**
 * Random valid specs over every operation, dtype and layout, biased to the edges: 1x1 images, filters larger than
 * the input under SAME, strides larger than the filter, prime channel counts, batch 1 and above.
 */
final class Cases {
    private static final int[] PRIMES = {1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 31, 37};
    private final SplittableRandom rnd;

    Cases(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    int pick(int... v) {
        return v[rnd.nextInt(v.length)];
    }

    int between(int lo, int hi) {
        return lo + rnd.nextInt(hi - lo + 1);
    }

    boolean chance(double p) {
        return rnd.nextDouble() < p;
    }

    /** LRN's beta: the values the vector engine computes without pow (0.75, 0.5, 1), or any in [0.5, 1). */
    float lrnBeta() {
        return switch (rnd.nextInt(4)) {
            case 0 -> 0.75f;
            case 1 -> 0.5f;
            case 2 -> 1f;
            default -> (float) (0.5 + rnd.nextDouble() * 0.5);
        };
    }

    DType dtype() {
        return DType.values()[rnd.nextInt(3)];
    }

    float value() {
        return (float) (rnd.nextDouble() * 2 - 1);
    }

    int channels() {
        return chance(0.6) ? PRIMES[rnd.nextInt(PRIMES.length)] : between(1, 80);
    }

    int[] spatial(int rank, int max) {
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            s[i] = chance(0.15) ? 1 : between(1, max);
        }
        return s;
    }

    int rank() {
        return pick(1, 2, 2, 2, 2, 3);
    }

    Padding padding(int rank) {
        int m = rnd.nextInt(5);
        if (m <= 1) {
            return Padding.SAME;
        }
        if (m <= 3) {
            return Padding.VALID;
        }
        int[] b = new int[rank];
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            b[i] = between(0, 2);
            a[i] = between(0, 2);
        }
        return Padding.explicit(b, a);
    }

    int[] dims(Layout l, int n, int c, int[] sp) {
        return l.activationDims(n, c, sp);
    }

    /** A random spec; retries until the spec builders accept one. */
    OpSpec next() {
        for (int tries = 0; ; tries++) {
            try {
                return attempt(rnd.nextInt(14));
            } catch (IllegalArgumentException e) {
                if (tries > 1000) {
                    throw e;
                }
            }
        }
    }

    OpSpec next(int kind) {
        for (int tries = 0; ; tries++) {
            try {
                return attempt(kind);
            } catch (IllegalArgumentException e) {
                if (tries > 1000) {
                    throw e;
                }
            }
        }
    }

    static final int KINDS = 14;

    private OpSpec attempt(int kind) {
        DType t = dtype();
        int rank = rank();
        boolean last = chance(0.6);
        Layout l = Layout.activation(rank, last);
        int n = pick(1, 1, 2, 3);
        switch (kind) {
            case 0, 1, 2, 3 -> {
                int c = channels();
                int[] sp = spatial(rank, rank == 3 ? 6 : 13);
                ConvSpec.Builder b = ConvSpec.builder(l).dtype(t).input(dims(l, n, c, sp)).kernel(spatial(rank, 5))
                        .strides(spatial(rank, 3)).dilations(chance(0.3) ? spatial(rank, 2) : new int[] {1})
                        .padding(padding(rank)).bias(chance(0.6)).relu(chance(0.4))
                        .filterLayout(Layout.filter(rank, chance(0.6)));
                int mode = rnd.nextInt(6);
                if (mode == 0) {
                    b.depthwise(pick(1, 1, 2, 3));
                } else if (mode == 1) {
                    int g = divisor(c);
                    b.groups(g).outChannels(g * between(1, 5));
                } else {
                    b.outChannels(chance(0.5) ? channels() : between(1, 140));
                }
                return b.build();
            }
            case 4 -> {
                int c = channels();
                int k = channels();
                int[] kern = spatial(rank, 4);
                int[] st = spatial(rank, 3);
                int[] dl = chance(0.3) ? spatial(rank, 2) : new int[] {1, 1, 1};
                Padding p = chance(0.5) ? Padding.SAME : Padding.VALID;
                int[] outSp = spatial(rank, 10);
                int[] inSp = new int[rank];
                for (int i = 0; i < rank; i++) {
                    inSp[i] = p.resolve("x", i, outSp[i], kern[i], st[i], dl[Math.min(i, dl.length - 1)])[0];
                }
                int[] dil = new int[rank];
                for (int i = 0; i < rank; i++) {
                    dil[i] = dl[Math.min(i, dl.length - 1)];
                }
                return ConvTransposeSpec.builder(l).dtype(t).input(dims(l, n, c, inSp)).outputShape(dims(l, n, k, outSp))
                        .kernel(kern).strides(st).dilations(dil).padding(p).bias(chance(0.5)).relu(chance(0.3))
                        .filterLayout(Layout.transposedFilter(rank, chance(0.5))).build();
            }
            case 5, 6 -> {
                int c = channels();
                if (chance(0.15)) {
                    int d = pick(2, 3, 4);
                    return PoolSpec.builder(PoolKind.MAX, l).dtype(t).input(dims(l, n, c * d, spatial(rank, 9)))
                            .depthWindow(d).build();
                }
                return PoolSpec.builder(chance(0.5) ? PoolKind.MAX : PoolKind.AVG, l).dtype(t)
                        .input(dims(l, n, c, spatial(rank, 13))).window(spatial(rank, 4)).strides(spatial(rank, 4))
                        .padding(chance(0.5) ? Padding.SAME : Padding.VALID).build();
            }
            case 7 -> {
                return new LrnSpec(t, l, dims(l, n, channels(), spatial(rank, 6)), between(0, 4),
                        (float) (0.5 + rnd.nextDouble() * 2), (float) (1e-4 + rnd.nextDouble() * 0.5),
                        lrnBeta());
            }
            case 8 -> {
                return new BatchNormSpec(t, l, dims(l, n, channels(), spatial(rank, 8)), 1e-3f, chance(0.5));
            }
            case 9 -> {
                return chance(0.5) ? new ReluSpec(t, l, dims(l, n, channels(), spatial(rank, 8)))
                        : new AddSpec(t, l, dims(l, n, channels(), spatial(rank, 8)), chance(0.5));
            }
            case 10 -> {
                int[] ch = new int[between(1, 3)];
                for (int i = 0; i < ch.length; i++) {
                    ch[i] = channels();
                }
                return new ConcatSpec(t, l, dims(l, n, ch[0], spatial(rank, 7)), ch);
            }
            case 11 -> {
                return new GlobalAvgPoolSpec(t, l, dims(l, n, channels(), spatial(rank, 12)));
            }
            case 12 -> {
                return new DenseSpec(t, between(1, 9), between(1, 90), between(1, 150), chance(0.5) ? Layout.IO : Layout.OI,
                        chance(0.6), chance(0.4));
            }
            default -> {
                if (chance(0.5)) {
                    return new SoftmaxSpec(t, Layout.NC, n, between(1, 200));
                }
                return new SoftmaxSpec(t, l, dims(l, n, channels(), spatial(rank, 6)));
            }
        }
    }

    private int divisor(int c) {
        List<Integer> d = new ArrayList<>();
        for (int i = 1; i <= c; i++) {
            if (c % i == 0) {
                d.add(i);
            }
        }
        return d.get(rnd.nextInt(d.size()));
    }

    /** Random values for a tensor spec. */
    float[] values(TensorSpec s) {
        float[] v = new float[(int) s.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = value();
        }
        return v;
    }
}
