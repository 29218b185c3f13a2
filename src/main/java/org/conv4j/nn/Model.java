package org.conv4j.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.conv4j.ConvSpec;
import org.conv4j.Conv4j;
import org.conv4j.Layout;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.Tensor;

/**
 * A {@link Graph} compiled for inference: every layer prepared on an engine (chosen by {@code auto} or forced by
 * name), weights converted once (batch norm folded into the convolution before it, filters to the spec's layout,
 * partial connection tables applied, dense columns permuted to the flatten's memory order), and a
 * {@link MemoryPlan} for the activations. Run it through {@link #newSession()}; sessions may run on several
 * threads at once, one session per thread.
 *
 * <p>Compiled with a fused plan ({@link MemoryPlan#fused}), each convolution that only
 * an add reads is prepared with that add as one residual convolution ({@code ConvSpec.residual}, the add's ReLU
 * fused too): ResNet's units then run their last convolution, the skip sum and the ReLU in one operation, in
 * place over the skip where it dies. The fused convolution's own output then never exists.
 */
public final class Model implements AutoCloseable {
    private final Graph graph;
    private final MemoryPlan plan;
    private final Operation[] ops;
    private final Map<String, Integer> index = new LinkedHashMap<>();
    private volatile boolean closed;

    private Model(Graph graph, MemoryPlan plan, Operation[] ops) {
        this.graph = graph;
        this.plan = plan;
        this.ops = ops;
        for (int i = 0; i < graph.layers().size(); i++) {
            index.put(graph.layers().get(i).name(), i);
        }
    }

    /** The residual convolution running convolution layer {@code conv} and add layer {@code add} as one. */
    static ConvSpec fusedSpec(Layer.Conv conv, Layer add) {
        return conv.spec().withResidual(true).withRelu(((org.conv4j.AddSpec) add.spec()).relu());
    }

    /** Compiles with the default plan (sharing, in place) on {@code engine} ({@code null} or "auto": per op). */
    public static Model compile(Graph graph, Checkpoint weights, String engine) {
        return compile(graph, weights, engine, MemoryPlan.of(graph));
    }

    public static Model compile(Graph graph, Checkpoint weights, String engine, MemoryPlan plan) {
        String eng = engine == null ? "auto" : engine;
        return compile(graph, weights, spec -> eng, plan);
    }

    /**
     * Compiles with an engine chosen per operation by {@code engineFor} (an engine name or "auto"), e.g. a new
     * engine where it supports the operation and the reference engine elsewhere.
     */
    public static Model compile(Graph graph, Checkpoint weights, Function<OpSpec, String> engineFor, MemoryPlan plan) {
        Objects.requireNonNull(graph, "graph");
        Objects.requireNonNull(engineFor, "engineFor");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(plan, "plan");
        if (plan.graph() != graph || plan.dtype() != graph.dtype()) {
            throw new IllegalArgumentException("plan: made for " + plan.graph().name() + " " + plan.dtype().id()
                    + ", not for this graph " + graph.name() + " " + graph.dtype().id());
        }
        weights.check(graph);
        List<Layer> layers = graph.layers();
        Operation[] ops = new Operation[layers.size()];
        try {
            for (int i = 0; i < ops.length; i++) {
                Layer l = layers.get(i);
                if (plan.fusedInto(i) >= 0) {
                    ops[i] = null; // runs inside the add it is fused into
                } else if (plan.fusedConv(i) >= 0) {
                    Layer.Conv conv = (Layer.Conv) layers.get(plan.fusedConv(i));
                    ConvSpec spec = fusedSpec(conv, l);
                    ops[i] = prepareFused(conv, l, spec, weights, engineFor.apply(spec));
                } else {
                    ops[i] = l.spec() == null ? null : prepare(l, weights, engineFor.apply(l.spec()));
                }
            }
        } catch (RuntimeException | Error e) {
            for (Operation op : ops) {
                if (op != null) {
                    op.close();
                }
            }
            throw e;
        }
        return new Model(graph, plan, ops);
    }

    private static Operation prepare(Layer layer, Checkpoint w, String engine) {
        Tensor[] params = switch (layer) {
            case Layer.Conv c -> convParams(c, w);
            case Layer.Dense d -> denseParams(d, w);
            case Layer.ScaleShift s -> {
                int c = s.spec().shape().channels();
                float[] ones = new float[c];
                java.util.Arrays.fill(ones, 1f);
                yield new Tensor[] {vector(new float[c]), vector(ones), vector(w.get(s.weightName()).data()),
                        vector(w.get(s.biasName()).data())};
            }
            case Layer.Op o -> new Tensor[0];
            case Layer.Flatten f -> null;
        };
        if (params == null) {
            return null;
        }
        try {
            return Conv4j.prepare(layer.spec(), engine, params);
        } catch (RuntimeException e) {
            throw new IllegalStateException("layer '" + layer.name() + "' (" + layer.type() + "): " + e.getMessage(), e);
        } finally {
            for (Tensor t : params) {
                t.close();
            }
        }
    }

    private static Operation prepareFused(Layer.Conv conv, Layer add, ConvSpec spec, Checkpoint w, String engine) {
        Tensor[] params = convParams(conv, w);
        try {
            return Conv4j.prepare(spec, engine, params);
        } catch (RuntimeException e) {
            throw new IllegalStateException("layers '" + conv.name() + "' + '" + add.name() + "' (residual conv): "
                    + e.getMessage(), e);
        } finally {
            for (Tensor t : params) {
                t.close();
            }
        }
    }

    private static Tensor vector(float[] v) {
        return Tensor.of(v, Layout.X, v.length);
    }

