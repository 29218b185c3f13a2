package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.conv4j.DType;

/**
 * Where each activation of a {@link Graph} lives in one arena during inference. As the seed says, a layer's
 * memory can be freed once the layers reading it have run: each buffer lives from the step that writes it to the
 * last step that reads it (skip connections and inception branches keep their source alive until the add or the
 * concat), and buffers whose lifetimes do not overlap share memory.
 *
 * <p>Buffers are placed greedily, largest first, at the lowest offset that does not collide with a buffer alive
 * at the same time. Element-wise layers (ReLU, add, scale+shift) may write over an input that dies with them, and
 * a flatten is a view of its input's buffer. The graph input and output keep their own memory for the whole run
 * so that a caller can read and rerun them.
 */
public final class MemoryPlan {
    /** How buffers are assigned. */
    public enum Strategy {
        /** One buffer per activation, none shared: the memory training needs (the "naive sum"). */
        NAIVE,
        /** Lifetime-based sharing. */
        REUSE,
        /** Lifetime-based sharing plus in-place element-wise layers. */
        REUSE_IN_PLACE
    }

    /** Alignment of every buffer, a cache line and the widest vector. */
    public static final int ALIGNMENT = 64;

    /** One region of the arena: {@code [offset, offset + bytes)}, alive from step {@code first} to {@code last}. */
    public record Buffer(int id, long bytes, int first, int last, long offset) {
        boolean livesWith(Buffer o) {
            return first <= o.last && o.first <= last;
        }
    }

    private final Graph graph;
    private final DType dtype;
    private final Strategy strategy;
    private final int[] bufferOfValue;
    private final List<Buffer> buffers;
    private final long arenaBytes;
    private final long naiveBytes;
    private final long lowerBound;

