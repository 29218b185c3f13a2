package org.conv4j.bench;

import java.util.concurrent.TimeUnit;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.Tensor;
import org.conv4j.cli.BenchShapes;
import org.conv4j.cli.WarmUp;
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
        // Until the time per call settles (C2), so JMH's own warm-up and measurement see compiled code. No newline:
        // the suite's progress line goes on after it.
        WarmUp.Result w = WarmUp.untilSettled(work::run, Double.parseDouble(System.getProperty(PREWARM_MIN, "1")),
                Double.parseDouble(System.getProperty(PREWARM_MAX, "10")));
        System.out.print(w + " ");
        System.out.flush();
    }

    /** System properties (seconds) bounding the pre-warm. */
    static final String PREWARM_MIN = "conv4j.bench.prewarmMin";
    static final String PREWARM_MAX = "conv4j.bench.prewarmMax";

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