    /** Folded filter (in the spec's filter layout) and bias of a convolution layer. */
    static Tensor[] convParams(Layer.Conv c, Checkpoint w) {
        ConvSpec spec = c.spec();
        int o = spec.outChannels();
        int in = spec.inChannels() / spec.groups();
        int kh = spec.kernel()[0];
        int kw = spec.kernel()[1];
        float[] src = w.get(c.weightName()).data();
        double[] scale = new double[o];
        double[] bias = new double[o];
        float[] convBias = c.biasName() == null ? null : w.get(c.biasName()).data();
        for (int k = 0; k < o; k++) {
            scale[k] = 1;
            bias[k] = convBias == null ? 0 : convBias[k];
        }
        if (c.batchNorm() != null) {
            Layer.BatchNorm bn = c.batchNorm();
            float[] gamma = w.get(bn.weight()).data();
            float[] beta = w.get(bn.bias()).data();
            float[] mean = w.get(bn.mean()).data();
            float[] var = w.get(bn.variance()).data();
            for (int k = 0; k < o; k++) {
                if (!(var[k] + (double) bn.epsilon() > 0)) {
                    throw new IllegalArgumentException(bn.variance() + "[" + k + "] = " + var[k]
                            + ": variance + epsilon must be positive");
                }
                scale[k] = gamma[k] / Math.sqrt(var[k] + (double) bn.epsilon());
                bias[k] = (bias[k] - mean[k]) * scale[k] + beta[k];
            }
        }
        boolean hwio = spec.filterLayout() == Layout.HWIO;
        float[] dst = new float[src.length];
        for (int k = 0; k < o; k++) {
            for (int i = 0; i < in; i++) {
                boolean linked = c.connections() == null || c.connections()[k][i];
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        int s = ((k * in + i) * kh + y) * kw + x;
                        int d = hwio ? ((y * kw + x) * in + i) * o + k : s;
                        dst[d] = linked ? (float) (src[s] * scale[k]) : 0f;
                    }
                }
            }
        }
        float[] b = new float[o];
        for (int k = 0; k < o; k++) {
            b[k] = (float) bias[k];
        }
        Tensor filter = Tensor.of(dst, spec.filterLayout(), spec.filterDims());
        return new Tensor[] {filter, vector(b)};
    }

    /** {@code IO} weights (columns in the input's memory order) and bias of a dense layer. */
    static Tensor[] denseParams(Layer.Dense d, Checkpoint w) {
        int in = d.spec().inFeatures();
        int out = d.spec().outFeatures();
        float[] src = w.get(d.weightName()).data();
        float[] dst = new float[src.length];
        int[] chw = d.flattenedChw();
        for (int j = 0; j < in; j++) {
            int col = j;
            if (chw != null) {
                // memory order (h, w, c) -> PyTorch's flatten order (c, h, w)
                int c = j % chw[0];
                int hw = j / chw[0];
                col = c * chw[1] * chw[2] + hw;
            }
            for (int k = 0; k < out; k++) {
                dst[j * out + k] = src[k * in + col];
            }
        }
        return new Tensor[] {Tensor.of(dst, Layout.IO, in, out), vector(w.get(d.biasName()).data())};
    }

    public Graph graph() {
        return graph;
    }

    public MemoryPlan plan() {
        return plan;
    }

    /**
     * The prepared operation of a layer; {@code null} for a flatten (a view). A convolution fused into an add
     * answers the add's residual convolution, which runs it.
     */
    public Operation operation(String layerName) {
        Integer i = index.get(layerName);
        if (i == null) {
            throw new IllegalArgumentException("layer '" + layerName + "' does not exist in " + graph.name());
        }
        int into = plan.fusedInto(i);
        return into >= 0 ? ops[into] : ops[i];
    }

    Operation operation(int layerIndex) {
        return ops[layerIndex];
    }

    /** The engine that runs a layer, {@code "view"} for a flatten. */
    public String engineOf(String layerName) {
        Operation op = operation(layerName);
        return op == null ? "view" : op.engine();
    }

    /** How many layers each engine runs. */
    public Map<String, Integer> engineCounts() {
        Map<String, Integer> m = new TreeMap<>();
        for (Operation op : ops) {
            if (op != null) {
                m.merge(op.engine(), 1, Integer::sum);
            }
        }
        return m;
    }

    /** The layers and why their engine was chosen. */
    public List<String> selections() {
        List<String> s = new ArrayList<>();
        for (int i = 0; i < ops.length; i++) {
            if (ops[i] != null) {
                s.add(graph.layers().get(i).name() + ": " + ops[i].selection());
            }
        }
        return s;
    }

    public Summary summary() {
        return Summary.of(graph, this);
    }

    /** Allocates one arena of {@link MemoryPlan#arenaBytes()} for a new session. */
    public Session newSession() {
        return newSession(plan);
    }

    /** A session laid out by another plan of the same graph and dtype (tests compare plans this way). */
    public Session newSession(MemoryPlan layout) {
        checkOpen();
        if (layout.graph() != graph || layout.dtype() != graph.dtype()) {
            throw new IllegalArgumentException("plan: made for " + layout.graph().name() + " " + layout.dtype().id()
                    + ", not for " + graph.name() + " " + graph.dtype().id());
        }
        if (!layout.sameSchedule(plan)) {
            throw new IllegalArgumentException("plan: " + layout + " fuses other layers than the plan the model was"
                    + " compiled for, " + plan);
        }
        return new Session(this, layout);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model " + graph.name() + " is closed");
        }
    }

    /** Frees every prepared operation. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Operation op : ops) {
            if (op != null) {
                op.close();
            }
        }
    }
}
