package org.conv4j.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.conv4j.DType;

/**
 * Named parameter tensors in the checkpoint convention of PyTorch (float values, row-major): convolution filters
 * {@code OIHW}, dense weights {@code OI [out, in]} over PyTorch's channel-major flatten, batch norm as
 * {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}. {@link Model#compile} converts them to
 * what the engines take (filters to {@code HWIO} for channels-last models, batch norm folded, dense columns
 * permuted to the memory order of the flatten).
 */
public final class Checkpoint {
    /** One tensor: its shape and values. */
    public record Entry(int[] shape, float[] data) {
        public Entry {
            shape = shape.clone();
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative extent");
                }
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got "
                        + data.length);
            }
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private final Map<String, Entry> map = new LinkedHashMap<>();

    public void put(String name, int[] shape, float[] data) {
        Objects.requireNonNull(name, "name");
        map.put(name, new Entry(shape, data));
    }

    /** The tensor named {@code name}; {@link IllegalArgumentException} naming it when absent. */
    public Entry get(String name) {
        Entry e = map.get(name);
        if (e == null) {
            throw new IllegalArgumentException("weights: no tensor named '" + name + "' (" + map.size() + " tensors)");
        }
        return e;
    }

    public boolean contains(String name) {
        return map.containsKey(name);
    }

    /** Names in insertion order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(map.keySet()));
    }

    public int size() {
        return map.size();
    }

    /** Total values. */
    public long elementCount() {
        long n = 0;
        for (Entry e : map.values()) {
            n += e.data().length;
        }
        return n;
    }

    /**
     * A copy with names mapped through {@code rename} (for checkpoints saved under other names, e.g. a
     * {@code module.} prefix); a name mapped to {@code null} is dropped.
     */
    public Checkpoint renamed(Function<String, String> rename) {
        Checkpoint w = new Checkpoint();
        for (Map.Entry<String, Entry> e : map.entrySet()) {
            String n = rename.apply(e.getKey());
            if (n != null) {
                if (w.map.put(n, e.getValue()) != null) {
                    throw new IllegalArgumentException("rename: two tensors map to '" + n + "'");
                }
            }
        }
        return w;
    }

    /**
     * Checks that every parameter of {@code graph} is present with its shape and returns the names the graph does
     * not read (extra tensors are allowed). Throws {@link IllegalArgumentException} listing every problem.
     */
    public List<String> check(Graph graph) {
        List<String> problems = new ArrayList<>();
        Map<String, ParamDecl> params = graph.params();
        for (ParamDecl p : params.values()) {
            Entry e = map.get(p.name());
            if (e == null) {
                problems.add("missing '" + p.name() + "' " + Arrays.toString(p.shape()));
            } else if (!Arrays.equals(e.shape, p.shape())) {
                problems.add("'" + p.name() + "' has shape " + Arrays.toString(e.shape) + ", " + graph.name() + " needs "
                        + Arrays.toString(p.shape()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("weights do not fit " + graph.name() + ": " + String.join("; ",
                    problems.size() > 20 ? problems.subList(0, 20) : problems)
                    + (problems.size() > 20 ? "; and " + (problems.size() - 20) + " more" : ""));
        }
        List<String> unused = new ArrayList<>();
        for (String n : map.keySet()) {
            if (!params.containsKey(n)) {
                unused.add(n);
            }
        }
        return unused;
    }

    /**
     * Random weights for every parameter of {@code graph}: He normal for layers followed by ReLU, Glorot uniform
     * for the others, batch norm as the identity (scale as declared). Each tensor's values depend only on the seed
     * and its name.
     */
    public static Checkpoint random(Graph graph, long seed) {
        Checkpoint w = new Checkpoint();
        for (ParamDecl p : graph.params().values()) {
            w.map.put(p.name(), new Entry(p.shape(), init(p, seed)));
        }
        return w;
    }

    static float[] init(ParamDecl p, long seed) {
        long n = p.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("parameter " + p.name() + " has too many elements: " + n);
        }
        float[] v = new float[(int) n];
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + p.name().hashCode());
        switch (p.init()) {
            case HE_NORMAL -> {
                double std = Math.sqrt(2.0 / p.fanIn()) * p.scale();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
                }
            }
            case GLOROT_UNIFORM -> {
                double limit = Math.sqrt(6.0 / (p.fanIn() + p.fanOut())) * p.scale();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
                }
            }
            case ZEROS -> {
            }
            case CONSTANT -> Arrays.fill(v, (float) p.scale());
        }
        return v;
    }

    /** Reads a safetensors file; non-float tensors are skipped. */
    public static Checkpoint load(Path file) throws IOException {
        return SafeTensors.read(file).weights();
    }

    /** Writes these tensors as a safetensors file stored as {@code storage}. */
    public void save(Path file, DType storage) throws IOException {
        SafeTensors.write(file, this, storage, Map.of("format", "pt", "producer", "conv4j"));
    }
}
