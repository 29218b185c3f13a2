package org.conv4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.conv4j.DType;

/**
 * A Keras-like {@code model.summary()}: per layer the type, output shape, learned parameters, multiply-adds and
 * output activation bytes (and the engine running it, for a compiled model); then totals, and the planned peak
 * activation memory next to the naive sum for f32 and f16 activations.
 */
public final class Summary {
    /** One row: {@code engine} is null for an uncompiled graph, {@code "view"} for a flatten. */
    public record Row(String name, String type, int[] outputDims, long parameters, long multiplyAdds,
                      long activationBytes, String engine) {
    }

    private final Graph graph;
    private final List<Row> rows;
    private final MemoryPlan f32;
    private final MemoryPlan f16;

    private Summary(Graph graph, List<Row> rows) {
        this.graph = graph;
        this.rows = List.copyOf(rows);
        this.f32 = MemoryPlan.of(graph, DType.F32, MemoryPlan.Strategy.REUSE_IN_PLACE);
        this.f16 = MemoryPlan.of(graph, DType.F16, MemoryPlan.Strategy.REUSE_IN_PLACE);
    }

    static Summary of(Graph graph, Model model) {
        List<Row> rows = new ArrayList<>();
        DType t = graph.dtype();
        rows.add(new Row("input", "input", graph.input().dims(), 0, 0, graph.input().spec().byteSize(t), null));
        for (Layer l : graph.layers()) {
            String engine = model == null ? null : model.engineOf(l.name());
            rows.add(new Row(l.name(), l.type(), l.output().dims(), l.parameterCount(), l.multiplyAdds(),
                    l instanceof Layer.Flatten ? 0 : l.output().spec().byteSize(t), engine));
        }
        return new Summary(graph, rows);
    }

    public List<Row> rows() {
        return rows;
    }

    public long parameters() {
        return graph.parameterCount();
    }

    public long inferenceParameters() {
        return graph.inferenceParameterCount();
    }

    public long multiplyAdds() {
        return graph.multiplyAdds();
    }

    /** The plan for f32 activations. */
    public MemoryPlan planF32() {
        return f32;
    }

    /** The plan for f16 (half) activations. */
    public MemoryPlan planF16() {
        return f16;
    }

    static String group(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Human-readable bytes: {@code 12.3 MiB}. */
    public static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Short count: {@code 3.66 G}, {@code 21.8 M}. */
    public static String count(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f G", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.2f K", n / 1e3);
        }
        return Long.toString(n);
    }

    @Override
    public String toString() {
        boolean engines = rows.stream().anyMatch(r -> r.engine() != null);
        int nameW = Math.max(20, rows.stream().mapToInt(r -> r.name().length()).max().orElse(0) + 1);
        int typeW = Math.max(12, rows.stream().mapToInt(r -> r.type().length()).max().orElse(0) + 1);
        String fmt = "%-" + nameW + "s %-" + typeW + "s %-22s %13s %17s %12s" + (engines ? " %s" : "") + "%n";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(graph.name()).append("\"  input ").append(graph.input().spec().describe())
                .append('\n');
        String header = String.format(Locale.ROOT, fmt, "Layer", "Type", "Output shape", "Params", "Mult-adds",
                "Act bytes", "Engine");
        String rule = "=".repeat(header.length() - 1) + "\n";
        sb.append(rule).append(header).append(rule);
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.name(), r.type(), Arrays.toString(r.outputDims()),
                    group(r.parameters()), group(r.multiplyAdds()), r.activationBytes() == 0 ? "view"
                            : bytes(r.activationBytes()), r.engine() == null ? "" : r.engine()));
        }
        sb.append(rule);
        sb.append("Total params:            ").append(group(parameters())).append(" (").append(count(parameters()))
                .append(", as published: batch norm scale and shift counted)\n");
        sb.append("Inference params:        ").append(group(inferenceParameters()))
                .append(" (after folding batch norm into convolutions)\n");
        sb.append("Total mult-adds:         ").append(group(multiplyAdds())).append(" (").append(count(multiplyAdds()))
                .append(", batch ").append(graph.batch()).append(")\n");
        for (MemoryPlan p : List.of(f32, f16)) {
            sb.append(String.format(Locale.ROOT, "Activations %-4s         planned peak %s (one arena), naive sum %s, "
                            + "lower bound %s, %.1fx saved%n", p.dtype().id() + ":", bytes(p.arenaBytes()),
                    bytes(p.naiveBytes()), bytes(p.lowerBound()), (double) p.naiveBytes() / p.arenaBytes()));
        }
        return sb.toString();
    }
}
