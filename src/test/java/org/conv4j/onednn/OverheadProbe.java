package org.conv4j.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Engine;
import org.conv4j.spi.Kernel;

/**
 * Times the oneDNN engine per call with the method of the C baseline (bench's native/baseline and a tiny-conv C
 * program): at least 1 s and 3 runs of warm-up, then 9 samples of about 0.2 s, each the mean of back-to-back calls;
 * prints the median and the spread in microseconds. Not a unit test (no timing assertions): run by hand, e.g.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Dconv4j.threads=1 -cp target/classes:target/test-classes:DNNL_JAR \
 *     org.conv4j.onednn.OverheadProbe T0,R2,B32 f32,bf16
 * </pre>
 *
 * For each shape it times {@code Operation.apply} (conv4j's per-call validation plus the kernel) and the kernel
 * alone ({@code Kernel.execute}: the FFM calls set_data_handle x2, execute, stream_wait). With
 * {@code -Dconv4j.probe.cloop=/path/libloop.so} (a C function {@code double c_loop(prim, stream, nargs, args,
 * src_mem, dst_mem, src, dst, reps)} making the same four calls: {@code native/probe/cloop.c}, built by
 * {@code make -C native probe} into {@code native/build/libcloop.so}) it runs {@link #paired} instead. The C loop
 * sets both data handles every call; conv4j sets them only when a tensor changed.
 */
public final class OverheadProbe {
    private OverheadProbe() {
    }

    static OpSpec shape(String id, DType t) {
        return switch (id) {
            case "T0" -> conv(t, 1, 4, 4, 8, 8, 3, 1, Padding.SAME);
            case "S1" -> conv(t, 1, 150, 100, 3, 200, 5, 1, Padding.SAME);
            case "S2" -> conv(t, 2, 427, 640, 3, 2, 7, 2, Padding.SAME);
            case "R1" -> conv(t, 1, 224, 224, 3, 64, 7, 2, Padding.SAME);
            case "R2" -> conv(t, 1, 56, 56, 64, 64, 3, 1, Padding.SAME);
            case "R3" -> conv(t, 1, 28, 28, 128, 128, 3, 1, Padding.SAME);
            case "R4" -> conv(t, 1, 14, 14, 256, 256, 3, 1, Padding.SAME);
            case "R5" -> conv(t, 1, 7, 7, 512, 512, 3, 1, Padding.SAME);
            case "R6" -> conv(t, 1, 56, 56, 64, 256, 1, 1, Padding.SAME);
            case "R7" -> conv(t, 1, 56, 56, 256, 512, 1, 2, Padding.SAME);
            case "A1" -> conv(t, 1, 227, 227, 3, 96, 11, 4, Padding.VALID);
            case "G1" -> conv(t, 1, 28, 28, 16, 32, 5, 1, Padding.SAME);
            case "D1" -> ConvSpec.builder(Layout.NHWC).input(1, 112, 112, 32).kernel(3, 3).depthwise(1)
                    .padding(Padding.SAME).dtype(t).build();
            case "B32" -> conv(t, 32, 56, 56, 64, 64, 3, 1, Padding.SAME);
            case "P1" -> PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(1, 112, 112, 64).window(3).strides(2)
                    .padding(Padding.SAME).dtype(t).build();
            case "P2" -> PoolSpec.builder(PoolKind.AVG, Layout.NHWC).input(32, 7, 7, 2048).window(7).strides(1)
                    .padding(Padding.VALID).dtype(t).build();
            case "P3" -> PoolSpec.builder(PoolKind.MAX, Layout.NHWC).input(2, 427, 640, 3).window(2).strides(2)
                    .padding(Padding.VALID).dtype(t).build();
            case "L1" -> new LrnSpec(t, Layout.NHWC, new int[] {1, 55, 55, 96}, 2, 1f, 2e-5f, 0.75f);
            default -> throw new IllegalArgumentException("unknown shape " + id);
        };
    }

    static ConvSpec conv(DType t, int n, int h, int w, int c, int k, int f, int s, Padding p) {
        return ConvSpec.builder(Layout.NHWC).input(n, h, w, c).kernel(f, f).outChannels(k).strides(s).padding(p)
                .dtype(t).build();
    }

    /** Median, min and max microseconds per call of {@code call}. */
    static double[] time(Runnable call) {
        int runs = 0;
        long t0 = System.nanoTime();
        long t;
        do {
            call.run();
            runs++;
            t = System.nanoTime();
        } while (runs < 3 || t - t0 < 1_000_000_000L);
        long reps = Math.max(1, (long) (0.2e9 / ((double) (t - t0) / runs)));
        double[] us = new double[9];
        for (int i = 0; i < us.length; i++) {
            long a = System.nanoTime();
            for (long r = 0; r < reps; r++) {
                call.run();
            }
            us[i] = (System.nanoTime() - a) / 1e3 / reps;
        }
        Arrays.sort(us);
        return new double[] {us[us.length / 2], us[0], us[us.length - 1], reps};
    }

    /** {@code c_loop} of the probe's C helper (see the class comment), or null. */
    private static MethodHandle cLoop;

