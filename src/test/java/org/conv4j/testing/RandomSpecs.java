package org.conv4j.testing;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
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
import org.conv4j.OpKind;
import org.conv4j.OpSpec;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;
import org.conv4j.TensorSpec;

/**
 * Seeded random generator of valid operation cases (spec, parameter values, input values) for differential tests.
 * Every engine's tests draw from here, so they all face the same shapes. Sizes stay small so the reference engine
 * runs thousands of cases in seconds, and each case leans towards one of the traps the issues name: 1x1 images,
 * filters larger than the input under SAME, strides larger than the filter, prime channel counts, batches above 1.
 */
public final class RandomSpecs {
    /** The trap a case leans towards (cycled by case index). */
    public enum Flavor { PLAIN, ONE_BY_ONE_IMAGE, FILTER_LARGER_THAN_INPUT, STRIDE_LARGER_THAN_FILTER, PRIME_CHANNELS, BATCHED }

    private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    private static final int[] CHANNELS = {1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 24, 32};

    /** One generated case; values are in memory order of each tensor. */
    public record Case(int index, long seed, Flavor flavor, OpSpec spec, List<float[]> params, List<float[]> inputs) {
        /** Self-owned parameter tensors in the spec's dtype (the caller closes them). */
        public Tensor[] paramTensors() {
            List<TensorSpec> specs = spec.params();
            Tensor[] t = new Tensor[specs.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = Tensor.of(params.get(i), spec.dtype(), specs.get(i).layout(), specs.get(i).dims());
            }
            return t;
        }

        /** Self-owned input tensors (the caller closes them). */
        public Tensor[] inputTensors() {
            List<TensorSpec> specs = spec.inputs();
            Tensor[] t = new Tensor[specs.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = Tensor.of(inputs.get(i), spec.dtype(), specs.get(i).layout(), specs.get(i).dims());
            }
            return t;
        }

        @Override
        public String toString() {
            return "case " + index + " (seed " + seed + ", " + flavor + "): " + spec;
        }
    }

    private RandomSpecs() {
    }

    /** {@code count} cases over every operation kind and dtype. */
    public static List<Case> generate(long seed, int count) {
        return generate(seed, count, EnumSet.allOf(OpKind.class), EnumSet.allOf(DType.class));
    }

