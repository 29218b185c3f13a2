package org.conv4j.vector;

import org.conv4j.DType;
import org.conv4j.OpSpec;
import org.conv4j.cli.BenchShapes;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * A quick harness (not JMH) for the shapes of shared/shapes.md ({@link BenchShapes}) on the vector engine: median GFLOP/s of
 * repeated runs after warm-up. Run from the repo root after {@code mvnw test-compile}:
 * {@code java --add-modules jdk.incubator.vector -XX:-UseFPUForSpilling -cp target/classes:target/test-classes org.conv4j.vector.ShapeBench [threads] [dtype[,dtype...]] [ids...]}.
 * Several dtypes run every shape in each, one after the other in the same JVM, as an application that mixes them
 * would (JMH forks a JVM per shape and dtype, which hides what one kind of call does to another's compiled code).
 * With {@code -Dbench.compare=onednn} (and the dnnl jar on the class path, {@code -Dconv4j.threads} to match) it
 * alternates rounds with that engine and prints the per-round ratio, which survives a noisy machine better than
 * either number alone. {@code -Dbench.relu=true} runs the convolutions with ReLU fused.
 */
public final class ShapeBench {
    private ShapeBench() {
    }

    private static long time(Runnable r, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            r.run();
        }
        return System.nanoTime() - t0;
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        java.util.List<DType> dtypes = new java.util.ArrayList<>();
        for (String id : (args.length > 1 ? args[1] : "f32").split(",")) {
            dtypes.add(DType.parse(id));
        }
        java.util.Set<String> only = new java.util.HashSet<>(java.util.Arrays.asList(args).subList(Math.min(2, args.length), args.length));
        WindowKernel.Budgets d = WindowKernel.Budgets.DEFAULT;
        VectorEngine e = new VectorEngine(0, threads, new WindowKernel.Budgets(Integer.getInteger("bench.in", d.in()),
                Integer.getInteger("bench.out", d.out()), Integer.getInteger("bench.l1", d.l1())));
        System.out.println("engine: " + e.description() + ", dtype " + dtypes);
        Cases gen = new Cases(1);
        for (BenchShapes.Shape shape : BenchShapes.all()) {
            if (!only.isEmpty() && !only.contains(shape.id())) {
                continue;
            }
            for (DType t : dtypes) {
                OpSpec spec = shape.spec(t);
                if (Boolean.getBoolean("bench.relu") && spec instanceof org.conv4j.ConvSpec c) {
                    spec = c.withRelu(true); // the fused-ReLU variant of a convolution
                }
                Tensor[] params = Diff.params(gen, spec);
                Tensor[] in = Diff.inputs(gen, spec);
                String other = System.getProperty("bench.compare");
                try (Kernel k = e.prepare(spec, params); Tensor out = spec.output().allocate(t);
                     org.conv4j.Operation op = other == null ? null : org.conv4j.Conv4j.prepare(spec, other, params)) {
                    double flops = spec.cost().flops();
                    int reps = (int) Math.max(3, Math.min(200, 3e9 / flops));
                    Runnable mine = () -> k.execute(in, out);
                    Runnable theirs = op == null ? null : () -> op.apply(java.util.List.of(in), out);
                    // warm up long enough for C2 to compile the micro-kernels (several seconds on a busy machine)
                    long warmEnd = System.nanoTime() + Long.getLong("bench.warmupMs", 6000) * 1_000_000L;
                    while (System.nanoTime() < warmEnd) {
                        mine.run();
                        if (theirs != null) {
                            theirs.run();
                        }
                    }
                    int rounds = Integer.getInteger("bench.rounds", 7);
                    double[] gf = new double[rounds];
                    double[] go = new double[rounds];
                    double[] ratio = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        gf[r] = flops * reps / time(mine, reps);
                        if (theirs != null) {
                            go[r] = flops * reps / time(theirs, reps);
                            ratio[r] = gf[r] / go[r];
                        }
                    }
                    java.util.Arrays.sort(gf);
                    java.util.Arrays.sort(go);
                    java.util.Arrays.sort(ratio);
                    int mid = rounds / 2;
                    System.out.printf("%-4s%s %8.2f GFLOP/s (median of %d; min %.2f max %.2f; %d reps of %.3f GFLOP)%s%n",
                            shape.id(), dtypes.size() > 1 ? " " + t.id() : "", gf[mid], rounds, gf[0], gf[rounds - 1], reps, flops / 1e9,
                            theirs == null ? "" : String.format("  %s %.2f GFLOP/s (max %.2f), median per-round ratio %.2f",
                                    other, go[mid], go[rounds - 1], ratio[mid]));
                } finally {
                    Diff.close(params);
                    Diff.close(in);
                }
            }
        }
    }
}
