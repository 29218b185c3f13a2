package org.conv4j.vector;

import java.util.Random;

/**
 * What the GEMM micro-kernel reaches on its own, with nothing else in the way: the ceiling for every convolution
 * the Vector engine runs as a GEMM. A probe (not JMH, not a test), run from the repo root after {@code mvnw
 * test-compile}: {@code java --add-modules jdk.incubator.vector -XX:-UseFPUForSpilling -cp target/classes:target/test-classes
 * org.conv4j.vector.KernelCeiling [seconds]}.
 *
 * <p>Each case runs one reduction slice ({@code kc} steps, the engine's reduction slice for that panel width) over
 * {@code rows} rows of A: 5 or 6 rows keep A in L1 too (the kernel's own limit); 196 rows are R4's tile, with A
 * read from L2 as in the engine.
 */
public final class KernelCeiling {
    private KernelCeiling() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        Simd simd = SimdLoader.forBits(0);
        int lanes = simd.lanes();
        System.out.printf("micro-kernel ceiling, %d-bit vectors, %.1f s per case%n", simd.bits(), seconds);
        for (int nv = 4; nv >= 1; nv--) {
            int kc = Math.max(16, WindowKernel.KC_FLOATS / (nv * lanes));
            int block = nv == 4 ? 5 : 6;
            for (int rows : new int[] {block, 196}) {
                for (boolean first : new boolean[] {true, false}) {
                    double g = run(simd, nv, kc, rows, first, seconds);
                    System.out.printf("%d x %d vectors, kc %3d, %3d rows, %-22s %7.1f GFLOP/s%n", block, nv, kc, rows,
                            first ? "from zero" : "onto stored sums", g);
                }
            }
        }
    }

    private static double run(Simd simd, int nv, int kc, int rows, boolean first, double seconds) {
        int lanes = simd.lanes();
        int width = nv * lanes;
        Random r = new Random(1);
        float[] a = new float[rows * kc];
        float[] b = new float[kc * width];
        float[] bias = new float[width];
        float[] c = new float[rows * width];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat() - 0.5f;
        }
        int[] rowBase = new int[rows];
        for (int i = 0; i < rows; i++) {
            rowBase[i] = i * kc;
        }
        int[] segOff = {0};
        long flops = 2L * rows * kc * width;
        int reps = (int) Math.max(1, 2e8 / flops);
        long end = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < end) { // warm-up: C2 compiles the kernel
            simd.gemmRange(a, rowBase, 0, rows, null, segOff, kc, 0, kc, first, false, b, 0, nv, bias, 0, false, c, 0, width);
        }
        double best = 0;
        end = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                simd.gemmRange(a, rowBase, 0, rows, null, segOff, kc, 0, kc, first, false, b, 0, nv, bias, 0, false, c, 0, width);
            }
            best = Math.max(best, flops * (double) reps / (System.nanoTime() - t0));
        }
        if (!Float.isFinite(c[0])) {
            throw new AssertionError("sums overflowed");
        }
        return best;
    }
}
