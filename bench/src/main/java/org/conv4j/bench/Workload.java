package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.Conv4j;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.Tensor;
import org.conv4j.TensorSpec;

/**
 * One benchmark case made concrete: the operation prepared on an engine, random inputs in [-1, 1) from a fixed
 * seed, and the output tensor. Tensors live in shared arenas, so multi-threaded engines may touch them.
 */
final class Workload implements AutoCloseable {
    final Operation op;
    final List<Tensor> inputs;
    final Tensor output;

    Workload(OpSpec spec, String engine) {
        SplittableRandom rnd = new SplittableRandom(42);
        List<Tensor> params = new ArrayList<>();
        List<Tensor> ins = new ArrayList<>();
        Tensor out = null;
        Operation prepared = null;
        try {
            for (TensorSpec p : spec.params()) {
                params.add(random(p, spec, rnd));
            }
            prepared = Conv4j.prepare(spec, engine, params.toArray(Tensor[]::new));
            for (TensorSpec in : spec.inputs()) {
                ins.add(random(in, spec, rnd));
            }
            out = spec.output().allocate(spec.dtype());
        } catch (RuntimeException | Error e) {
            ins.forEach(Tensor::close);
            if (out != null) {
                out.close();
            }
            if (prepared != null) {
                prepared.close();
            }
            throw e;
        } finally {
            // The operation keeps its own copy of the weights.
            params.forEach(Tensor::close);
        }
        this.op = prepared;
        this.inputs = List.copyOf(ins);
        this.output = out;
    }

    private static Tensor random(TensorSpec ts, OpSpec spec, SplittableRandom rnd) {
        Tensor t = ts.allocate(spec.dtype());
        float[] v = new float[Math.toIntExact(t.elementCount())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        t.copyFrom(v);
        return t;
    }

    void run() {
        op.apply(inputs, output);
    }

    @Override
    public void close() {
        op.close();
        inputs.forEach(Tensor::close);
        output.close();
    }
}
