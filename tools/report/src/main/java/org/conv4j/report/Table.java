package org.conv4j.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.cli.BenchShapes;

/** The rows of RESULTS.md, computed from a run's results. */
final class Table {
    /** One Java case. pctOfPeak and ratioToC are null where there is no peak or no C row to compare with. */
    record Row(String shape, String engine, String dtype, int threads, double ms, double gflops, Double pctOfPeak,
               Double ratioToC, Stat stat) {
    }

    /** One C baseline case (medians over its rows from all rounds). */
    record CRow(String shape, String dtype, int threads, double ms, double gflops, double spread, int calls,
                String impl) {
    }

    /** The FMA peak at one thread count: best iteration (the denominator of % of peak), median and spread. */
    record Peak(int threads, double best, double median, double spread, int n) {
    }

    final List<Row> rows = new ArrayList<>();
    final List<CRow> cRows = new ArrayList<>();
    final Map<Integer, Peak> peaks = new LinkedHashMap<>();

    private static final List<String> DTYPES = List.of("f32", "f16", "bf16");
    private static final List<String> ENGINES = List.of("reference", "vector", "onednn");

    Table(Results r) {
        String fpc = r.meta().getProperty("peak.flopsPerCall");
        if (fpc != null) {
            double flopsPerCall = Double.parseDouble(fpc);
            r.peakOpsPerSecond().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
                Stat s = Stat.of(e.getValue());
                peaks.put(e.getKey(), new Peak(e.getKey(), s.max() * flopsPerCall / 1e9, s.median() * flopsPerCall / 1e9,
                        s.spread(), s.n()));
            });
        }
        Map<Results.Key, Double> cMs = new LinkedHashMap<>();
        r.c().forEach((k, list) -> {
            Stat s = Stat.of(list.stream().map(Results.CRow::ms).toList());
            double lo = list.stream().mapToDouble(Results.CRow::msMin).min().orElseThrow();
            double hi = list.stream().mapToDouble(Results.CRow::msMax).max().orElseThrow();
            cMs.put(new Results.Key(k.shape(), "C", k.dtype(), k.threads()), s.median());
            cRows.add(new CRow(k.shape(), k.dtype(), k.threads(), s.median(), gflops(k.shape(), s.median()),
                    (hi - lo) / s.median(), list.size(), list.getFirst().impl()));
        });
        r.javaMs().forEach((k, values) -> {
            Stat s = Stat.of(values);
            double g = gflops(k.shape(), s.median());
            Peak p = peaks.get(k.threads());
            Double c = cMs.get(new Results.Key(k.shape(), "C", k.dtype(), k.threads()));
            rows.add(new Row(k.shape(), k.engine(), k.dtype(), k.threads(), s.median(), g,
                    p == null ? null : 100 * g / p.best(), c == null ? null : c / s.median(), s));
        });
        rows.sort(Comparator.comparingInt((Row x) -> shapeOrder(x.shape())).thenComparingInt(x -> DTYPES.indexOf(x.dtype()))
                .thenComparingInt(Row::threads).thenComparingInt(x -> engineOrder(x.engine())).thenComparing(Row::engine));
        cRows.sort(Comparator.comparingInt((CRow x) -> shapeOrder(x.shape())).thenComparingInt(x -> DTYPES.indexOf(x.dtype()))
                .thenComparingInt(CRow::threads));
    }

    static double gflops(String shape, double ms) {
        return BenchShapes.byId(shape).flops() / (ms * 1e-3) / 1e9;
    }

    static int shapeOrder(String id) {
        List<BenchShapes.Shape> all = BenchShapes.all();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).id().equals(id)) {
                return i;
            }
        }
        return all.size();
    }

    static int engineOrder(String engine) {
        int i = ENGINES.indexOf(engine);
        return i < 0 ? ENGINES.size() : i;
    }

    /** Engines present, in display order. */
    List<String> engines() {
        return rows.stream().map(Row::engine).distinct().sorted(Comparator.comparingInt(Table::engineOrder)
                .thenComparing(Comparator.naturalOrder())).toList();
    }
}