    private MemoryPlan(Graph graph, DType dtype, Strategy strategy) {
        this.graph = graph;
        this.dtype = dtype;
        this.strategy = strategy;
        List<Value> values = graph.values();
        List<Layer> layers = graph.layers();
        int end = layers.size() + 1;
        // Step 0 writes the input, step i + 1 runs layer i.
        int[] lastUse = new int[values.size()];
        for (int i = 0; i < layers.size(); i++) {
            for (Value v : layers.get(i).inputs()) {
                lastUse[v.id()] = Math.max(lastUse[v.id()], i + 1);
            }
        }
        lastUse[graph.input().id()] = end;
        lastUse[graph.output().id()] = end;

        bufferOfValue = new int[values.size()];
        List<long[]> raw = new ArrayList<>(); // {bytes, first, last}
        long naive = 0;
        bufferOfValue[graph.input().id()] = newBuffer(raw, bytes(graph.input()), 0, end);
        naive += aligned(bytes(graph.input()));
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            int step = i + 1;
            int out = l.output().id();
            long size = bytes(l.output());
            if (l instanceof Layer.Flatten f) {
                int b = bufferOfValue[f.input().id()];
                bufferOfValue[out] = b;
                raw.get(b)[2] = Math.max(raw.get(b)[2], lastUse[out]);
                continue;
            }
            naive += aligned(size);
            if (strategy == Strategy.NAIVE) {
                bufferOfValue[out] = newBuffer(raw, size, 0, end);
                continue;
            }
            int shared = -1;
            if (strategy == Strategy.REUSE_IN_PLACE && l.canRunInPlace() && l.output() != graph.output()) {
                for (Value v : l.inputs()) {
                    int b = bufferOfValue[v.id()];
                    long[] r = raw.get(b);
                    if (v != graph.input() && r[2] == step && r[0] == aligned(size)) {
                        shared = b;
                        break;
                    }
                }
            }
            if (shared >= 0) {
                bufferOfValue[out] = shared;
                raw.get(shared)[2] = lastUse[out];
            } else {
                bufferOfValue[out] = newBuffer(raw, size, step, Math.max(step, lastUse[out]));
            }
        }
        this.naiveBytes = naive;
        this.buffers = place(raw, strategy);
        long arena = 0;
        for (Buffer b : buffers) {
            arena = Math.max(arena, b.offset() + b.bytes());
        }
        this.arenaBytes = arena;
        long lb = 0;
        for (int t = 0; t <= end; t++) {
            long live = 0;
            for (Buffer b : buffers) {
                if (b.first() <= t && t <= b.last()) {
                    live += b.bytes();
                }
            }
            lb = Math.max(lb, live);
        }
        this.lowerBound = lb;
    }

    /** Plans the graph's activations stored as {@code dtype} (which may differ from the graph's). */
    public static MemoryPlan of(Graph graph, DType dtype, Strategy strategy) {
        return new MemoryPlan(Objects.requireNonNull(graph, "graph"), Objects.requireNonNull(dtype, "dtype"),
                Objects.requireNonNull(strategy, "strategy"));
    }

    /** The plan a compiled model uses by default: sharing and in-place layers, the graph's dtype. */
    public static MemoryPlan of(Graph graph) {
        return of(graph, graph.dtype(), Strategy.REUSE_IN_PLACE);
    }

    private long bytes(Value v) {
        return v.spec().byteSize(dtype);
    }

    private static long aligned(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static int newBuffer(List<long[]> raw, long bytes, int first, int last) {
        raw.add(new long[] {aligned(bytes), first, last});
        return raw.size() - 1;
    }

    private static List<Buffer> place(List<long[]> raw, Strategy strategy) {
        Buffer[] placed = new Buffer[raw.size()];
        if (strategy == Strategy.NAIVE) {
            long off = 0;
            for (int i = 0; i < raw.size(); i++) {
                long[] r = raw.get(i);
                placed[i] = new Buffer(i, r[0], (int) r[1], (int) r[2], off);
                off += r[0];
            }
            return List.of(placed);
        }
        Integer[] order = new Integer[raw.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingLong(i -> -raw.get(i)[0]).thenComparingLong(i -> raw.get(i)[1]));
        List<Buffer> done = new ArrayList<>();
        for (int i : order) {
            long[] r = raw.get(i);
            Buffer probe = new Buffer(i, r[0], (int) r[1], (int) r[2], 0);
            List<Buffer> conflicts = new ArrayList<>();
            for (Buffer b : done) {
                if (b.livesWith(probe)) {
                    conflicts.add(b);
                }
            }
            conflicts.sort(Comparator.comparingLong(Buffer::offset));
            long off = 0;
            for (Buffer b : conflicts) {
                if (b.offset() >= off + r[0]) {
                    break;
                }
                off = Math.max(off, b.offset() + b.bytes());
            }
            Buffer b = new Buffer(i, r[0], (int) r[1], (int) r[2], off);
            placed[i] = b;
            done.add(b);
        }
        return List.of(placed);
    }

    public Graph graph() {
        return graph;
    }

    public DType dtype() {
        return dtype;
    }

    public Strategy strategy() {
        return strategy;
    }

    /** Bytes of the one arena holding every activation: the planned peak. */
    public long arenaBytes() {
        return arenaBytes;
    }

    /** Bytes if every activation kept its own memory (what training holds), 64-byte aligned. */
    public long naiveBytes() {
        return naiveBytes;
    }

    /** The most bytes alive at one step: no placement of these buffers can use less. */
    public long lowerBound() {
        return lowerBound;
    }

    public List<Buffer> buffers() {
        return buffers;
    }

    /** The buffer holding value {@code valueId}. */
    public Buffer bufferOf(int valueId) {
        return buffers.get(bufferOfValue[valueId]);
    }

    /** Arena offset of value {@code valueId}. */
    public long offsetOf(int valueId) {
        return bufferOf(valueId).offset();
    }

    @Override
    public String toString() {
        return "MemoryPlan[" + graph.name() + " " + dtype.id() + " " + strategy + ": arena " + arenaBytes + " B, naive "
                + naiveBytes + " B, lower bound " + lowerBound + " B, " + buffers.size() + " buffers]";
    }
}
