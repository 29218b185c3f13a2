package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;

/** Median and spread of the measured iterations of one JMH run (the console's view; the report recomputes). */
record Stats(double median, double min, double max, int n) {
    static Stats of(RunResult r) {
        List<Double> v = new ArrayList<>();
        for (BenchmarkResult br : r.getBenchmarkResults()) {
            for (IterationResult ir : br.getIterationResults()) {
                v.add(ir.getPrimaryResult().getScore());
            }
        }
        v.sort(null);
        int n = v.size();
        double med = n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        return new Stats(med, n == 0 ? Double.NaN : v.getFirst(), n == 0 ? Double.NaN : v.getLast(), n);
    }

    /** (max - min) / median, in percent. */
    String spreadText() {
        return String.format(Locale.ROOT, "%.1f%%", 100 * (max - min) / median);
    }
}
