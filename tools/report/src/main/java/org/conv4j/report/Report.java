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
    static final String USAGE = "usage: Report --results DIR [--md FILE] [--svg FILE] [--readme FILE]";

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Path results = null;
        Path md = Path.of("bench", "RESULTS.md");
        Path svg = null;
        Path readme = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length || !(a.equals("--results") || a.equals("--md") || a.equals("--svg") || a.equals("--readme"))) {
                System.err.println("Report: unknown or incomplete argument '" + a + "'\n" + USAGE);
                System.exit(2);
            }
            Path p = Path.of(args[++i]);
            switch (a) {
                case "--results" -> results = p;
                case "--md" -> md = p;
                case "--readme" -> readme = p;
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
            if (readme != null) {
                System.out.println(updateReadme(results, md, svg, readme)
                        ? "report: updated the table in " + readme
                        : "report: " + readme + " has no " + Markdown.README_START + " marker; left unchanged");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("Report: " + e.getMessage());
            System.exit(1);
        }
        System.out.println("report: wrote " + md + " and " + svg);
    }

    /** Replaces the table between the README's markers; false (and no change) when it has none. */
    static boolean updateReadme(Path results, Path md, Path svg, Path readme) throws IOException {
        Results r = Results.load(results);
        Path dir = readme.toAbsolutePath().getParent();
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String updated = Markdown.updateReadme(text, new Table(r), r.meta(),
                dir.relativize(md.toAbsolutePath()).toString(), dir.relativize(svg.toAbsolutePath()).toString());
        if (updated == null) {
            return false;
        }
        Files.writeString(readme, updated, StandardCharsets.UTF_8);
        return true;
    }

    static void write(Path results, Path md, Path svg) throws IOException {
        Results r = Results.load(results);
        Table t = new Table(r);
        Path parent = md.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String chartRef = parent.relativize(svg.toAbsolutePath()).toString();
        Files.writeString(md, Markdown.render(t, r.meta(), chartRef), StandardCharsets.UTF_8);
        String mode = r.meta().getProperty("mode", "?");
        Files.writeString(svg, Chart.render(t, "conv4j: GFLOP/s per shape and engine, " + mode + " run",
                r.meta().getProperty("machine", "unknown machine") + ", " + Markdown.instant(r.meta().getProperty("started", "?"))), StandardCharsets.UTF_8);
    }
}
