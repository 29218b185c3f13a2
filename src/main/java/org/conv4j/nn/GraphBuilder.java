package org.conv4j.nn;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.conv4j.ActivationShape;
import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.Layout;
import org.conv4j.LrnSpec;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.TensorSpec;

/**
 * Builds a {@link Graph} layer by layer. Every call builds the library's op spec for the current shapes (so a
 * shape error surfaces at the layer that causes it) and returns the layer's output value: a sequential chain is
 * consecutive calls, branches reuse a value, {@link #concat} joins branches in depth and {@link #add} closes a
 * skip connection. Layer names must be unique; parameter names follow PyTorch's {@code state_dict} keys.
 */
public final class GraphBuilder {
    /** Epsilon of the batch norms folded into convolutions (PyTorch's default). */
    public static final float BN_EPSILON = 1e-5f;

    private final String name;
    private final DType dtype;
    private final Layout layout;
    private final Value input;
    private final List<Layer> layers = new ArrayList<>();
    private final List<Value> values = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /**
     * @param layout activation layout of every spatial layer (NHWC or NCHW)
     * @param dims   input dims in that layout's order
     */
    public GraphBuilder(String name, DType dtype, Layout layout, int... dims) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.layout = Objects.requireNonNull(layout, "layout");
        if (layout != Layout.NHWC && layout != Layout.NCHW) {
            throw new IllegalArgumentException("layout: models are 2-D, NHWC or NCHW, was " + layout);
        }
        ActivationShape.of("input", layout, dims);
        this.input = newValue("input", new TensorSpec(dtype, layout, dims));
        names.add("input");
    }

    public Value input() {
        return input;
    }

    public DType dtype() {
        return dtype;
    }

    public Layout layout() {
        return layout;
    }

    private Value newValue(String producer, TensorSpec spec) {
        Value v = new Value(values.size(), producer, spec);
        values.add(v);
        return v;
    }

    private void claim(String layerName) {
        if (layerName == null || layerName.isBlank()) {
            throw new IllegalArgumentException("name: a layer needs a name");
        }
        if (!names.add(layerName)) {
            throw new IllegalArgumentException("name: layer '" + layerName + "' already exists in " + name);
        }
    }

    private void owned(Value v) {
        if (v == null || v.id() >= values.size() || values.get(v.id()) != v) {
            throw new IllegalArgumentException("value " + v + " does not belong to graph " + name);
        }
    }

    private static ActivationShape spatial(String what, Value v) {
        ActivationShape s = ActivationShape.of(what, v.spec().layout(), v.spec().dims());
        if (s.spatialRank() != 2) {
            throw new IllegalArgumentException(what + ": needs a 2-D activation, got " + v.spec().describe());
        }
        return s;
    }

    /** Builds a spec, naming the layer in any shape error. */
    private static <T> T named(String layer, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("layer '" + layer + "': " + e.getMessage(), e);
        }
    }

    private Value finish(Layer layer) {
        layers.add(layer);
        return layer.output();
    }

    private ConvSpec convSpec(Value in, int outChannels, int kernel, int stride, Padding padding, int groups,
                              boolean bias, boolean relu) {
        owned(in);
        spatial("input", in);
        return ConvSpec.builder(layout).dtype(dtype).input(in.dims()).kernel(kernel, kernel).outChannels(outChannels)
                .strides(stride).padding(padding).groups(groups).bias(bias).relu(relu)
                .filterLayout(Layout.filter(2, layout.channelsLast())).build();
    }

    /** A convolution with bias ({@code name.weight}, {@code name.bias}) and optional fused ReLU. */
    public Value conv(String name, Value in, int outChannels, int kernel, int stride, Padding padding, boolean relu) {
        return conv(name, in, outChannels, kernel, stride, padding, 1, relu);
    }

    /** A grouped convolution with bias (AlexNet's two-GPU layers). */
    public Value conv(String name, Value in, int outChannels, int kernel, int stride, Padding padding, int groups,
                      boolean relu) {
        claim(name);
        ConvSpec spec = named(name, () -> convSpec(in, outChannels, kernel, stride, padding, groups, true, relu));
        Value out = newValue(name, spec.output());
        return finish(new Layer.Conv(name, spec, in, out, name + ".weight", name + ".bias", null, null));
    }

    /**
     * A convolution without bias followed by batch norm, folded into one convolution for inference. Parameter
     * names: {@code convKey.weight} and {@code bnKey.weight/.bias/.running_mean/.running_var}.
     *
     * @param bnInitialScale the batch norm scale used by random initialisation (1, or less on the last batch norm
     *                       of a residual branch so that deep random networks keep bounded activations)
     */
    public Value convBn(String name, String convKey, String bnKey, Value in, int outChannels, int kernel, int stride,
                        Padding padding, boolean relu, double bnInitialScale) {
        claim(name);
        ConvSpec spec = named(name, () -> convSpec(in, outChannels, kernel, stride, padding, 1, true, relu));
        Value out = newValue(name, spec.output());
        return finish(new Layer.Conv(name, spec, in, out, convKey + ".weight", null,
                new Layer.BatchNorm(bnKey, BN_EPSILON, bnInitialScale), null));
    }

    /**
     * A convolution with bias whose output map {@code o} only sees the input maps {@code i} with
     * {@code connections[o][i]} (LeNet-5's C3): it runs as a full convolution whose missing taps are zero.
     */
    public Value partialConv(String name, Value in, int outChannels, int kernel, boolean[][] connections, boolean relu) {
        claim(name);
        ConvSpec spec = named(name, () -> convSpec(in, outChannels, kernel, 1, Padding.VALID, 1, true, relu));
        Value out = newValue(name, spec.output());
        return finish(new Layer.Conv(name, spec, in, out, name + ".weight", name + ".bias", null,
                Objects.requireNonNull(connections, "connections")));
    }

    private Value pool(String name, PoolKind kind, Value in, int window, int stride, Padding padding) {
        claim(name);
        owned(in);
        spatial("input", in);
        PoolSpec spec = named(name, () -> PoolSpec.builder(kind, layout).dtype(dtype).input(in.dims())
                .window(window, window).strides(stride, stride).padding(padding).build());
        return finish(new Layer.Op(name, spec, List.of(in), newValue(name, spec.output())));
    }

    public Value maxPool(String name, Value in, int window, int stride, Padding padding) {
        return pool(name, PoolKind.MAX, in, window, stride, padding);
    }

    /** Average pooling; TensorFlow's rule: padded cells are left out of the mean. */
    public Value avgPool(String name, Value in, int window, int stride, Padding padding) {
        return pool(name, PoolKind.AVG, in, window, stride, padding);
    }

    /** Per-map {@code coefficient * x + bias} ({@code name.weight}, {@code name.bias}), optionally with ReLU. */
    public Value scaleShift(String name, Value in, boolean relu) {
        claim(name);
        owned(in);
        BatchNormSpec spec = new BatchNormSpec(dtype, in.spec().layout(), in.dims(), 0f, relu);
        return finish(new Layer.ScaleShift(name, spec, in, newValue(name, spec.output()), name + ".weight",
                name + ".bias"));
    }

    /** Local response normalisation with TensorFlow's parameters (alpha not divided by the window). */
    public Value lrn(String name, Value in, int depthRadius, float bias, float alpha, float beta) {
        claim(name);
        owned(in);
        LrnSpec spec = new LrnSpec(dtype, in.spec().layout(), in.dims(), depthRadius, bias, alpha, beta);
        return finish(new Layer.Op(name, spec, List.of(in), newValue(name, spec.output())));
    }

    public Value relu(String name, Value in) {
        claim(name);
        owned(in);
        ReluSpec spec = new ReluSpec(dtype, in.spec().layout(), in.dims());
        return finish(new Layer.Op(name, spec, List.of(in), newValue(name, spec.output())));
    }

    /** Element-wise sum (a skip connection), optionally followed by ReLU. */
    public Value add(String name, Value a, Value b, boolean relu) {
        claim(name);
        owned(a);
        owned(b);
        if (!a.spec().equals(b.spec())) {
            throw new IllegalArgumentException("add '" + name + "': operands differ: " + a.spec().describe() + " and "
                    + b.spec().describe() + " (a projection shortcut must match the branch)");
        }
        AddSpec spec = new AddSpec(dtype, a.spec().layout(), a.dims(), relu);
        return finish(new Layer.Op(name, spec, List.of(a, b), newValue(name, spec.output())));
    }

    /** Depth concatenation of branches that share batch and spatial extents. */
    public Value concat(String name, Value... parts) {
        claim(name);
        if (parts == null || parts.length == 0) {
            throw new IllegalArgumentException("concat '" + name + "': needs at least one input");
        }
        int[] channels = new int[parts.length];
        ActivationShape first = ActivationShape.of("parts[0]", parts[0].spec().layout(), parts[0].dims());
        for (int i = 0; i < parts.length; i++) {
            owned(parts[i]);
            ActivationShape s = ActivationShape.of("parts[" + i + "]", parts[i].spec().layout(), parts[i].dims());
            if (s.batch() != first.batch() || !java.util.Arrays.equals(s.spatial(), first.spatial())) {
                throw new IllegalArgumentException("concat '" + name + "': parts[" + i + "] " + parts[i].spec().describe()
                        + " differs from parts[0] " + parts[0].spec().describe() + " outside the channel axis");
            }
            channels[i] = s.channels();
        }
        ConcatSpec spec = new ConcatSpec(dtype, parts[0].spec().layout(), parts[0].dims(), channels);
        return finish(new Layer.Op(name, spec, List.of(parts), newValue(name, spec.output())));
    }

    /** Mean of each map: {@code [N, H, W, C] -> NC [N, C]}. */
    public Value globalAvgPool(String name, Value in) {
        claim(name);
        owned(in);
        GlobalAvgPoolSpec spec = new GlobalAvgPoolSpec(dtype, in.spec().layout(), in.dims());
        return finish(new Layer.Op(name, spec, List.of(in), newValue(name, spec.output())));
    }

    /** Reinterprets a spatial activation as {@code NC [N, H*W*C]} in memory order, without copying. */
    public Value flatten(String name, Value in) {
        claim(name);
        owned(in);
        ActivationShape s = spatial("input", in);
        long features = s.elementCount() / s.batch();
        if (features > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("flatten '" + name + "': " + features + " features overflow an int");
        }
        Value out = newValue(name, new TensorSpec(dtype, Layout.NC, new int[] {s.batch(), (int) features}));
        return finish(new Layer.Flatten(name, in, out));
    }

    /**
     * A fully connected layer with bias ({@code name.weight} as {@code OI}, {@code name.bias}). If {@code in} is
     * the flatten of a channels-last activation, checkpoint columns (PyTorch's channel-major flatten) are permuted
     * to the memory order when compiling.
     */
    public Value dense(String name, Value in, int outFeatures, boolean relu) {
        claim(name);
        owned(in);
        if (in.spec().layout() != Layout.NC) {
            throw new IllegalArgumentException("dense '" + name + "': input must be NC (flatten it first), was "
                    + in.spec().describe());
        }
        int[] chw = null;
        Layer producer = producerOf(in);
        if (producer instanceof Layer.Flatten f && f.input().spec().layout().channelsLast()) {
            ActivationShape s = ActivationShape.of("input", f.input().spec().layout(), f.input().dims());
            int[] sp = s.spatial();
            if (sp[0] * sp[1] > 1) {
                chw = new int[] {s.channels(), sp[0], sp[1]};
            }
        }
        DenseSpec spec = new DenseSpec(dtype, in.dims()[0], in.dims()[1], outFeatures, Layout.IO, true, relu);
        return finish(new Layer.Dense(name, spec, in, newValue(name, spec.output()), name + ".weight", name + ".bias", chw));
    }

    /** Softmax over the class axis. */
    public Value softmax(String name, Value in) {
        claim(name);
        owned(in);
        SoftmaxSpec spec = new SoftmaxSpec(dtype, in.spec().layout(), in.dims());
        return finish(new Layer.Op(name, spec, List.of(in), newValue(name, spec.output())));
    }

    private Layer producerOf(Value v) {
        for (Layer l : layers) {
            if (l.output() == v) {
                return l;
            }
        }
        return null;
    }

    /** The finished graph, whose result is {@code output}. Layers not feeding the output are an error. */
    public Graph build(Value output) {
        owned(output);
        return new Graph(name, input, output, layers, values);
    }
}
