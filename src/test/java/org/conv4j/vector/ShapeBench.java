package org.conv4j.vector;

import java.util.LinkedHashMap;
import java.util.Map;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.OpSpec;
import org.conv4j.Padding;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * A quick harness (not JMH) for the conv shapes of shared/shapes.md on the vector engine: median GFLOP/s of
 * repeated runs after warm-up. Run from the repo root after {@code mvnw test-compile}:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes org.conv4j.vector.ShapeBench [threads] [dtype] [ids...]}
 */
public final class ShapeBench {
    private ShapeBench() {
    }

    static Map<String, ConvSpec> shapes(DType t) {
        Map<String, ConvSpec> m = new LinkedHashMap<>();
        m.put("S1", conv(t, 1, 150, 100, 3, 200, 5, 1, Padding.SAME, false));
        m.put("S2", conv(t, 2, 427, 640, 3, 2, 7, 2, Padding.SAME, false));
        m.put("R1", conv(t, 1, 224, 224, 3, 64, 7, 2, Padding.SAME, false));
        m.put("R2", conv(t, 1, 56, 56, 64, 64, 3, 1, Padding.SAME, false));
        m.put("R3", conv(t, 1, 28, 28, 128, 128, 3, 1, Padding.SAME, false));
        m.put("R4", conv(t, 1, 14, 14, 256, 256, 3, 1, Padding.SAME, false));
        m.put("R5", conv(t, 1, 7, 7, 512, 512, 3, 1, Padding.SAME, false));
        m.put("R6", conv(t, 1, 56, 56, 64, 256, 1, 1, Padding.SAME, false));
        m.put("R7", conv(t, 1, 56, 56, 256, 512, 1, 2, Padding.SAME, false));
        m.put("A1", conv(t, 1, 227, 227, 3, 96, 11, 4, Padding.VALID, false));
        m.put("G1", conv(t, 1, 28, 28, 16, 32, 5, 1, Padding.SAME, false));
        m.put("D1", conv(t, 1, 112, 112, 32, 32, 3, 1, Padding.SAME, true));
        m.put("B32", conv(t, 32, 56, 56, 64, 64, 3, 1, Padding.SAME, false));
        return m;
    }

    static ConvSpec conv(DType t, int n, int h, int w, int c, int k, int f, int s, Padding p, boolean dw) {
        ConvSpec.Builder b = ConvSpec.builder(Layout.NHWC).dtype(t).input(n, h, w, c).kernel(f, f).strides(s).padding(p);
        return (dw ? b.depthwise(1) : b.outChannels(k)).build();
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        DType t = args.length > 1 ? DType.parse(args[1]) : DType.F32;
        java.util.Set<String> only = new java.util.HashSet<>(java.util.Arrays.asList(args).subList(Math.min(2, args.length), args.length));
        VectorEngine e = new VectorEngine(0, threads);
        System.out.println("engine: " + e.description() + ", dtype " + t.id());
        Cases gen = new Cases(1);
        for (var en : shapes(t).entrySet()) {
            if (!only.isEmpty() && !only.contains(en.getKey())) {
                continue;
            }
            OpSpec spec = en.getValue();
            Tensor[] params = Diff.params(gen, spec);
            Tensor[] in = Diff.inputs(gen, spec);
            try (Kernel k = e.prepare(spec, params); Tensor out = spec.output().allocate(t)) {
                double flops = spec.cost().flops();
                int reps = (int) Math.max(3, Math.min(200, 3e9 / flops));
                // warm up long enough for C2 to compile the micro-kernels (several seconds on a busy machine)
                long warmEnd = System.nanoTime() + Long.getLong("bench.warmupMs", 6000) * 1_000_000L;
                while (System.nanoTime() < warmEnd) {
                    k.execute(in, out);
                }
                double[] gf = new double[7];
                for (int r = 0; r < gf.length; r++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) {
                        k.execute(in, out);
                    }
                    gf[r] = flops * reps / (System.nanoTime() - t0);
                }
                java.util.Arrays.sort(gf);
                System.out.printf("%-4s %8.2f GFLOP/s (median of 7; min %.2f max %.2f; %d reps of %.3f GFLOP)%n",
                        en.getKey(), gf[3], gf[0], gf[6], reps, flops / 1e9);
            } finally {
                Diff.close(params);
                Diff.close(in);
            }
        }
    }
}
