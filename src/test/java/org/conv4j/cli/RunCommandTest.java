package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.junit.jupiter.api.Test;

class RunCommandTest {
    @Test
    void runsLenetAndReportsSpeedLatencyAndMemory() {
        InfoCommandTest.Run r = InfoCommandTest.run("run", "lenet5", "--batch", "3", "--iterations", "4", "--warmup",
                "1", "--engine", "reference", "--summary");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of("images/s (batch 3, 4 timed runs", "p50", "p90", "p99", "planned peak",
                "measured peak", "reference 10 layers", "Total params:            60,850", "c3")) {
            assertTrue(r.out().contains(s), "missing '" + s + "' in\n" + r.out());
        }
    }

    @Test
    void parsesOptions() throws UsageException {
        RunCommand.Options o = RunCommand.parse(List.of("resnet34", "--batch", "32", "--dtype", "bf16", "--size",
                "64x48", "--layout", "nchw", "--classes", "7"));
        assertEquals(32, o.config().batch());
        assertEquals(DType.BF16, o.config().dtype());
        assertEquals(64, o.config().height());
        assertEquals(48, o.config().width());
        assertEquals(Layout.NCHW, o.config().layout());
        assertEquals(7, o.config().classes());
        assertEquals("auto", o.engine());
        for (List<String> bad : List.of(List.<String>of(), List.of("resnet99"), List.of("lenet5", "--batch", "0"),
                List.of("lenet5", "--dtype", "f64"), List.of("lenet5", "--frob", "1"), List.of("lenet5", "--batch"),
                List.of("lenet5", "--size", "3x3x3"), List.of("--batch", "2"))) {
            assertThrows(UsageException.class, () -> RunCommand.parse(bad), bad.toString());
        }
        InfoCommandTest.Run r = InfoCommandTest.run("run", "lenet5", "--engine", "nosuch", "--iterations", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nosuch"), r.err());
    }

    @Test
    void percentilesAreNearestRank() {
        long[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, RunCommand.percentile(v, 50));
        assertEquals(9, RunCommand.percentile(v, 90));
        assertEquals(10, RunCommand.percentile(v, 99));
        assertEquals(7, RunCommand.percentile(new long[] {7}, 50));
    }
}
