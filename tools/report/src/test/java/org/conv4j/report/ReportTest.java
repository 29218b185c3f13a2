package org.conv4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.conv4j.cli.BenchShapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** From a small, hand-made JMH JSON and baseline CSV to the table, the Markdown and the chart. */
class ReportTest {
    /** A JMH run in JMH's JSON shape; rawData is one array per fork. */
    static String opRun(String shape, String engine, String dtype, int threads, String rawData) {
        return """
                {"jmhVersion": "1.37", "benchmark": "org.conv4j.bench.OpBenchmark.apply", "mode": "avgt", "threads": 1,
                 "forks": 1, "params": {"dtype": "%s", "engine": "%s", "shape": "%s", "threads": "%d"},
                 "primaryMetric": {"score": 0, "scoreError": "NaN", "scoreUnit": "ms/op", "rawData": %s},
                 "secondaryMetrics": {}}""".formatted(dtype, engine, shape, threads, rawData);
    }

    static String peakRun(int threads, String rawData) {
        return """
                {"benchmark": "org.conv4j.bench.PeakBenchmark.fma", "mode": "thrpt", "threads": %d,
                 "primaryMetric": {"score": 0, "scoreUnit": "ops/s", "rawData": %s}}""".formatted(threads, rawData);
    }

    static final String JSON = "[" + String.join(",",
            peakRun(1, "[[100000, 200000, 190000]]"),
            peakRun(2, "[[350000, 400000, 380000]]"),
            opRun("R2", "vector", "f32", 1, "[[2.0, 1.0, 1.2], [1.1]]"),
            opRun("R2", "reference", "f32", 1, "[[300.0, 310.0, 290.0]]"),
            opRun("D1", "vector", "f32", 1, "[[0.5, 0.5, 0.5]]"),
            opRun("R2", "onednn", "bf16", 2, "[[0.40, 0.50, 0.45]]"),
            opRun("R2", "vector", "f16", 2, "[[0.9, 1.0, 1.1]]"),
            """
            {"benchmark": "org.conv4j.bench.ModelBenchmark.resnet34", "mode": "avgt", "threads": 1,
             "primaryMetric": {"score": 1, "scoreUnit": "ms/op", "rawData": [[1.0]]}}""") + "]";

    static final List<String> CSV = List.of("id,dtype,threads,ms,gflops,ms_min,ms_max,samples,reps,impl",
            "R2,f32,1,1.100000,210.2,1.0,1.3,9,50,brg_conv_fwd:avx512_core",
            "R2,f32,1,1.300000,177.8,1.2,1.5,9,50,brg_conv_fwd:avx512_core",
            "R2,bf16,2,0.300000,770.7,0.29,0.31,9,50,brg_conv_fwd:avx512_core_bf16");

    static Table table() {
        Properties meta = new Properties();
        meta.setProperty("peak.flopsPerCall", "1000000");
        Results r = Results.fromJmh(JSON, meta);
        r.c().putAll(Results.parseCsv(CSV));
        return new Table(r);
    }

    @Test
    void rowsAreMediansOverAllForksWithGflopsPeakAndRatio() {
        Table t = table();
        // Peak: the best iteration, 200000 calls/s of 1e6 FLOPs = 200 GFLOP/s with 1 thread; 400 with 2.
        assertEquals(200.0, t.peaks.get(1).best(), 1e-9);
        assertEquals(190.0, t.peaks.get(1).median(), 1e-9);
        assertEquals(400.0, t.peaks.get(2).best(), 1e-9);

        Table.Row vector = find(t, "R2", "vector", "f32", 1);
        assertEquals(1.15, vector.ms(), 1e-12, "median of 2.0, 1.0, 1.2, 1.1 (both forks)");
        double flops = BenchShapes.byId("R2").flops();
        assertEquals(flops / 1.15e-3 / 1e9, vector.gflops(), 1e-9);
        assertEquals(100 * vector.gflops() / 200.0, vector.pctOfPeak(), 1e-9);
        // C: median of its two calls, 1.2 ms; ratio = C ms / Java ms.
        assertEquals(1.2 / 1.15, vector.ratioToC(), 1e-12);
        assertEquals(4, vector.stat().n());
        assertEquals((2.0 - 1.0) / 1.15, vector.stat().spread(), 1e-12);

        assertEquals(1.2 / 300.0, find(t, "R2", "reference", "f32", 1).ratioToC(), 1e-12);
        assertNull(find(t, "D1", "vector", "f32", 1).ratioToC(), "no C row for D1");
        assertNull(find(t, "R2", "vector", "f16", 2).ratioToC(), "no C row for f16");
        assertEquals(0.3 / 0.45, find(t, "R2", "onednn", "bf16", 2).ratioToC(), 1e-12);
        assertEquals(100 * find(t, "R2", "onednn", "bf16", 2).gflops() / 400.0,
                find(t, "R2", "onednn", "bf16", 2).pctOfPeak(), 1e-9);
        assertEquals(5, t.rows.size(), "ModelBenchmark runs are not rows of this table");
    }

