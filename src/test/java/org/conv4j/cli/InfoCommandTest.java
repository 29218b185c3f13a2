package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void infoListsEnginesSelectionCpuAndJdk() {
        Run r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("JDK       " + Runtime.version()), r.out());
        assertTrue(r.out().contains("reference  priority   0  available"), r.out());
        assertTrue(r.out().contains("Vector    preferred species"), r.out());
        for (String op : List.of("conv 3x3", "max pool", "lrn", "softmax")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  " + op)), "missing row " + op + "\n" + r.out());
        }
        assertTrue(r.out().contains("f32") && r.out().contains("f16") && r.out().contains("bf16"));
    }

    @Test
    void badArgumentsGiveUsageAndExitCodeTwo() {
        Run extra = run("info", "--bogus");
        assertEquals(Main.USAGE_ERROR, extra.code());
        assertTrue(extra.err().contains("usage: ./conv4j info"), extra.err());
        Run unknown = run("frobnicate");
        assertEquals(Main.USAGE_ERROR, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'") && unknown.err().contains("usage:"), unknown.err());
        Run none = run();
        assertEquals(Main.USAGE_ERROR, none.code());
        Run help = run("help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("info"));
    }
}
