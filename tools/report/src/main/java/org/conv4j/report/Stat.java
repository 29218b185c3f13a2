package org.conv4j.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Order statistics of a sample. */
record Stat(double median, double min, double max, int n) {
    static Stat of(Collection<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        double med = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        return new Stat(med, v.getFirst(), v.getLast(), n);
    }

    /** (max - min) / median: how far apart the fastest and slowest measurement were. */
    double spread() {
        return (max - min) / median;
    }

    static double median(Collection<Double> values) {
        return of(values).median();
    }
}
