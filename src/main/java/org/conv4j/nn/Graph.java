package org.conv4j.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.conv4j.DType;

/**
 * An inference network: layers in execution (topological) order from one input value to one output value.
 * Immutable; build one with {@link GraphBuilder} or {@link Architectures}, run it by compiling with
 * {@link Model#compile}.
 */
public final class Graph {
    private final String name;
    private final Value input;
    private final Value output;
    private final List<Layer> layers;
    private final List<Value> values;

    Graph(String name, Value input, Value output, List<Layer> layers, List<Value> values) {
        this.name = name;
        this.input = input;
        this.output = output;
        this.layers = List.copyOf(layers);
        this.values = List.copyOf(values);
        checkWiring();
    }

    /** Every layer must feed the output (no dead branches); parameter names must not clash. */
    private void checkWiring() {
        Set<Value> needed = new HashSet<>();
        needed.add(output);
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            if (!needed.contains(l.output())) {
                throw new IllegalArgumentException("graph " + name + ": layer '" + l.name() + "' does not feed the output");
            }
            needed.addAll(l.inputs());
        }
        Map<String, String> owner = new HashMap<>();
        for (Layer l : layers) {
            for (ParamDecl p : l.params()) {
                String prev = owner.put(p.name(), l.name());
                if (prev != null) {
                    throw new IllegalArgumentException("graph " + name + ": parameter '" + p.name() + "' is declared by '"
                            + prev + "' and '" + l.name() + "'");
                }
            }
        }
    }

    public String name() {
        return name;
    }

    public Value input() {
        return input;
    }

    public Value output() {
        return output;
    }

    public DType dtype() {
        return input.spec().dtype();
    }

    public int batch() {
        return input.dims()[0];
    }

    /** Layers in execution order. */
    public List<Layer> layers() {
        return layers;
    }

    /** Every value (the input first, then layer outputs), indexed by {@link Value#id()}. */
    public List<Value> values() {
        return values;
    }

    public Layer layer(String layerName) {
        for (Layer l : layers) {
            if (l.name().equals(layerName)) {
                return l;
            }
        }
        throw new IllegalArgumentException("layer '" + layerName + "' does not exist in " + name);
    }

    /** Every parameter the layers read, by name, in layer order. */
    public Map<String, ParamDecl> params() {
        Map<String, ParamDecl> m = new LinkedHashMap<>();
        for (Layer l : layers) {
            for (ParamDecl p : l.params()) {
                m.put(p.name(), p);
            }
        }
        return m;
    }

    /** Learned parameters as published (see {@link Layer#parameterCount()}). */
    public long parameterCount() {
        long n = 0;
        for (Layer l : layers) {
            n += l.parameterCount();
        }
        return n;
    }

    /** Parameters the engines hold after batch norm folding: the op specs' own parameter counts. */
    public long inferenceParameterCount() {
        long n = 0;
        for (Layer l : layers) {
            if (l.spec() != null) {
                n += l.spec().cost().parameters();
            }
        }
        return n;
    }

    public long multiplyAdds() {
        long n = 0;
        for (Layer l : layers) {
            n += l.multiplyAdds();
        }
        return n;
    }

    /** Indices of the layers that read each value (views count as readers). */
    List<List<Integer>> consumers() {
        List<List<Integer>> c = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            c.add(new ArrayList<>());
        }
        for (int i = 0; i < layers.size(); i++) {
            for (Value v : layers.get(i).inputs()) {
                c.get(v.id()).add(i);
            }
        }
        return c;
    }

    /** A Keras-like table of the layers without engines. */
    public Summary summary() {
        return Summary.of(this, null);
    }

    @Override
    public String toString() {
        return "Graph[" + name + ", " + layers.size() + " layers, " + input.spec().describe() + " -> "
                + output.spec().describe() + "]";
    }
}