    @Test
    void rowsFollowTheShapeTableThenDtypeThreadsEngine() {
        List<String> order = table().rows.stream().map(r -> r.shape() + " " + r.dtype() + " " + r.threads() + " " + r.engine())
                .toList();
        assertEquals(List.of("R2 f32 1 reference", "R2 f32 1 vector", "R2 f16 2 vector", "R2 bf16 2 onednn",
                "D1 f32 1 vector"), order.subList(0, 5));
    }

    private static Table.Row find(Table t, String shape, String engine, String dtype, int threads) {
        return t.rows.stream().filter(r -> r.shape().equals(shape) && r.engine().equals(engine) && r.dtype().equals(dtype)
                && r.threads() == threads).findFirst().orElseThrow();
    }

    @Test
    void markdownHasExactlyTheIssuesColumnsAndStatesTheNoise() {
        Properties meta = new Properties();
        meta.setProperty("machine", "Test CPU, 2 cores");
        meta.setProperty("note.0", "reference on B32: skipped");
        meta.setProperty("failed.0", "R5 vector f32 t=1: boom");
        String md = Markdown.render(table(), meta, "results.svg");
        assertTrue(md.contains("\n| shape id | engine | dtype | threads | ms | GFLOP/s | % of peak | ratio to C oneDNN |\n"), md);
        assertTrue(md.contains("**Machine:** Test CPU, 2 cores"), md);
        assertTrue(md.contains("| R2 | vector | f32 | 1 | 1.150 | "), md);
        assertTrue(md.contains(" | 1.04 |\n"), "ratio 1.2 / 1.15 as a plain number\n" + md);
        assertTrue(md.contains("| R2 | reference | f32 | 1 | 300.0 | "), md);
        assertTrue(md.contains(" | 0.004 |\n"), "small ratios keep two significant digits\n" + md);
        assertTrue(md.contains("| D1 | vector | f32 | 1 | 0.5000 | "), md);
        assertTrue(md.lines().filter(l -> l.startsWith("| D1 | vector")).findFirst().orElseThrow().endsWith(" |  |"), md);
        assertTrue(md.contains("**Noise:**") && md.contains("spread"), md);
        assertTrue(md.contains("## C oneDNN baseline") && md.contains("`brg_conv_fwd:avx512_core`"), md);
        assertTrue(md.contains("- reference on B32: skipped") && md.contains("- FAILED: R5 vector f32 t=1: boom"), md);
        assertTrue(md.contains("![GFLOP/s per shape and engine, FMA peak as a line](results.svg)"), md);
        for (String line : md.lines().filter(l -> l.startsWith("| R2 ") || l.startsWith("| D1 ")).toList()) {
            long cells = line.chars().filter(ch -> ch == '|').count();
            assertTrue(cells == 9 || cells == 10, line);
        }
    }

    @Test
    void anF32RowAboveThePeakIsFlagged() {
        Properties meta = new Properties();
        meta.setProperty("peak.flopsPerCall", "1000");
        Results r = Results.fromJmh(JSON, meta);
        r.c().putAll(Results.parseCsv(CSV));
        String md = Markdown.render(new Table(r), meta, null);
        assertTrue(md.contains("An f32 row passed the FMA peak with 1 thread") && md.contains("taps that fall into padding"), md);
        assertTrue(!md.contains("reached only"), "400 with 2 threads is 2x the 1-thread 200\n" + md);
    }

    @Test
    void aMultiThreadPeakThatDidNotScaleIsExplained() {
        Properties meta = new Properties();
        meta.setProperty("peak.flopsPerCall", "1000000");
        String json = "[" + peakRun(1, "[[200000]]") + "," + peakRun(2, "[[210000]]") + ","
                + opRun("R2", "vector", "f32", 2, "[[1.0]]") + "]";
        String md = Markdown.render(new Table(Results.fromJmh(json, meta)), meta, null);
        assertTrue(md.contains("With 2 threads the FMA peak reached only 1.1x the 1-thread peak"), md);
    }