    /** {@code count} cases cycling through {@code kinds}, with dtypes drawn from {@code dtypes}. */
    public static List<Case> generate(long seed, int count, Set<OpKind> kinds, Set<DType> dtypes) {
        List<OpKind> k = new ArrayList<>(kinds);
        List<DType> d = new ArrayList<>(dtypes);
        List<Case> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long caseSeed = seed * 1_000_003L + i;
            Random r = new Random(caseSeed);
            Flavor flavor = Flavor.values()[i % Flavor.values().length];
            out.add(one(i, caseSeed, r, k.get(i % k.size()), d.get(r.nextInt(d.size())), flavor));
        }
        return out;
    }

    /** Rebuilds case {@code index} of a run with {@code seed} (to reproduce a failure). */
    public static Case one(int index, long caseSeed, Random r, OpKind kind, DType dtype, Flavor flavor) {
        OpSpec spec = switch (kind) {
            case CONV -> conv(r, dtype, flavor);
            case CONV_TRANSPOSE -> convTranspose(r, dtype, flavor);
            case POOL -> pool(r, dtype, flavor);
            case LRN -> {
                Act a = act(r, flavor);
                yield new LrnSpec(dtype, a.layout, a.dims(), r.nextInt(4), 0.5f + r.nextFloat() * 1.5f,
                        1e-4f + r.nextFloat() * 0.5f, 0.5f + r.nextFloat() * 0.5f);
            }
            case BATCH_NORM -> {
                Act a = act(r, flavor);
                yield new BatchNormSpec(dtype, a.layout, a.dims(), 1e-5f + r.nextFloat() * 1e-3f, r.nextBoolean());
            }
            case RELU -> {
                Act a = act(r, flavor);
                yield new ReluSpec(dtype, a.layout, a.dims());
            }
            case ADD -> {
                Act a = act(r, flavor);
                yield new AddSpec(dtype, a.layout, a.dims(), r.nextBoolean());
            }
            case CONCAT -> {
                Act a = act(r, flavor);
                int parts = 1 + r.nextInt(4);
                int[] ch = new int[parts];
                for (int i = 0; i < parts; i++) {
                    ch[i] = channels(r, flavor);
                }
                yield new ConcatSpec(dtype, a.layout, a.with(ch[0]).dims(), ch);
            }
            case GLOBAL_AVG_POOL -> {
                Act a = act(r, flavor);
                yield new GlobalAvgPoolSpec(dtype, a.layout, a.dims());
            }
            case DENSE -> new DenseSpec(dtype, batch(r, flavor), 1 + r.nextInt(48), 1 + r.nextInt(24),
                    r.nextBoolean() ? Layout.IO : Layout.OI, r.nextBoolean(), r.nextBoolean());
            case SOFTMAX -> {
                if (r.nextBoolean()) {
                    yield new SoftmaxSpec(dtype, Layout.NC, batch(r, flavor), 1 + r.nextInt(40));
                }
                Act a = act(r, flavor);
                yield new SoftmaxSpec(dtype, a.layout, a.dims());
            }
        };
        List<float[]> params = new ArrayList<>();
        List<String> names = spec.paramNames();
        for (int i = 0; i < spec.params().size(); i++) {
            params.add(paramValues(r, spec, names.get(i), spec.params().get(i)));
        }
        List<float[]> inputs = new ArrayList<>();
        for (TensorSpec t : spec.inputs()) {
            inputs.add(uniform(r, (int) t.elementCount(), 1f));
        }
        return new Case(index, caseSeed, flavor, spec, params, inputs);
    }

    /** An activation shape: layout, batch, channels, spatial. */
    private record Act(Layout layout, int batch, int channels, int[] spatial) {
        int[] dims() {
            return layout.activationDims(batch, channels, spatial);
        }

        Act with(int c) {
            return new Act(layout, batch, c, spatial);
        }
    }

    private static Act act(Random r, Flavor f) {
        int rank = r.nextInt(10) < 7 ? 2 : (r.nextBoolean() ? 1 : 3);
        return act(r, f, rank);
    }

    private static Act act(Random r, Flavor f, int rank) {
        Layout layout = Layout.activation(rank, r.nextInt(3) != 0);
        int[] s = new int[rank];
        int max = rank == 3 ? 6 : rank == 2 ? 12 : 24;
        for (int i = 0; i < rank; i++) {
            s[i] = f == Flavor.ONE_BY_ONE_IMAGE ? 1 : 1 + r.nextInt(max);
        }
        return new Act(layout, batch(r, f), channels(r, f), s);
    }

    private static int batch(Random r, Flavor f) {
        return f == Flavor.BATCHED ? 2 + r.nextInt(3) : (r.nextInt(4) == 0 ? 2 : 1);
    }

    private static int channels(Random r, Flavor f) {
        return f == Flavor.PRIME_CHANNELS ? PRIMES[r.nextInt(PRIMES.length)] : CHANNELS[r.nextInt(CHANNELS.length)];
    }

    private static ConvSpec conv(Random r, DType dtype, Flavor f) {
        for (int attempt = 0; ; attempt++) {
            Act a = act(r, f);
            int rank = a.spatial.length;
            int[] k = new int[rank];
            int[] st = new int[rank];
            int[] dl = new int[rank];
            for (int i = 0; i < rank; i++) {
                int maxK = rank == 3 ? 3 : 5;
                k[i] = f == Flavor.FILTER_LARGER_THAN_INPUT ? a.spatial[i] + 1 + r.nextInt(3) : 1 + r.nextInt(maxK);
                st[i] = f == Flavor.STRIDE_LARGER_THAN_FILTER ? k[i] + 1 + r.nextInt(2) : 1 + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
                dl[i] = r.nextInt(4) == 0 ? 2 + r.nextInt(2) : 1;
            }
            Padding p = padding(r, f, a.spatial, k, dl);
            ConvSpec.Builder b = ConvSpec.builder(a.layout).input(a.dims()).kernel(k).strides(st).dilations(dl)
                    .padding(p).bias(r.nextBoolean()).relu(r.nextBoolean()).dtype(dtype)
                    .filterLayout(Layout.filter(rank, r.nextBoolean()));
            int kind = r.nextInt(6);
            if (kind == 0) {
                b.depthwise(1 + r.nextInt(3));
            } else if (kind == 1) {
                int g = divisorOf(r, a.channels);
                b.groups(g).outChannels(g * (1 + r.nextInt(3)));
            } else {
                b.outChannels(channels(r, f));
            }
            // A residual sum in a third of the cases (drawn last, so the shapes of every case stay what they were)
            b.residual(r.nextInt(3) == 0);
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                if (attempt > 50) {
                    throw e;
                }
            }
        }
    }

    private static ConvTransposeSpec convTranspose(Random r, DType dtype, Flavor f) {
        for (int attempt = 0; ; attempt++) {
            Act a = act(r, f);
            int rank = a.spatial.length;
            int[] k = new int[rank];
            int[] st = new int[rank];
            int[] dl = new int[rank];
            int[] outSpatial = new int[rank];
            boolean same = r.nextBoolean();
            for (int i = 0; i < rank; i++) {
                k[i] = 1 + r.nextInt(rank == 3 ? 3 : 4);
                st[i] = f == Flavor.STRIDE_LARGER_THAN_FILTER ? k[i] + 1 : 1 + r.nextInt(3);
                dl[i] = r.nextInt(5) == 0 ? 2 : 1;
                int in = a.spatial[i];
                int keff = (k[i] - 1) * dl[i] + 1;
                if (same) { // ceil(out / s) == in
                    outSpatial[i] = (in - 1) * st[i] + 1 + r.nextInt(st[i]);
                } else { // ceil((out - keff + 1) / s) == in
                    outSpatial[i] = (in - 1) * st[i] + keff + r.nextInt(st[i]);
                }
            }
            try {
                return ConvTransposeSpec.builder(a.layout).input(a.dims())
                        .outputShape(a.layout.activationDims(a.batch, channels(r, f), outSpatial)).kernel(k).strides(st)
                        .dilations(dl).padding(same ? Padding.SAME : Padding.VALID).bias(r.nextBoolean())
                        .relu(r.nextBoolean()).dtype(dtype).filterLayout(Layout.transposedFilter(rank, r.nextBoolean()))
                        .build();
            } catch (IllegalArgumentException e) {
                if (attempt > 50) {
                    throw e;
                }
            }
        }
    }

    private static PoolSpec pool(Random r, DType dtype, Flavor f) {
        for (int attempt = 0; ; attempt++) {
            Act a = act(r, f);
            int rank = a.spatial.length;
            PoolKind kind = r.nextBoolean() ? PoolKind.MAX : PoolKind.AVG;
            if (kind == PoolKind.MAX && r.nextInt(8) == 0) {
                int d = 2 + r.nextInt(2);
                return PoolSpec.builder(kind, a.layout).input(a.with(a.channels * d).dims()).depthWindow(d).dtype(dtype).build();
            }
            int[] w = new int[rank];
            int[] st = new int[rank];
            int[] ones = new int[rank];
            for (int i = 0; i < rank; i++) {
                w[i] = f == Flavor.FILTER_LARGER_THAN_INPUT ? a.spatial[i] + 1 : 1 + r.nextInt(4);
                st[i] = f == Flavor.STRIDE_LARGER_THAN_FILTER ? w[i] + 1 : 1 + r.nextInt(3);
                ones[i] = 1;
            }
            Padding p = padding(r, f, a.spatial, w, ones);
            try {
                return PoolSpec.builder(kind, a.layout).input(a.dims()).window(w).strides(st).padding(p).dtype(dtype).build();
            } catch (IllegalArgumentException e) {
                if (attempt > 50) {
                    throw e;
                }
            }
        }
    }

    /** SAME, VALID when the window fits, or explicit pads smaller than the window. */
    private static Padding padding(Random r, Flavor f, int[] in, int[] k, int[] dl) {
        int choice = f == Flavor.FILTER_LARGER_THAN_INPUT ? 0 : r.nextInt(3);
        boolean fits = true;
        for (int i = 0; i < in.length; i++) {
            fits &= (k[i] - 1) * dl[i] + 1 <= in[i];
        }
        if (choice == 1 && fits) {
            return Padding.VALID;
        }
        if (choice == 2) {
            int[] b = new int[in.length];
            int[] e = new int[in.length];
            boolean ok = true;
            for (int i = 0; i < in.length; i++) {
                b[i] = r.nextInt(k[i]);
                e[i] = r.nextInt(k[i]);
                ok &= in[i] + b[i] + e[i] >= (k[i] - 1) * dl[i] + 1;
            }
            if (ok) {
                return Padding.explicit(b, e);
            }
        }
        return Padding.SAME;
    }

    private static int divisorOf(Random r, int n) {
        List<Integer> ds = new ArrayList<>();
        for (int d = 1; d <= n; d++) {
            if (n % d == 0) {
                ds.add(d);
            }
        }
        return ds.get(r.nextInt(ds.size()));
    }

    private static float[] paramValues(Random r, OpSpec spec, String name, TensorSpec t) {
        int n = (int) t.elementCount();
        return switch (name) {
            case "variance" -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = 0.1f + 2f * r.nextFloat();
                }
                yield v;
            }
            case "filter", "weights" -> {
                long fanIn = Math.max(1, t.elementCount() / Math.max(1, spec.output().extent('C')));
                yield uniform(r, n, (float) (1.0 / Math.sqrt(fanIn)));
            }
            default -> uniform(r, n, 1f);
        };
    }

    private static float[] uniform(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }
}
