package org.conv4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.cli.BenchShapes;
import org.conv4j.spi.EngineRegistry;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmark suite: the FMA peak, every shape x available engine x dtype x thread count (one JMH fork
 * each), and the C oneDNN baseline next to the Java runs of the same group. Prints one progress line per run and
 * writes, into the output folder:
 * <ul>
 *   <li>{@code jmh.json}: every JMH run in JMH's own JSON format (rewritten after each run);</li>
 *   <li>{@code baseline.csv}: the C baseline's rows (see native/README.md);</li>
 *   <li>{@code suite.properties}: the machine, the settings, what was skipped or failed and why;</li>
 *   <li>{@code jmh.log}: JMH's full human-readable output.</li>
 * </ul>
 * {@code tools/report} turns them into bench/RESULTS.md and the chart.
 *
 * <p>Must run with {@code --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:-UseFPUForSpilling},
 * like the forks.
 */
public final class Suite {
    static final String USAGE = """
            usage: Suite [--quick] [--filter IDS] [--dtype LIST] [--threads LIST] [--rounds N] [--baseline PATH]
                         [--out DIR] [--dry-run]
              --quick          representative subset, short iterations (the whole ./conv4j bench under 5 minutes)
              --filter IDS     comma-separated shape ids of shared/shapes.md (%s)
              --dtype LIST     comma-separated dtypes (f32, f16, bf16; default: the mode's)
              --threads LIST   comma-separated thread counts, 'all' for every core (default: 1,all)
              --rounds N       passes over the plan, interleaved; medians over all (default: 1 quick, 2 full)
              --baseline PATH  the native/build/baseline binary; without it no C rows
              --out DIR        output folder (default bench/target/results)
              --dry-run        print the plan and exit""".formatted(BenchShapes.ids());

