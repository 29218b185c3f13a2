package org.conv4j.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code Report --results DIR [--md FILE] [--svg FILE]}: reads a bench run's {@code jmh.json}, {@code baseline.csv}
 * and {@code suite.properties} from DIR and writes the Markdown table (default bench/RESULTS.md) and the chart
 * (default next to it, results.svg).
 */
public final class Report {
    static final String USAGE = "usage: Report --results DIR [--md FILE] [--svg FILE]";

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Path results = null;
        Path md = Path.of("bench", "RESULTS.md");
        Path svg = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length || !(a.equals("--results") || a.equals("--md") || a.equals("--svg"))) {
                System.err.println("Report: unknown or incomplete argument '" + a + "'\n" + USAGE);
                System.exit(2);
            }
            Path p = Path.of(args[++i]);
            switch (a) {
                case "--results" -> results = p;
                case "--md" -> md = p;
                default -> svg = p;
            }
        }
        if (results == null) {
            System.err.println("Report: --results DIR is required\n" + USAGE);
            System.exit(2);
        }
        if (svg == null) {
            svg = md.resolveSibling("results.svg");
        }
        try {
            write(results, md, svg);
        } catch (IllegalArgumentException e) {
            System.err.println("Report: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("report: wrote " + md + " and " + svg);
    }

    static void write(Path results, Path md, Path svg) throws IOException {
        Results r = Results.load(results);
        Table t = new Table(r);
        Path parent = md.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String chartRef = parent.relativize(svg.toAbsolutePath()).toString();
        Files.writeString(md, Markdown.render(t, r.meta(), chartRef), StandardCharsets.UTF_8);
        Files.writeString(svg, Chart.render(t, "conv4j: GFLOP/s per shape and engine (" + r.meta().getProperty("mode", "?")
                + " run; " + r.meta().getProperty("machine", "unknown machine") + ")"), StandardCharsets.UTF_8);
    }
}
