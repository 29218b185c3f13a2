package org.conv4j.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Warms a call up until its time has settled, so that timings see C2's code: Vector API kernels run about 100x
 * slower interpreted, and one interpreted call of a large shape can take seconds, longer than any fixed warm-up.
 * Used by {@code ./conv4j demo} and by the benchmark suite's forks.
 *
 * <p>The calls are grouped in windows of at least {@link #WINDOW_SECONDS} and 3 calls; the time has settled when a
 * window's median is no more than 10% faster than the previous window's (it stopped improving), after at least
 * the minimum time. Medians of windows, not single calls, so that a noisy machine settles too.
 */
public final class WarmUp {
    /** Shortest window of calls whose median is compared with the previous one. */
    public static final double WINDOW_SECONDS = 0.25;

    /** What a warm-up did. */
    public record Result(int calls, double seconds, boolean settled, double lastMedianMs) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "pre-warm %d calls %.1f s%s", calls, seconds,
                    settled ? "" : " (time limit, not settled)");
        }
    }

    private WarmUp() {
    }

    public static Result untilSettled(Runnable call, double minSeconds, double maxSeconds) {
        long start = System.nanoTime();
        double previous = Double.NaN;
        double median = Double.NaN;
        int calls = 0;
        List<Double> window = new ArrayList<>();
        long windowStart = start;
        while (true) {
            long t0 = System.nanoTime();
            call.run();
            long t1 = System.nanoTime();
            calls++;
            window.add((t1 - t0) / 1e6);
            double elapsed = (t1 - start) / 1e9;
            if ((t1 - windowStart) / 1e9 >= WINDOW_SECONDS && window.size() >= 3) {
                window.sort(null);
                median = window.get(window.size() / 2);
                boolean stopped = !Double.isNaN(previous) && median >= 0.9 * previous;
                if (stopped && elapsed >= minSeconds) {
                    return new Result(calls, elapsed, true, median);
                }
                previous = median;
                window.clear();
                windowStart = t1;
            }
            if (elapsed >= maxSeconds) {
                return new Result(calls, elapsed, false, median);
            }
        }
    }
}