    /** JVM flags every fork gets besides the thread count. */
    static final List<String> FORK_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:-UseFPUForSpilling", "--sun-misc-unsafe-memory-access=allow", "-Xms1g",
            "-Xmx4g");

    private final Plan plan;
    private final Path out;
    private final Path baseline;
    private final PrintStream console;
    private final List<RunResult> results = new ArrayList<>();
    private final Properties meta = new Properties();
    private final List<String> failures = new ArrayList<>();
    private ProgressFormat jmhOut;

    Suite(Plan plan, Path out, Path baseline, PrintStream console) {
        this.plan = plan;
        this.out = out;
        this.baseline = baseline;
        this.console = console;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean dryRun = false;
        List<BenchShapes.Shape> filter = null;
        List<DType> dtypes = null;
        List<String> threads = null;
        Integer rounds = null;
        Path baseline = null;
        Path out = Path.of("bench", "target", "results");
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> quick = true;
                    case "--dry-run" -> dryRun = true;
                    case "--filter" -> filter = BenchShapes.parse(value(args, ++i, a));
                    case "--dtype" -> dtypes = java.util.Arrays.stream(value(args, ++i, a).split(","))
                            .map(DType::parse).distinct().toList();
                    case "--threads" -> threads = List.of(value(args, ++i, a).split(","));
                    case "--rounds" -> {
                        rounds = Integer.parseInt(value(args, ++i, a));
                        if (rounds < 1) {
                            throw new IllegalArgumentException("--rounds must be at least 1, was " + rounds);
                        }
                    }
                    case "--baseline" -> baseline = Path.of(value(args, ++i, a));
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            if (baseline != null && !Files.isExecutable(baseline)) {
                throw new IllegalArgumentException("--baseline " + baseline + " is not an executable file");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("Suite: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Plan.Mode mode = quick ? Plan.QUICK : Plan.FULL;
        int cores = Runtime.getRuntime().availableProcessors();
        Plan plan;
        try {
            plan = Plan.build(mode, rounds != null ? rounds : quick ? 1 : 2, filter, dtypes,
                    Plan.threadCounts(threads, cores), baseline != null);
        } catch (IllegalArgumentException e) {
            System.err.println("Suite: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Suite suite = new Suite(plan, out, baseline, System.out);
        StringBuilder options = new StringBuilder(quick ? "--quick" : "");
        if (filter != null) {
            options.append(options.isEmpty() ? "" : " ").append("--filter ")
                    .append(String.join(",", filter.stream().map(BenchShapes.Shape::id).toList()));
        }
        if (dtypes != null) {
            options.append(options.isEmpty() ? "" : " ").append("--dtype ")
                    .append(String.join(",", dtypes.stream().map(DType::id).toList()));
        }
        if (threads != null) {
            options.append(options.isEmpty() ? "" : " ").append("--threads ").append(String.join(",", threads));
        }
        if (rounds != null) {
            options.append(options.isEmpty() ? "" : " ").append("--rounds ").append(rounds);
        }
        if (baseline == null) {
            options.append(options.isEmpty() ? "" : " ").append("--no-baseline");
        }
        suite.meta.setProperty("options", options.toString());
        suite.printPlan();
        if (dryRun) {
            plan.steps().forEach(s -> System.out.println("  round " + s.round() + "  " + s.kind() + "  " + s.label()));
            return;
        }
        int failed = suite.run(args);
        System.exit(failed == 0 ? 0 : 3);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    void printPlan() {
        console.println("conv4j bench (" + plan.mode().name() + "): " + Machine.describe());
        for (EngineRegistry.EngineStatus s : Conv4j.engines()) {
            console.println("  engine " + s.name() + ": " + (s.available() ? s.detail() : "unavailable, " + s.detail()));
        }
        for (String n : plan.notes()) {
            console.println("  note: " + n);
        }
        console.printf(Locale.ROOT, "  plan: %d JMH forks, %d C baseline calls, %d round(s); about %s%n",
                plan.count(Plan.Kind.JAVA) + plan.count(Plan.Kind.PEAK), plan.count(Plan.Kind.C), plan.rounds(),
                minutes(plan.estimateSeconds()));
    }

    /** Runs every step; returns the number of failed steps. */
    int run(String[] args) throws IOException {
        Files.createDirectories(out);
        // Several JMH runs in sequence (and other users of this shared machine) must not trip JMH's global lock.
        System.setProperty("jmh.ignoreLock", "true");
        Path log = out.resolve("jmh.log");
        Path csv = out.resolve("baseline.csv");
        Files.writeString(csv, "id,dtype,threads,ms,gflops,ms_min,ms_max,samples,reps,impl\n");
        Instant start = Instant.now();
        meta.setProperty("command", "Suite " + String.join(" ", args));
        meta.setProperty("mode", plan.mode().name());
        meta.setProperty("rounds", Integer.toString(plan.rounds()));
        meta.setProperty("machine", Machine.describe());
        meta.setProperty("cpu", Machine.cpuModel());
        meta.setProperty("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        meta.setProperty("jdk", Runtime.version() + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + ")");
        meta.setProperty("started", start.toString());
        meta.setProperty("jmh.warmup", "pre-warm until the time per call settles (" + plan.mode().prewarmMin() + " to "
                + plan.mode().prewarmMax() + " s), then " + plan.mode().warmupIterations() + " x "
                + plan.mode().warmupSeconds() + " s");
        meta.setProperty("jmh.measurement", plan.mode().iterations() + " x " + plan.mode().iterationSeconds() + " s");
        meta.setProperty("jmh.forkFlags", String.join(" ", FORK_FLAGS) + " -Dconv4j.threads=N");
        meta.setProperty("c.settings", "warm-up " + plan.mode().cWarmup() + " s, median of " + plan.mode().cSamples()
                + " samples of " + plan.mode().cSampleTime() + " s, OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=N");
        meta.setProperty("c.binary", baseline == null ? "not run" : baseline.toString());
        meta.setProperty("peak.flopsPerCall", Long.toString(PeakBenchmark.flopsPerCall()));
        meta.setProperty("peak.kernel", PeakBenchmark.ACCUMULATORS + " independent FloatVector.fma chains, "
                + PeakBenchmark.SPECIES.vectorBitSize() + "-bit species");
        for (EngineRegistry.EngineStatus s : Conv4j.engines()) {
            meta.setProperty("engine." + s.name(), (s.available() ? "" : "unavailable: ") + s.detail());
        }
        for (int i = 0; i < plan.notes().size(); i++) {
            meta.setProperty("note." + i, plan.notes().get(i));
        }
        writeMeta();

        try (PrintStream jmhLog = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            jmhOut = new ProgressFormat(jmhLog, console);
            int n = plan.steps().size();
            for (int i = 0; i < n; i++) {
                Plan.Step step = plan.steps().get(i);
                double elapsed = Duration.between(start, Instant.now()).toMillis() / 1e3;
                String eta = i == 0 ? "" : " ~" + minutes(elapsed / i * (n - i)) + " left";
                console.printf(Locale.ROOT, "[%3d/%d %s%s] %s ", i + 1, n, minutes(elapsed), eta, step.label());
                console.flush();
                String result;
                try {
                    result = step.kind() == Plan.Kind.C ? runC(step, csv) : runJmh(step);
                } catch (RuntimeException | RunnerException | IOException | InterruptedException e) {
                    result = "FAILED: " + e;
                }
                if (result.startsWith("FAILED")) {
                    failures.add(step.label().replaceAll("\\s+", " ") + ": " + result.substring(8));
                }
                console.println(result);
                writeJson();
            }
        }
        meta.setProperty("finished", Instant.now().toString());
        for (int i = 0; i < failures.size(); i++) {
            meta.setProperty("failed." + i, failures.get(i));
        }
        writeMeta();
        console.printf(Locale.ROOT, "done in %s: %d runs, %d failed; results in %s%n",
                minutes(Duration.between(start, Instant.now()).toMillis() / 1e3), n(plan), failures.size(), out);
        return failures.size();
    }

    private static int n(Plan plan) {
        return plan.steps().size();
    }

    private String runJmh(Plan.Step step) throws RunnerException {
        Plan.Mode m = plan.mode();
        ChainedOptionsBuilder o = new OptionsBuilder()
                .forks(1)
                .warmupIterations(m.warmupIterations())
                .warmupTime(TimeValue.milliseconds(Math.round(m.warmupSeconds() * 1000)))
                .measurementIterations(m.iterations())
                .measurementTime(TimeValue.milliseconds(Math.round(m.iterationSeconds() * 1000)))
                .shouldFailOnError(false);
        List<String> jvm = new ArrayList<>(FORK_FLAGS);
        if (step.kind() == Plan.Kind.PEAK) {
            // The peak kernel has no pre-warm: three warm-up iterations are its C2 time.
            o.include(PeakBenchmark.class.getName() + ".fma$").threads(step.threads())
                    .warmupIterations(Math.max(3, m.warmupIterations()));
        } else {
            jvm.add("-D" + Conv4j.THREADS_PROPERTY + "=" + step.threads());
            jvm.add("-D" + OpBenchmark.PREWARM_MIN + "=" + m.prewarmMin());
            jvm.add("-D" + OpBenchmark.PREWARM_MAX + "=" + m.prewarmMax());
            o.include(OpBenchmark.class.getName() + ".apply$").threads(1)
                    .param("shape", step.shape()).param("engine", step.engine())
                    .param("dtype", step.dtype().id()).param("threads", Integer.toString(step.threads()));
        }
        o.jvmArgs(jvm.toArray(String[]::new));
        jmhOut.reset();
        Collection<RunResult> r = new Runner(o.build(), jmhOut).run();
        if (r.isEmpty()) {
            return "FAILED: " + (jmhOut.error() != null ? jmhOut.error() : "no result, see jmh.log");
        }
        results.addAll(r);
        RunResult rr = r.iterator().next();
        Stats st = Stats.of(rr);
        if (step.kind() == Plan.Kind.PEAK) {
            double gflops = st.median() * PeakBenchmark.flopsPerCall() / 1e9;
            return String.format(Locale.ROOT, "%8.1f GFLOP/s  spread %s", gflops, st.spreadText());
        }
        double flops = BenchShapes.byId(step.shape()).flops();
        return String.format(Locale.ROOT, "%10.3f ms %8.2f GFLOP/s  spread %s", st.median(),
                flops / (st.median() * 1e-3) / 1e9, st.spreadText());
    }

    private String runC(Plan.Step step, Path csv) throws IOException, InterruptedException {
        Plan.Mode m = plan.mode();
        ProcessBuilder pb = new ProcessBuilder(baseline.toString(), "--shapes", step.shape(), "--dtypes",
                step.dtype().id(), "--no-header", "--warmup", Double.toString(m.cWarmup()), "--samples",
                Integer.toString(m.cSamples()), "--sample-time", Double.toString(m.cSampleTime()));
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(step.threads()));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Path err = out.resolve("baseline.stderr");
        pb.redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()));
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return "FAILED: timed out";
        }
        if (p.exitValue() != 0) {
            return "FAILED: exit code " + p.exitValue() + " (see baseline.stderr)";
        }
        String row = stdout.strip();
        if (row.isEmpty()) {
            return "(oneDNN has no implementation for this dtype here)";
        }
        Files.writeString(csv, row + "\n", java.nio.file.StandardOpenOption.APPEND);
        String[] f = row.split(",");
        return String.format(Locale.ROOT, "%10.3f ms %8.2f GFLOP/s  spread %.1f%%  %s", Double.parseDouble(f[3]),
                Double.parseDouble(f[4]), 100 * (Double.parseDouble(f[6]) - Double.parseDouble(f[5]))
                        / Double.parseDouble(f[3]), f[9]);
    }

    private void writeJson() {
        try (PrintStream ps = new PrintStream(Files.newOutputStream(out.resolve("jmh.json")), false,
                StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeMeta() throws IOException {
        // Sorted keys, no timestamp comment: a diff between runs shows what changed.
        Map<String, String> sorted = new TreeMap<>();
        meta.forEach((k, v) -> sorted.put((String) k, (String) v));
        StringBuilder sb = new StringBuilder("# written by org.conv4j.bench.Suite, read by tools/report\n");
        sorted.forEach((k, v) -> sb.append(escape(k)).append('=').append(escape(v)).append('\n'));
        Files.writeString(out.resolve("suite.properties"), sb.toString(), StandardCharsets.ISO_8859_1);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case ':', '=', '#', '!' -> b.append('\\').append(c);
                default -> {
                    if (c > 0x7e || c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    static String minutes(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
