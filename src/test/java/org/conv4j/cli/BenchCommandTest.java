package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./conv4j bench}: argument parsing and the commands it would run; JMH itself is not started here. */
class BenchCommandTest {
    @Test
    void defaultsAreTheFullSuiteWithTheBaseline() throws UsageException {
        BenchCommand.Options o = BenchCommand.parse(List.of());
        assertFalse(o.quick());
        assertNull(o.filter());
        assertNull(o.dtypes());
        assertNull(o.threads());
        assertNull(o.rounds());
        assertTrue(o.baseline());
        assertFalse(o.dryRun());
    }

    @Test
    void parsesEveryOptionAndNormalisesShapeIds() throws UsageException {
        BenchCommand.Options o = BenchCommand.parse(List.of("--quick", "--filter", "b32,r2", "--rounds", "3",
                "--no-baseline", "--dry-run"));
        assertTrue(o.quick());
        assertEquals("R2,B32", o.filter(), "catalogue order, upper case");
        assertEquals(3, o.rounds());
        assertFalse(o.baseline());
        assertTrue(o.dryRun());
        BenchCommand.Options d = BenchCommand.parse(List.of("--dtype", "F32,bf16,f32", "--threads", "1,ALL,1,4"));
        assertEquals("f32,bf16", d.dtypes(), "ids, deduplicated in order");
        assertEquals("1,all,4", d.threads());
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheProblem() {
        assertUsage("unknown argument '--fast'", "--fast");
        assertUsage("--filter needs a value", "--filter");
        assertUsage("--filter needs a value", "--filter", "--quick");
        assertUsage("shape id 'X9' is not in shared/shapes.md", "--filter", "R2,X9");
        assertUsage("empty entry", "--filter", "R2,,R3");
        assertUsage("--rounds must be a positive integer, was '0'", "--rounds", "0");
        assertUsage("--rounds must be a positive integer, was 'two'", "--rounds", "two");
        assertUsage("--rounds needs a value", "--rounds");
        assertUsage("--dtype: dtype must be one of f32, f16, bf16, was 'fp8'", "--dtype", "f32,fp8");
        assertUsage("--dtype: empty entry", "--dtype", "f32,");
        assertUsage("--dtype needs a value", "--dtype");
        assertUsage("--threads: each entry must be a positive integer or 'all', was '0'", "--threads", "0");
        assertUsage("--threads: each entry must be a positive integer or 'all', was 'many'", "--threads", "1,many");
        assertUsage("--threads needs a value", "--threads", "--quick");
    }

    private static void assertUsage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> BenchCommand.parse(List.of(args)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        InfoCommandTest.Run r = InfoCommandTest.run(prepend("bench", args));
        assertEquals(Main.USAGE_ERROR, r.code(), r.err());
        assertTrue(r.err().contains("usage: ./conv4j bench [--quick] [--filter IDS]"), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals("", r.out());
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void dryRunPrintsTheBuildSuiteAndReportCommands() {
        InfoCommandTest.Run r = InfoCommandTest.run("bench", "--quick", "--filter", "R2,P1", "--no-baseline", "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tools/reactor/pom.xml -DskipTests package"), r.out());
        assertTrue(r.out().contains("org.conv4j.bench.Suite --out "), r.out());
        assertTrue(r.out().contains("--quick --filter R2,P1"), r.out());
        assertTrue(r.out().contains("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"), r.out());
        assertTrue(r.out().contains("org.conv4j.report.Report --results "), r.out());
        assertTrue(r.out().contains("bench/RESULTS.md --svg "), r.out());
        assertFalse(r.out().contains("--baseline"), "--no-baseline: no C step\n" + r.out());
        assertFalse(r.out().contains("make -s -C"), r.out());
        InfoCommandTest.Run narrow = InfoCommandTest.run("bench", "--filter", "S1", "--dtype", "f32", "--threads", "1",
                "--no-baseline", "--dry-run");
        assertEquals(0, narrow.code(), narrow.err());
        assertTrue(narrow.out().contains("--filter S1 --dtype f32 --threads 1"), narrow.out());
    }

    @Test
    void theBaselineIsBuiltAndPassedOnlyWhenGccIsThere() {
        Path root = BenchCommand.projectRoot();
        BenchCommand.Options o = new BenchCommand.Options(true, null, null, null, null, true, false);
        List<BenchCommand.Step> with = BenchCommand.steps(o, root, true);
        assertTrue(with.stream().anyMatch(s -> s.kind() == BenchCommand.Kind.OPTIONAL_BUILD
                && s.command().contains("make")));
        BenchCommand.Step suite = with.stream().filter(s -> s.kind() == BenchCommand.Kind.SUITE).findFirst().orElseThrow();
        int i = suite.command().indexOf("--baseline");
        assertTrue(i > 0 && suite.command().get(i + 1).endsWith("native" + File.separator + "build" + File.separator
                + "baseline"), suite.command().toString());
        List<BenchCommand.Step> without = BenchCommand.steps(o, root, false);
        assertTrue(without.stream().noneMatch(s -> s.command().contains("make") || s.command().contains("--baseline")));
        assertEquals(List.of(BenchCommand.Kind.BUILD, BenchCommand.Kind.SUITE, BenchCommand.Kind.REPORT),
                without.stream().map(BenchCommand.Step::kind).toList());
    }

    @Test
    void aFailedBaselineBuildDropsOnlyTheBaselineArgument() {
        Path root = BenchCommand.projectRoot();
        List<BenchCommand.Step> with = BenchCommand.steps(new BenchCommand.Options(false, "R2", null, null, null, true, false), root, true);
        List<BenchCommand.Step> without = BenchCommand.withoutBaseline(with);
        assertEquals(with.size(), without.size(), "same steps in the same places");
        for (int i = 0; i < with.size(); i++) {
            List<String> a = new java.util.ArrayList<>(with.get(i).command());
            int at = a.indexOf("--baseline");
            if (at >= 0) {
                a.remove(at + 1);
                a.remove(at);
            }
            assertEquals(a, without.get(i).command());
        }
        assertTrue(without.stream().noneMatch(s -> s.command().contains("--baseline")));
    }

    @Test
    void classPathFilesAreExpandedWhenTheCommandStarts(@TempDir Path dir) throws Exception {
        Path listed = dir.resolve("cp.txt");
        Files.writeString(listed, "/x/jmh.jar:/x/other.jar\n");
        String sep = File.pathSeparator;
        assertEquals("/a" + sep + "/x/jmh.jar:/x/other.jar" + sep + "/b",
                BenchCommand.expandClassPath("/a" + sep + "@" + listed + sep + "/b"));
        assertEquals("/a", BenchCommand.expandClassPath("/a" + sep + "@" + dir.resolve("missing.txt")));
        assertEquals("--quick", BenchCommand.expandClassPath("--quick"));
    }

    @Test
    void theProjectRootIsTheCheckoutWithTheBenchmarks() {
        Path root = BenchCommand.projectRoot();
        assertTrue(Files.exists(root.resolve("bench/pom.xml")));
        assertTrue(Files.exists(root.resolve("tools/reactor/pom.xml")));
        assertTrue(Files.exists(root.resolve("native/Makefile")));
    }
}
