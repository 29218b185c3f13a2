package org.conv4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.junit.jupiter.api.Test;

/**
 * Measures the real peak off-heap use of inference with the JVM's native memory tracking, in a child JVM started
 * with {@value OffHeapMeter#JVM_FLAG} (tracking must be on from JVM start), and compares it with the plan.
 */
class PeakMemoryTest {
    /** Child JVM entry: builds a model, measures one run per plan, prints one line per plan. */
    public static void main(String[] args) {
        String name = args[0];
        int size = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        Graph g = Architectures.build(name, Architectures.defaultConfig(name).withSize(size, size).withClasses(10)
                .withBatch(batch).withDType(DType.F32).withLayout(Layout.NHWC));
        try (Model m = Model.compile(g, Checkpoint.random(g, 1), "reference")) {
            m.newSession().close(); // warm up the code paths once
            for (MemoryPlan.Strategy s : MemoryPlan.Strategy.values()) {
                MemoryPlan plan = MemoryPlan.of(g, DType.F32, s);
                long measured = OffHeapMeter.measureRun(m, plan);
                System.out.println("plan=" + s + " planned=" + plan.arenaBytes() + " measured=" + measured);
            }
        }
    }

    @Test
    void measuredPeakMatchesThePlan() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, OffHeapMeter.JVM_FLAG, "-cp",
                System.getProperty("java.class.path"), PeakMemoryTest.class.getName(), "resnet34", "48", "4"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("plan=(\\w+) planned=(\\d+) measured=(-?\\d+)").matcher(out);
        int plans = 0;
        long naiveMeasured = 0;
        long reuseMeasured = 0;
        while (m.find()) {
            plans++;
            long planned = Long.parseLong(m.group(2));
            long measured = Long.parseLong(m.group(3));
            System.out.println("resnet34 48x48 batch 4, " + m.group(1) + ": planned " + planned + " B, measured "
                    + measured + " B");
            // the arena is really allocated, and nothing else of its size appears during the run
            assertTrue(measured >= planned, m.group() + ": measured below the plan");
            assertTrue(measured <= planned + planned / 20 + (256 << 10), m.group() + ": measured well above the plan");
            if (m.group(1).equals("NAIVE")) {
                naiveMeasured = measured;
            } else if (m.group(1).equals("REUSE_IN_PLACE")) {
                reuseMeasured = measured;
            }
        }
        assertEquals(3, plans, out);
        assertTrue(reuseMeasured * 3 < naiveMeasured, "sharing buffers should cut measured peak memory: " + out);
    }

    @Test
    void meterIsOffWithoutTheFlagAndSaysHowToTurnItOn() throws IOException {
        if (!OffHeapMeter.available()) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    OffHeapMeter::read);
            assertTrue(e.getMessage().contains(OffHeapMeter.JVM_FLAG), e.getMessage());
        } else {
            assertTrue(OffHeapMeter.read().current() >= 0);
        }
    }
}
