package org.conv4j.bench;

import java.util.concurrent.TimeUnit;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.Tensor;
import org.conv4j.cli.BenchShapes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One operation of {@code shared/shapes.md} on one engine, dtype and intra-op thread count: the time of one
 * {@code apply} (inputs and weights already prepared, output preallocated).
 *
 * <p>{@link Suite} runs each combination in its own fork with {@code -Dconv4j.threads=N}; the {@code threads}
 * parameter records that count in the results and is checked against what the engines will read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class OpBenchmark {
    @Param({"R2"})
    public String shape;

    @Param({"reference"})
    public String engine;

    @Param({"f32"})
    public String dtype;

    @Param({"1"})
    public String threads;

    private Workload work;

    @Setup
    public void setup() {
        if (Conv4j.threads() != Integer.parseInt(threads)) {
            // Engines read conv4j.threads when they start; setting it here would be too late for some.
            throw new IllegalStateException("threads=" + threads + " but conv4j.threads in this JVM gives "
                    + Conv4j.threads() + ": start the fork with -Dconv4j.threads=" + threads);
        }
        work = new Workload(BenchShapes.byId(shape).spec(DType.parse(dtype)), engine);
        if (!work.op.engine().equals(engine)) {
            throw new IllegalStateException("asked for engine " + engine + ", got " + work.op.engine());
        }
        prewarm(work::run, Double.parseDouble(System.getProperty(PREWARM_MIN, "1")),
                Double.parseDouble(System.getProperty(PREWARM_MAX, "10")));
    }

    /** System properties (seconds) bounding {@link #prewarm}. */
    static final String PREWARM_MIN = "conv4j.bench.prewarmMin";
    static final String PREWARM_MAX = "conv4j.bench.prewarmMax";

    /**
     * Calls {@code op} until its time per call has settled, so that JMH's warm-up and measurement see C2's code:
     * Vector API kernels run 100x slower interpreted, and a single interpreted call of a large shape can take
     * seconds, longer than any fixed warm-up iteration. Settled means: at least {@code minSeconds} spent and the
     * median of the last 5 calls within 10% of the fastest call so far; never longer than {@code maxSeconds}.
     * Prints what it did.
     */
    static void prewarm(Runnable op, double minSeconds, double maxSeconds) {
        long start = System.nanoTime();
        double best = Double.MAX_VALUE;
        double[] last = new double[5];
        int calls = 0;
        double elapsed;
        boolean settled = false;
        do {
            long t0 = System.nanoTime();
            op.run();
            double ms = (System.nanoTime() - t0) / 1e6;
            best = Math.min(best, ms);
            last[calls % last.length] = ms;
            calls++;
            elapsed = (System.nanoTime() - start) / 1e9;
            if (calls >= last.length && elapsed >= minSeconds) {
                double[] sorted = last.clone();
                java.util.Arrays.sort(sorted);
                settled = sorted[last.length / 2] <= 1.10 * best;
            }
        } while (!settled && elapsed < maxSeconds);
        // No newline: the suite's progress line goes on after it.
        System.out.printf(java.util.Locale.ROOT, "pre-warm %d calls %.1f s%s ", calls, elapsed,
                settled ? "" : " (time limit, not settled)");
        System.out.flush();
    }

    @Benchmark
    public Tensor apply() {
        work.run();
        return work.output;
    }

    @TearDown
    public void tearDown() {
        if (work != null) {
            work.close();
        }
    }
}
