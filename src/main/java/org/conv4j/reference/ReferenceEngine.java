package org.conv4j.reference;

import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Engine;
import org.conv4j.spi.Kernel;
import org.conv4j.spi.Support;

/**
 * The ground truth: plain scalar Java for every operation, written to be read. It widens every element to fp32
 * on load, accumulates sums in double (so it sits closer to the exact result than any engine under test) and
 * rounds once on store to the output dtype.
 */
public final class ReferenceEngine implements Engine {
    @Override
    public String name() {
        return ReferenceEngineProvider.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String description() {
        return "scalar Java, every operation and dtype, double accumulation";
    }

    @Override
    public Support supports(OpSpec spec) {
        return Support.yes();
    }

    @Override
    public Kernel prepare(OpSpec spec, Tensor[] params) {
        return switch (spec) {
            case ConvSpec s -> new ConvKernel(s, params);
            case ConvTransposeSpec s -> new ConvTransposeKernel(s, params);
            case PoolSpec s -> new PoolKernel(s);
            case LrnSpec s -> new LrnKernel(s);
            case BatchNormSpec s -> new BatchNormKernel(s, params);
            case ReluSpec s -> (in, out) -> Elementwise.relu(in[0], out);
            case AddSpec s -> (in, out) -> Elementwise.add(in[0], in[1], out, s.relu());
            case ConcatSpec s -> (in, out) -> Elementwise.concat(s, in, out);
            case GlobalAvgPoolSpec s -> (in, out) -> Elementwise.globalAvgPool(s, in[0], out);
            case DenseSpec s -> new DenseKernel(s, params);
            case SoftmaxSpec s -> (in, out) -> Elementwise.softmax(s, in[0], out);
        };
    }
}
