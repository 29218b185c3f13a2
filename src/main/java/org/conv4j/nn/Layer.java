package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConvSpec;
import org.conv4j.DenseSpec;
import org.conv4j.OpKind;
import org.conv4j.OpSpec;

/**
 * One node of a {@link Graph}: an operation of the library (or a zero-copy flatten) with its inputs, output and
 * the named parameters it reads. Parameter and multiply-add counts are the published way of counting: learned
 * parameters of the trained network (batch norm's scale and shift count, its running statistics do not), and
 * multiply-adds of convolutions and fully connected layers.
 */
public sealed interface Layer permits Layer.Conv, Layer.Dense, Layer.ScaleShift, Layer.Op, Layer.Flatten {
    String name();

    List<Value> inputs();

    Value output();

    /** The operation this layer runs; {@code null} for {@link Flatten}, which only reinterprets memory. */
    OpSpec spec();

    /** Parameters read from {@link Checkpoint}. */
    List<ParamDecl> params();

    /** Learned parameters, counted as the papers count them. */
    long parameterCount();

    /** Multiply-adds of one forward pass over the whole batch. */
    long multiplyAdds();

    /** Short type for summaries, e.g. {@code conv 3x3/2 +bn +relu}. */
    String type();

    /** True when the output may share the memory of its first input (element-wise operations). */
    default boolean canRunInPlace() {
        OpSpec s = spec();
        return s != null && (s.kind() == OpKind.RELU || s.kind() == OpKind.ADD || s.kind() == OpKind.BATCH_NORM);
    }

    /** Batch norm (inference statistics) that is folded into the preceding convolution's weights and bias. */
    record BatchNorm(String prefix, float epsilon, double initialScale) {
        public String weight() {
            return prefix + ".weight";
        }

        public String bias() {
            return prefix + ".bias";
        }

        public String mean() {
            return prefix + ".running_mean";
        }

        public String variance() {
            return prefix + ".running_var";
        }
    }

    /**
     * A convolution, optionally with a folded batch norm and a partial connection table ({@code connections[o][i]}
     * false: output map {@code o} does not see input map {@code i}; its filter taps are forced to zero and not
     * counted). The checkpoint filter is {@code OIHW}; it is converted to the spec's filter layout when compiled.
     */
    record Conv(String name, ConvSpec spec, Value input, Value output, String weightName, String biasName,
                BatchNorm batchNorm, boolean[][] connections) implements Layer {
        public Conv {
            if (connections != null) {
                if (spec.groups() != 1 || connections.length != spec.outChannels()) {
                    throw new IllegalArgumentException("connections: need one row per output map (" + spec.outChannels()
                            + ") and groups 1, got " + connections.length + " rows, groups " + spec.groups());
                }
                boolean[][] copy = new boolean[connections.length][];
                for (int o = 0; o < connections.length; o++) {
                    if (connections[o].length != spec.inChannels()) {
                        throw new IllegalArgumentException("connections[" + o + "]: need " + spec.inChannels()
                                + " entries, got " + connections[o].length);
                    }
                    copy[o] = connections[o].clone();
                }
                connections = copy;
            }
        }

        @Override
        public List<Value> inputs() {
            return List.of(input);
        }

        /** Filter taps per output map: kernel area times input maps of its group. */
        long tapsPerOutput() {
            long area = 1;
            for (int k : spec.kernel()) {
                area *= k;
            }
            return area * (spec.inChannels() / spec.groups());
        }

        /** Input maps connected to output maps, summed over outputs (all of them without a table). */
        long links() {
            if (connections == null) {
                return (long) spec.outChannels() * (spec.inChannels() / spec.groups());
            }
            long n = 0;
            for (boolean[] row : connections) {
                for (boolean b : row) {
                    n += b ? 1 : 0;
                }
            }
            return n;
        }

        @Override
        public List<ParamDecl> params() {
            int o = spec.outChannels();
            int[] k = spec.kernel();
            int[] shape = new int[2 + k.length];
            shape[0] = o;
            shape[1] = spec.inChannels() / spec.groups();
            System.arraycopy(k, 0, shape, 2, k.length);
            long area = tapsPerOutput() / shape[1];
            long fanIn = Math.max(1, links() * area / o);
            List<ParamDecl> p = new ArrayList<>();
            p.add(new ParamDecl(weightName, shape, ParamDecl.Init.HE_NORMAL, fanIn, (long) o * area, 1));
            if (biasName != null) {
                p.add(ParamDecl.zeros(biasName, o));
            }
            if (batchNorm != null) {
                p.add(ParamDecl.constant(batchNorm.weight(), o, batchNorm.initialScale()));
                p.add(ParamDecl.zeros(batchNorm.bias(), o));
                p.add(ParamDecl.zeros(batchNorm.mean(), o));
                p.add(ParamDecl.constant(batchNorm.variance(), o, 1));
            }
            return p;
        }

        @Override
        public long parameterCount() {
            long area = tapsPerOutput() / (spec.inChannels() / spec.groups());
            int o = spec.outChannels();
            return links() * area + (biasName != null ? o : 0) + (batchNorm != null ? 2L * o : 0);
        }

        @Override
        public long multiplyAdds() {
            long perTap = spec.outputShape().elementCount() / spec.outChannels();
            long area = tapsPerOutput() / (spec.inChannels() / spec.groups());
            return perTap * links() * area;
        }

        @Override
        public String type() {
            int[] k = spec.kernel();
            StringBuilder sb = new StringBuilder("conv ");
            for (int i = 0; i < k.length; i++) {
                sb.append(i == 0 ? "" : "x").append(k[i]);
            }
            sb.append('/').append(spec.strides()[0]);
            if (spec.groups() > 1) {
                sb.append(" g").append(spec.groups());
            }
            if (connections != null) {
                sb.append(" +table");
            }
            if (batchNorm != null) {
                sb.append(" +bn");
            }
            if (spec.relu()) {
                sb.append(" +relu");
            }
            return sb.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Conv c && c.name.equals(name) && c.spec.equals(spec)
                    && Arrays.deepEquals(c.connections, connections);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + spec.hashCode();
        }
    }