    @Test
    void chartIsWellFormedSvgWithBarsAndPeakLines() throws Exception {
        String svg = Chart.render(table(), "test <chart>", "a machine");
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", d.getDocumentElement().getNodeName());
        // 5 Java rows + 2 C rows (R2 f32 t1, R2 bf16 t2) = 7 bars, each with a tooltip.
        assertEquals(7, d.getElementsByTagName("title").getLength());
        assertTrue(svg.contains("FMA peak 200 GFLOP/s") && svg.contains("FMA peak 400 GFLOP/s"), svg);
        assertTrue(svg.contains("f32, 1 thread") && svg.contains("bf16, 2 threads") && svg.contains("f16, 2 threads"));
        assertTrue(svg.contains("test &lt;chart&gt;"));
    }

    @Test
    void writesBothFilesFromAResultsFolder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("jmh.json"), JSON);
        Files.write(dir.resolve("baseline.csv"), CSV);
        Files.writeString(dir.resolve("suite.properties"), "peak.flopsPerCall=1000000\nmachine=Box\\: 2 cores\n",
                StandardCharsets.ISO_8859_1);
        Path md = dir.resolve("out/RESULTS.md");
        Report.write(dir, md, dir.resolve("out/results.svg"));
        String text = Files.readString(md);
        assertTrue(text.contains("**Machine:** Box: 2 cores"), text);
        assertTrue(text.contains("](results.svg)"), text);
        assertTrue(Files.readString(dir.resolve("out/results.svg")).startsWith("<svg"));
    }

    @Test
    void theReadmeTableIsReplacedBetweenItsMarkersOnly(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("jmh.json"), JSON);
        Files.write(dir.resolve("baseline.csv"), CSV);
        Files.writeString(dir.resolve("suite.properties"), "peak.flopsPerCall=1000000\nmode=quick\nmachine=Box\n");
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# Title\n\n## Benchmarks\n\nIntro.\n\n" + Markdown.README_START + "\nold table\n"
                + Markdown.README_END + "\n\n## Next\n");
        Path md = dir.resolve("bench/RESULTS.md");
        Path svg = dir.resolve("bench/results.svg");
        Report.write(dir, md, svg);
        assertTrue(Report.updateReadme(dir, md, svg, readme));
        String text = Files.readString(readme);
        assertTrue(text.startsWith("# Title\n\n## Benchmarks\n\nIntro.\n\n" + Markdown.README_START + "\n"), text);
        assertTrue(text.endsWith(Markdown.README_END + "\n\n## Next\n"), text);
        assertTrue(!text.contains("old table"), text);
        assertTrue(text.contains("`./conv4j bench --quick` (quick mode) on Box"), text);
        assertTrue(text.contains("[bench/RESULTS.md](bench/RESULTS.md)") && text.contains("[bench/results.svg]"), text);
        assertTrue(text.contains(Markdown.HEADER) && text.contains("| R2 | vector | f32 | 1 | 1.150 | "), text);
        // Twice gives the same text: nothing accumulates.
        assertTrue(Report.updateReadme(dir, md, svg, readme));
        assertEquals(text, Files.readString(readme));

        Path plain = dir.resolve("PLAIN.md");
        Files.writeString(plain, "no markers\n");
        assertTrue(!Report.updateReadme(dir, md, svg, plain));
        assertEquals("no markers\n", Files.readString(plain));
    }

    @Test
    void badInputIsNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> Results.load(dir));
        assertTrue(missing.getMessage().contains("jmh.json") && missing.getMessage().contains("does not exist"));
        IllegalArgumentException csv = assertThrows(IllegalArgumentException.class,
                () -> Results.parseCsv(List.of("id,dtype", "R2,f32,1,x,1,1,1,9,9,impl")));
        assertTrue(csv.getMessage().contains("line 2"), csv.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Results.parseCsv(List.of("R2,f32,1")));
        assertThrows(IllegalArgumentException.class, () -> Results.fromJmh("{}", new Properties()));
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> Results.fromJmh("[{\"benchmark\": ", new Properties()));
        assertTrue(truncated.getMessage().startsWith("JMH JSON: "), truncated.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> Results.fromJmh(
                "[{\"benchmark\": \"" + Results.PEAK_BENCHMARK + "\", \"threads\": 1, \"primaryMetric\":"
                        + " {\"scoreUnit\": \"ops/s\", \"rawData\": [[\"fast\"]]}}]", new Properties()));
        assertTrue(word.getMessage().contains("rawData is not a number: fast"), word.getMessage());
    }
}
