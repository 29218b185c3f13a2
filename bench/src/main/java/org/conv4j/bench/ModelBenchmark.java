package org.conv4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.conv4j.DType;
import org.conv4j.Tensor;
import org.conv4j.nn.Architectures;
import org.conv4j.nn.Graph;
import org.conv4j.nn.Model;
import org.conv4j.nn.ModelConfig;
import org.conv4j.nn.Session;
import org.conv4j.nn.Checkpoint;
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
 * A whole forward pass of one of the seed's networks (ResNet-34 at 224x224 by default) at batch 1 and 32: the
 * time of one {@link Session#run()} with weights prepared and the activation arena allocated once. Images per
 * second are {@code batch / time}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ModelBenchmark {
    @Param({"resnet34"})
    public String model;

    @Param({"1", "32"})
    public int batch;

    @Param({"auto"})
    public String engine;

    @Param({"f32"})
    public String dtype;

    @Param({"224"})
    public int size;

    private Model compiled;
    private Session session;

    @Setup
    public void setup() {
        ModelConfig c = Architectures.defaultConfig(model).withBatch(batch).withDType(DType.parse(dtype))
                .withSize(size, size);
        Graph g = Architectures.build(model, c);
        compiled = Model.compile(g, Checkpoint.random(g, 42), engine);
        session = compiled.newSession();
        float[] x = new float[(int) g.input().spec().elementCount()];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        session.input().copyFrom(x);
    }

    @Benchmark
    public Tensor forward() {
        session.run();
        return session.output();
    }

    @TearDown
    public void tearDown() {
        if (session != null) {
            session.close();
        }
        if (compiled != null) {
            compiled.close();
        }
    }
}