    /**
     * A fully connected layer with {@code OI} checkpoint weights. {@code flattenedChw} is {@code [C, H, W]} when the
     * input is a channels-last activation flattened in memory order ({@code h, w, c}), whose checkpoint columns
     * follow PyTorch's {@code c, h, w} flatten: compiling permutes them. It is {@code null} otherwise.
     */
    record Dense(String name, DenseSpec spec, Value input, Value output, String weightName, String biasName,
                 int[] flattenedChw) implements Layer {
        @Override
        public List<Value> inputs() {
            return List.of(input);
        }

        @Override
        public List<ParamDecl> params() {
            int in = spec.inFeatures();
            int out = spec.outFeatures();
            ParamDecl.Init init = spec.relu() ? ParamDecl.Init.HE_NORMAL : ParamDecl.Init.GLOROT_UNIFORM;
            List<ParamDecl> p = new ArrayList<>();
            p.add(new ParamDecl(weightName, new int[] {out, in}, init, in, out, 1));
            if (biasName != null) {
                p.add(ParamDecl.zeros(biasName, out));
            }
            return p;
        }

        @Override
        public long parameterCount() {
            return spec.cost().parameters();
        }

        @Override
        public long multiplyAdds() {
            return spec.cost().multiplyAdds();
        }

        @Override
        public String type() {
            return "dense" + (spec.relu() ? " +relu" : "");
        }
    }

    /**
     * LeNet-5's trainable subsampling tail: per map {@code y = coefficient * x + bias}, run as an inference batch
     * norm with mean 0, variance 1 and epsilon 0, optionally followed by ReLU.
     */
    record ScaleShift(String name, BatchNormSpec spec, Value input, Value output, String weightName, String biasName)
            implements Layer {
        @Override
        public List<Value> inputs() {
            return List.of(input);
        }

        @Override
        public List<ParamDecl> params() {
            int c = spec.shape().channels();
            return List.of(ParamDecl.constant(weightName, c, 1), ParamDecl.zeros(biasName, c));
        }

        @Override
        public long parameterCount() {
            return 2L * spec.shape().channels();
        }

        @Override
        public long multiplyAdds() {
            return 0;
        }

        @Override
        public String type() {
            return "scale+shift" + (spec.relu() ? " +relu" : "");
        }
    }

    /** An operation without parameters: pooling, LRN, ReLU, add, concat, global pooling, softmax. */
    record Op(String name, OpSpec spec, List<Value> inputs, Value output) implements Layer {
        public Op {
            inputs = List.copyOf(inputs);
        }

        @Override
        public List<ParamDecl> params() {
            return List.of();
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public long multiplyAdds() {
            return 0;
        }

        @Override
        public String type() {
            if (spec instanceof org.conv4j.PoolSpec p) {
                int[] w = p.window();
                return p.poolKind().name().toLowerCase(java.util.Locale.ROOT) + " pool " + w[0]
                        + (w.length > 1 ? "x" + w[1] : "") + "/" + p.strides()[0];
            }
            if (spec instanceof org.conv4j.AddSpec a) {
                return "add" + (a.relu() ? " +relu" : "");
            }
            return spec.kind().id();
        }
    }

    /** A zero-copy reshape of a spatial activation into {@code NC [N, features]} (memory order). */
    record Flatten(String name, Value input, Value output) implements Layer {
        @Override
        public List<Value> inputs() {
            return List.of(input);
        }

        @Override
        public OpSpec spec() {
            return null;
        }

        @Override
        public List<ParamDecl> params() {
            return List.of();
        }

        @Override
        public long parameterCount() {
            return 0;
        }

        @Override
        public long multiplyAdds() {
            return 0;
        }

        @Override
        public String type() {
            return "flatten (view)";
        }
    }
}
