package org.conv4j.nn;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Real off-heap use as the JVM's native memory tracking counts it: the malloc'd bytes of category "Other", where
 * every {@code Arena} allocation (and every engine buffer made the same way) goes, now and at its peak since the
 * JVM started. Needs the JVM flag {@code -XX:NativeMemoryTracking=summary}; {@link #available()} says whether it
 * is on. Memory that native libraries allocate with their own malloc is not in this count.
 */
public final class OffHeapMeter {
    /** The flag that enables the meter. */
    public static final String JVM_FLAG = "-XX:NativeMemoryTracking=summary";

    private static final Pattern OTHER = Pattern.compile(
            "Other \\(reserved=\\d+, committed=\\d+\\)\\s*\\(malloc=(\\d+)[^)]*\\)\\s*(?:\\(peak=(\\d+)[^)]*\\)|\\(at peak\\))?");

    /** Current and peak bytes. */
    public record Reading(long current, long peak) {
    }

    private OffHeapMeter() {
    }

    private static String query() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary scale=b"}}, new String[] {String[].class.getName()});
        } catch (Exception | LinkageError e) {
            return "";
        }
    }

    /** Whether native memory tracking is on in this JVM. */
    public static boolean available() {
        return OTHER.matcher(query()).find();
    }

    /** Reads the counters; {@link IllegalStateException} when tracking is off. */
    public static Reading read() {
        String text = query();
        Matcher m = OTHER.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("native memory tracking is off: start the JVM with " + JVM_FLAG);
        }
        long current = Long.parseLong(m.group(1));
        long peak = m.group(2) == null ? current : Long.parseLong(m.group(2));
        return new Reading(current, Math.max(peak, current));
    }

    /** A measured peak and how it was measured. */
    public record Measurement(long bytes, String method) {
    }

    /** Resident set size of this process from {@code /proc/self/status}, or -1 where that does not exist. */
    public static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Peak off-heap bytes that one inference adds: a new session of {@code model} is allocated, run once and
     * freed. The peak is the highest reading after allocation and after every layer, or the tracker's own peak
     * when that rose meanwhile (which also catches scratch memory a kernel allocates and frees inside one call).
     * Without native memory tracking it falls back to the growth of the resident set size (Linux), which also
     * counts heap growth and memory of native libraries; with neither it returns {@code null}.
     */
    public static Measurement measure(Model model) {
        if (available()) {
            return new Measurement(measureRun(model), "native memory tracking");
        }
        if (residentBytes() < 0) {
            return null;
        }
        long before = residentBytes();
        long[] max = {before};
        try (Session s = model.newSession()) {
            max[0] = Math.max(max[0], residentBytes());
            s.afterEachLayer(i -> max[0] = Math.max(max[0], residentBytes()));
            s.run();
        }
        return new Measurement(max[0] - before, "growth of the process resident set: includes heap, JIT and thread stacks");
    }

    /**
     * Peak off-heap bytes that one inference adds: a new session of {@code model} is allocated, run once and
     * freed. The peak is the highest reading after allocation and after every layer, or the tracker's own peak
     * when that rose meanwhile (which also catches scratch memory a kernel allocates and frees inside one call).
     */
    public static long measureRun(Model model) {
        return measureRun(model, model.plan());
    }

    /** As {@link #measureRun(Model)}, with the session laid out by {@code plan}. */
    public static long measureRun(Model model, MemoryPlan plan) {
        Reading before = read();
        long[] max = {before.current()};
        try (Session s = model.newSession(plan)) {
            max[0] = Math.max(max[0], read().current());
            s.afterEachLayer(i -> max[0] = Math.max(max[0], read().current()));
            s.run();
        }
        Reading after = read();
        long top = max[0];
        if (after.peak() > before.peak()) {
            top = Math.max(top, after.peak());
        }
        return top - before.current();
    }
}
