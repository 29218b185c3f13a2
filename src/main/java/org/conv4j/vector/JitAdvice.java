package org.conv4j.vector;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one HotSpot setting that costs this engine speed by default, and the line that says so.
 *
 * <p>With {@code UseFPUForSpilling} (on by default on x86-64), C2 parks integer values it cannot keep in general
 * registers in free vector registers. The GEMM micro-kernels need one or two general registers more than x86-64
 * has (six row offsets, the two array bases, the loop bounds), and C2 places the moves back from the vector register
 * inside the hot loop: three {@code vmovq} per step in the six-row kernels, on the vector pipes the FMAs need.
 * The six-row, two-vector kernel ran at 97 GFLOP/s with it and 112 without (peak 117). No code shape tried here
 * (five-row kernels, a flat loop over a term table, shorter loops) kept C2 from it, so the flag is the fix.
 */
final class JitAdvice {
    /** The JVM flag this engine asks for. */
    static final String FLAG = "-XX:-UseFPUForSpilling";
    private static final String OPTION = "UseFPUForSpilling";
    private static final AtomicBoolean CHECKED = new AtomicBoolean();

    private JitAdvice() {
    }

    /** The hint for this value of {@code UseFPUForSpilling} ({@code null}: unknown), or null when there is none to give. */
    static String hint(String useFpuForSpilling) {
        if (!"true".equals(useFpuForSpilling)) {
            return null;
        }
        return "conv4j: engine '" + VectorEngineProvider.NAME + "' runs its convolutions up to 13% faster with "
                + FLAG + " (C2 otherwise moves integer loop values through vector registers inside the GEMM loops)";
    }

    /** The JVM's value of {@code UseFPUForSpilling}, or null where it has none (no C2, not HotSpot, no JMX). */
    static String current() {
        try {
            return ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(OPTION).getValue();
        } catch (RuntimeException | LinkageError e) {
            // IllegalArgumentException: no such option; LinkageError: jdk.management absent (jlinked runtime)
            return null;
        }
    }

    /**
     * Prints the hint on standard error when it applies. Checks once per process: every engine load calls this (tests
     * build many registries), and reading the option costs 5-12 ms the first time.
     */
    static void adviseOnce() {
        if (CHECKED.compareAndSet(false, true)) {
            String h = hint(current());
            if (h != null) {
                System.err.println(h);
            }
        }
    }
}
