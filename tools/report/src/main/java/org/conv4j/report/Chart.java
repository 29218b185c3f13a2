package org.conv4j.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A hand-written SVG bar chart: one panel per (dtype, threads), one group of bars per shape, one bar per engine
 * (and the C baseline), GFLOP/s on a log scale (the reference engine is 100x slower than the others), and the FMA
 * peak for that thread count as a dashed line.
 */
final class Chart {
    private Chart() {
    }

    static final String C_SERIES = "C oneDNN";
    private static final Map<String, String> COLORS = Map.of("reference", "#9e9e9e", "vector", "#1f77b4",
            "onednn", "#ff7f0e", C_SERIES, "#2ca02c");
    private static final String OTHER = "#9467bd";
    private static final int LEFT = 70, RIGHT = 20, PANEL_H = 230, PANEL_GAP = 60, TOP = 70, BAR_W = 12;

    record Panel(String dtype, int threads) {
    }

    static String render(Table t, String title, String subtitle) {
        List<String> series = new ArrayList<>(t.engines());
        if (!t.cRows.isEmpty()) {
            series.add(C_SERIES);
        }
        // Panels in table order; values per panel, shape, series.
        Map<Panel, Map<String, Map<String, Double>>> data = new LinkedHashMap<>();
        List<Panel> order = new ArrayList<>();
        for (Table.Row r : t.rows) {
            put(data, order, new Panel(r.dtype(), r.threads()), r.shape(), r.engine(), r.gflops());
        }
        for (Table.CRow c : t.cRows) {
            put(data, order, new Panel(c.dtype(), c.threads()), c.shape(), C_SERIES, c.gflops());
        }
        order.sort(java.util.Comparator.comparingInt((Panel p) -> List.of("f32", "f16", "bf16").indexOf(p.dtype()))
                .thenComparingInt(Panel::threads));
        int maxShapes = data.values().stream().mapToInt(Map::size).max().orElse(1);
        int groupW = Math.max(series.size() * BAR_W + 14, 44);
        // A grid of panels: one row per dtype, one column per thread count.
        List<String> dtypes = order.stream().map(Panel::dtype).distinct().toList();
        List<Integer> threadCounts = order.stream().map(Panel::threads).distinct().sorted().toList();
        int panelW = LEFT + maxShapes * groupW + RIGHT;
        int width = Math.max(Math.max(panelW * Math.max(threadCounts.size(), 1), 640),
                LEFT + 6 * Math.max(title.length(), subtitle == null ? 0 : subtitle.length()) + RIGHT);
        int height = TOP + Math.max(dtypes.size(), 1) * (PANEL_H + PANEL_GAP) + 10;

        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
                LEFT, esc(title)));
        if (subtitle != null) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"34\" fill=\"#555555\">%s</text>\n", LEFT, esc(subtitle)));
        }
        // Legend.
        int lx = LEFT;
        for (String name : series) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"42\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"52\">%s</text>\n", lx, color(name), lx + 16, esc(name)));
            lx += 16 + 7 * name.length() + 18;
        }
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"48\" x2=\"%d\" y2=\"48\" stroke=\"#d62728\" "
                + "stroke-width=\"2\" stroke-dasharray=\"6,3\"/><text x=\"%d\" y=\"52\">FMA peak (fp32, same threads)</text>\n",
                lx, lx + 24, lx + 30));
        if (order.isEmpty()) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">no results</text>\n", LEFT, TOP + 20));
        }

        for (Panel p : order) {
            int x0 = threadCounts.indexOf(p.threads()) * panelW;
            int y0 = TOP + dtypes.indexOf(p.dtype()) * (PANEL_H + PANEL_GAP);
            int left = x0 + LEFT;
            Map<String, Map<String, Double>> byShape = data.get(p);
            Table.Peak peak = t.peaks.get(p.threads());
            double lo = Double.MAX_VALUE, hi = 0;
            for (Map<String, Double> m : byShape.values()) {
                for (double v : m.values()) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            if (peak != null) {
                hi = Math.max(hi, peak.best());
            }
            double logLo = Math.floor(Math.log10(Math.max(lo, 1e-3)));
            double logHi = Math.ceil(Math.log10(Math.max(hi, 1e-3) * 1.05));
            if (logHi <= logLo) {
                logHi = logLo + 1;
            }
            double top = y0 + 10, bottom = y0 + PANEL_H - 30;
            final double fLo = logLo, fHi = logHi;
            java.util.function.DoubleUnaryOperator yOf = v ->
                    bottom - (Math.log10(Math.max(v, Math.pow(10, fLo))) - fLo) / (fHi - fLo) * (bottom - top);
            int plotRight = left + byShape.size() * groupW;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">%s, %d thread%s</text>\n",
                    left, y0, p.dtype(), p.threads(), p.threads() == 1 ? "" : "s"));
            // Decade grid and labels.
            for (int d = (int) logLo; d <= (int) logHi; d++) {
                double y = yOf.applyAsDouble(Math.pow(10, d));
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#dddddd\"/>"
                        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left, y, plotRight, y, left - 6, y + 4,
                        d >= 0 ? String.valueOf((long) Math.pow(10, d)) : String.valueOf(Math.pow(10, d))));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" transform=\"rotate(-90 %d %.1f)\" "
                    + "text-anchor=\"middle\">GFLOP/s (log)</text>\n", x0 + 16, (top + bottom) / 2, x0 + 16, (top + bottom) / 2));
            int gx = left;
            for (Map.Entry<String, Map<String, Double>> e : byShape.entrySet()) {
                int bx = gx + (groupW - series.size() * BAR_W) / 2;
                for (String name : series) {
                    Double v = e.getValue().get(name);
                    if (v != null) {
                        double y = yOf.applyAsDouble(v);
                        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\">"
                                + "<title>%s %s %s t=%d: %.2f GFLOP/s</title></rect>\n", bx, y, BAR_W - 2,
                                Math.max(bottom - y, 0.5), color(name), e.getKey(), esc(name), p.dtype(), p.threads(), v));
                    }
                    bx += BAR_W;
                }
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                        gx + groupW / 2, bottom + 14, esc(e.getKey())));
                gx += groupW;
            }
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>\n",
                    left, bottom, plotRight, bottom));
            if (peak != null) {
                double y = yOf.applyAsDouble(peak.best());
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d62728\" "
                        + "stroke-width=\"2\" stroke-dasharray=\"6,3\"/><text x=\"%d\" y=\"%.1f\" fill=\"#d62728\" "
                        + "text-anchor=\"end\">FMA peak %.0f GFLOP/s</text>\n", left, y, plotRight, y, plotRight, y - 4,
                        peak.best()));
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void put(Map<Panel, Map<String, Map<String, Double>>> data, List<Panel> order, Panel p, String shape,
                            String series, double v) {
        if (!data.containsKey(p)) {
            order.add(p);
        }
        Map<String, Map<String, Double>> byShape = data.computeIfAbsent(p, k -> new LinkedHashMap<>());
        byShape.computeIfAbsent(shape, k -> new LinkedHashMap<>()).put(series, v);
        // Keep shapes in catalogue order.
        List<String> keys = new ArrayList<>(byShape.keySet());
        keys.sort(java.util.Comparator.comparingInt(Table::shapeOrder));
        if (!keys.equals(new ArrayList<>(byShape.keySet()))) {
            Map<String, Map<String, Double>> sorted = new LinkedHashMap<>();
            for (String k : keys) {
                sorted.put(k, byShape.get(k));
            }
            data.put(p, sorted);
        }
    }

    private static String color(String series) {
        return COLORS.getOrDefault(series, OTHER);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Shapes present in any panel (for tests). */
    static Set<String> shapes(Table t) {
        Set<String> s = new LinkedHashSet<>();
        t.rows.forEach(r -> s.add(r.shape()));
        t.cRows.forEach(c -> s.add(c.shape()));
        return s;
    }
}
