package org.conv4j.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's fp32 FMA peak as Java reaches it: {@value #ACCUMULATORS} independent {@code FloatVector.fma} chains
 * of the preferred species, enough to cover the FMA latency times the number of FMA pipes, so the loop is bound
 * by FMA throughput alone. Run with N JMH threads it measures the peak of N cores (throughputs add up).
 *
 * <p>Each call performs {@link #flopsPerCall()} floating-point operations (2 per lane per FMA).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PeakBenchmark {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int ACCUMULATORS = 16;
    static final int STEPS = 2048;

    private float a;
    private float b;

    /** FLOPs of one {@link #fma()} call. */
    public static long flopsPerCall() {
        return 2L * SPECIES.length() * ACCUMULATORS * STEPS;
    }

    @Setup
    public void setup() {
        // acc = acc * a + b with |a| < 1 converges towards b / (1 - a): no overflow, no subnormals.
        a = 0.999f;
        b = 0.001f;
    }

    @Benchmark
    public float fma() {
        FloatVector va = FloatVector.broadcast(SPECIES, a);
        FloatVector vb = FloatVector.broadcast(SPECIES, b);
        FloatVector c0 = FloatVector.broadcast(SPECIES, 0.1f), c1 = c0.add(vb), c2 = c1.add(vb), c3 = c2.add(vb);
        FloatVector c4 = c3.add(vb), c5 = c4.add(vb), c6 = c5.add(vb), c7 = c6.add(vb);
        FloatVector c8 = c7.add(vb), c9 = c8.add(vb), c10 = c9.add(vb), c11 = c10.add(vb);
        FloatVector c12 = c11.add(vb), c13 = c12.add(vb), c14 = c13.add(vb), c15 = c14.add(vb);
        for (int i = 0; i < STEPS; i++) {
            c0 = c0.fma(va, vb);
            c1 = c1.fma(va, vb);
            c2 = c2.fma(va, vb);
            c3 = c3.fma(va, vb);
            c4 = c4.fma(va, vb);
            c5 = c5.fma(va, vb);
            c6 = c6.fma(va, vb);
            c7 = c7.fma(va, vb);
            c8 = c8.fma(va, vb);
            c9 = c9.fma(va, vb);
            c10 = c10.fma(va, vb);
            c11 = c11.fma(va, vb);
            c12 = c12.fma(va, vb);
            c13 = c13.fma(va, vb);
            c14 = c14.fma(va, vb);
            c15 = c15.fma(va, vb);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7)
                .add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