    /**
     * Alternates, in one process and on one primitive, samples of the C loop making conv4j's per-call native
     * calls, of {@code Kernel.execute} and of {@code Operation.apply}; noise from other processes then hits all
     * three alike. Prints medians and the median of the paired differences, in nanoseconds per call.
     */
    static void paired(String id, String dt, String impl, DnnlKernel k, Operation op, Tensor x, Tensor y) {
        DnnlKernel.CallHandles h = k.callHandles();
        Tensor[] in = {x};
        time(() -> op.apply(x, y));
        double perCall = time(() -> k.execute(in, y))[0] * 1e3;
        long reps = Math.max(1, (long) (5e6 / perCall)); // samples of about 5 ms, so that noise hits all paths alike
        // About 6 s per shape: 201 samples for small shapes, fewer (at least 15) for long calls.
        int samples = (int) Math.max(15, Math.min(201, 6e9 / (3 * reps * perCall)));
        double[][] t = new double[3][samples]; // C, kernel, apply
        for (int i = 0; i < samples; i++) {
            for (int step = 0; step < 3; step++) {
                int path = (i + step) % 3; // rotate the order: no path always runs first
                long t0 = System.nanoTime();
                if (path == 0) {
                    try {
                        double ns = (double) cLoop.invokeExact(h.primitive(), h.stream(), h.nargs(), h.args(),
                                h.userMemories()[0], h.userMemories()[1], x.segment(), y.segment(), reps);
                        if (ns < 0) {
                            throw new IllegalStateException("c_loop failed with status " + (-ns));
                        }
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                } else if (path == 1) {
                    for (long r = 0; r < reps; r++) {
                        k.execute(in, y);
                    }
                } else {
                    for (long r = 0; r < reps; r++) {
                        op.apply(x, y);
                    }
                }
                t[path][i] = (double) (System.nanoTime() - t0) / reps;
            }
        }
        double[] dk = new double[samples];
        double[] da = new double[samples];
        for (int i = 0; i < samples; i++) {
            dk[i] = t[1][i] - t[0][i];
            da[i] = t[2][i] - t[0][i];
        }
        double c = median(t[0]);
        System.out.printf("%s,%s,%d,paired-ns,C=%.1f,kernel=%.1f,apply=%.1f,kernel-C=%.1f,apply-C=%.1f,"
                + "apply-C/C=%.3f%%,minC=%.1f,minKernel=%.1f,minApply=%.1f,reps=%d,samples=%d,%s%n", id, dt,
                Conv4j.threads(), c, median(t[1]), median(t[2]), median(dk), median(da), 100 * median(da) / c,
                min(t[0]), min(t[1]), min(t[2]), reps, samples, impl);
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    public static void main(String[] args) {
        String[] ids = (args.length > 0 ? args[0] : "T0").split(",");
        String[] dts = (args.length > 1 ? args[1] : "f32").split(",");
        Engine engine = Conv4j.engines().stream().filter(s -> s.name().equals("onednn") && s.available())
                .findFirst().orElseThrow(() -> new IllegalStateException("onednn unavailable")).engine();
        // After the engine loaded libdnnl.so.3: the helper links against it by soname.
        String lib = System.getProperty("conv4j.probe.cloop");
        if (lib != null) {
            var fn = SymbolLookup.libraryLookup(Path.of(lib), Arena.global()).find("c_loop").orElseThrow();
            cLoop = Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG));
        }
        System.out.println("# " + engine.description());
        System.out.println("id,dtype,threads,path,us_median,us_min,us_max,reps,impl");
        Random r = new Random(1);
        for (String id : ids) {
            for (String dt : dts) {
                DType t = DType.parse(dt);
                OpSpec spec = shape(id, t);
                List<Tensor> params = new ArrayList<>();
                for (var p : spec.params()) {
                    Tensor pt = p.allocate(t);
                    OneDnnConcurrencyTest.fill(pt, r);
                    params.add(pt);
                }
                Tensor[] ps = params.toArray(Tensor[]::new);
                try (Tensor x = spec.inputs().get(0).allocate(t);
                     Tensor y = spec.output().allocate(t);
                     Operation op = Conv4j.prepare(spec, "onednn", ps)) {
                    OneDnnConcurrencyTest.fill(x, r);
                    String impl = engine.supports(spec).reason();
                    Kernel k = engine.prepare(spec, ps);
                    Tensor[] in = {x};
                    try {
                        if (cLoop != null) {
                            paired(id, dt, impl, (DnnlKernel) k, op, x, y);
                        } else {
                            for (int round = 0; round < 2; round++) {
                                print(id, dt, "apply", time(() -> op.apply(x, y)), impl);
                                print(id, dt, "kernel", time(() -> k.execute(in, y)), impl);
                            }
                        }
                    } finally {
                        k.close();
                    }
                } finally {
                    params.forEach(Tensor::close);
                }
            }
        }
    }

    private static void print(String id, String dt, String path, double[] t, String impl) {
        System.out.printf("%s,%s,%d,%s,%.4f,%.4f,%.4f,%d,%s%n", id, dt, Conv4j.threads(), path, t[0], t[1], t[2],
                (long) t[3], impl);
    }
}
