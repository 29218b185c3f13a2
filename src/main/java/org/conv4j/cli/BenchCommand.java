package org.conv4j.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code ./conv4j bench [--quick] [--filter IDS] [--dtype LIST] [--threads LIST] [--rounds N] [--no-baseline]
 * [--dry-run]}: builds the library, the
 * JMH suite (bench/), the report tool (tools/report) and the C baseline (native/, when gcc is there), runs the
 * suite with a progress line per run, and writes bench/RESULTS.md, bench/results.svg and the table in README.md
 * (between its bench-table markers).
 *
 * <p>The suite needs Maven artifacts (JMH) that the library does not depend on, so this command drives the build
 * and starts the suite in its own JVM; everything it runs is printed by {@code --dry-run}.
 */
final class BenchCommand implements Command {
    /**
     * Parsed arguments. {@code filter}, {@code dtypes} and {@code threads} are null for the mode's own lists (they
     * are normalised comma lists otherwise); {@code rounds} null for its default.
     */
    record Options(boolean quick, String filter, String dtypes, String threads, Integer rounds, boolean baseline,
                   boolean dryRun) {
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String usage() {
        return "[--quick] [--filter IDS] [--dtype f32,f16,bf16] [--threads 1,all] [--rounds N] [--no-baseline] [--dry-run]";
    }

    @Override
    public String summary() {
        return "benchmark suite + C oneDNN baseline -> bench/RESULTS.md (--quick: under 5 minutes)";
    }

    static Options parse(List<String> args) throws UsageException {
        boolean quick = false;
        boolean baseline = true;
        boolean dryRun = false;
        String filter = null;
        String dtypes = null;
        String threads = null;
        Integer rounds = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick" -> quick = true;
                case "--no-baseline" -> baseline = false;
                case "--dry-run" -> dryRun = true;
                case "--filter" -> {
                    String v = value(args, ++i, a, "shape ids, e.g. R2,B32 (known: " + BenchShapes.ids() + ")");
                    try {
                        filter = BenchShapes.parse(v).stream().map(BenchShapes.Shape::id)
                                .collect(Collectors.joining(","));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--filter: " + e.getMessage());
                    }
                }
                case "--dtype" -> {
                    String v = value(args, ++i, a, "dtypes, e.g. f32 or f32,bf16");
                    List<String> ids = new ArrayList<>();
                    for (String d : commaList(a, v)) {
                        try {
                            String id = org.conv4j.DType.parse(d).id();
                            if (!ids.contains(id)) {
                                ids.add(id);
                            }
                        } catch (IllegalArgumentException e) {
                            throw new UsageException("--dtype: " + e.getMessage());
                        }
                    }
                    dtypes = String.join(",", ids);
                }
                case "--threads" -> {
                    String v = value(args, ++i, a, "thread counts, e.g. 1 or 1,all");
                    List<String> counts = new ArrayList<>();
                    for (String t : commaList(a, v)) {
                        String n = t.equalsIgnoreCase("all") ? "all" : t;
                        if (!n.equals("all")) {
                            int k;
                            try {
                                k = Integer.parseInt(t);
                            } catch (NumberFormatException e) {
                                k = -1;
                            }
                            if (k < 1) {
                                throw new UsageException("--threads: each entry must be a positive integer or 'all', was '"
                                        + t + "'");
                            }
                            n = Integer.toString(k);
                        }
                        if (!counts.contains(n)) {
                            counts.add(n);
                        }
                    }
                    threads = String.join(",", counts);
                }
                case "--rounds" -> {
                    String v = value(args, ++i, a, "a positive number of rounds");
                    try {
                        rounds = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        rounds = -1;
                    }
                    if (rounds < 1) {
                        throw new UsageException("--rounds must be a positive integer, was '" + v + "'");
                    }
                }
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        return new Options(quick, filter, dtypes, threads, rounds, baseline, dryRun);
    }

    private static List<String> commaList(String flag, String v) throws UsageException {
        List<String> out = new ArrayList<>();
        for (String e : v.split(",", -1)) {
            if (e.isBlank()) {
                throw new UsageException(flag + ": empty entry in '" + v + "'");
            }
            out.add(e.strip());
        }
        return out;
    }

    private static String value(List<String> args, int i, String flag, String what) throws UsageException {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(flag + " needs a value: " + what);
        }
        return args.get(i);
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = parse(args);
        Path root = projectRoot();
        boolean gcc = hasGcc();
        if (o.baseline() && !gcc) {
            err.println("bench: no gcc, make or unzip on the PATH: running without the C oneDNN baseline");
        }
        List<Step> steps = steps(o, root, gcc);
        if (o.dryRun()) {
            out.println("conv4j bench would run, in " + root + ":");
            for (Step s : steps) {
                out.println("  " + s.what() + ": " + String.join(" ", s.command()));
            }
            return 0;
        }
        Path log = root.resolve("bench/target/build.log");
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
        int suiteExit = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.kind() == Kind.BUILD || s.kind() == Kind.OPTIONAL_BUILD) {
                out.println("bench: " + s.what() + " (log: " + root.relativize(log) + ")");
                out.flush();
                int rc = exec(s.command(), root, ProcessBuilder.Redirect.appendTo(log.toFile()));
                if (rc != 0) {
                    if (s.kind() == Kind.OPTIONAL_BUILD) {
                        err.println("bench: " + s.what() + " failed (exit " + rc + "); continuing without the C "
                                + "baseline. Log: " + log);
                        // Same steps in the same places, the suite's --baseline dropped.
                        steps = withoutBaseline(steps);
                        continue;
                    }
                    err.println(tail(log, 40));
                    err.println("bench: " + s.what() + " failed (exit " + rc + "); full log: " + log);
                    return 1;
                }
            } else {
                int rc = exec(s.command(), root, ProcessBuilder.Redirect.INHERIT);
                if (s.kind() == Kind.SUITE) {
                    suiteExit = rc;
                    if (rc != 0 && rc != 3) {
                        err.println("bench: the suite stopped with exit code " + rc);
                        return 1;
                    }
                } else if (rc != 0) {
                    err.println("bench: " + s.what() + " failed (exit " + rc + ")");
                    return 1;
                }
            }
        }
        out.println("bench: wrote " + root.relativize(root.resolve("bench/RESULTS.md")) + " and bench/results.svg"
                + (suiteExit == 3 ? " (some runs FAILED: see the report's last section)" : ""));
        return suiteExit == 0 ? 0 : 1;
    }

    /** How a step runs: builds log to a file (an optional one may fail), the suite and report print to the console. */
    enum Kind { BUILD, OPTIONAL_BUILD, SUITE, REPORT }

    /** One external command and what it does. */
    record Step(String what, List<String> command, Kind kind) {
    }

    static List<Step> steps(Options o, Path root, boolean gcc) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String mvnw = root.resolve("mvnw").toString();
        List<Step> steps = new ArrayList<>();
        // One Maven run builds the library, the suite and the report tool, the latter two against this checkout.
        steps.add(new Step("building the library, the benchmarks and the report tool", List.of(mvnw, "-q", "-B", "-f",
                root.resolve("tools/reactor/pom.xml").toString(), "-DskipTests", "package"), Kind.BUILD));
        boolean withC = o.baseline() && gcc;
        if (withC) {
            steps.add(new Step("building the C oneDNN baseline", List.of("make", "-s", "-C",
                    root.resolve("native").toString()), Kind.OPTIONAL_BUILD));
        }
        Path results = root.resolve("bench/target/results");
        // Library classes first: the suite measures this checkout, whatever conv4j jar the local repository holds.
        // The library's own run-time class path too (e.g. the oneDNN binaries, an optional dependency of conv4j).
        String libCp = File.pathSeparator + "@" + root.resolve("target/runtime-classpath.txt");
        String benchCp = root.resolve("bench/target/classes") + File.pathSeparator + root.resolve("target/classes")
                + libCp + File.pathSeparator + "@" + root.resolve("bench/target/runtime-classpath.txt");
        List<String> suite = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:-UseFPUForSpilling", "--sun-misc-unsafe-memory-access=allow", "-cp", benchCp,
                "org.conv4j.bench.Suite", "--out", results.toString()));
        if (o.quick()) {
            suite.add("--quick");
        }
        if (o.filter() != null) {
            suite.addAll(List.of("--filter", o.filter()));
        }
        if (o.dtypes() != null) {
            suite.addAll(List.of("--dtype", o.dtypes()));
        }
        if (o.threads() != null) {
            suite.addAll(List.of("--threads", o.threads()));
        }
        if (o.rounds() != null) {
            suite.addAll(List.of("--rounds", o.rounds().toString()));
        }
        if (withC) {
            suite.addAll(List.of("--baseline", root.resolve("native/build/baseline").toString()));
        }
        steps.add(new Step("run the suite", suite, Kind.SUITE));
        String reportCp = root.resolve("tools/report/target/classes") + File.pathSeparator + root.resolve("target/classes")
                + libCp + File.pathSeparator + "@" + root.resolve("tools/report/target/runtime-classpath.txt");
        steps.add(new Step("write the report", List.of(java, "-cp", reportCp, "org.conv4j.report.Report", "--results",
                results.toString(), "--md", root.resolve("bench/RESULTS.md").toString(), "--svg",
                root.resolve("bench/results.svg").toString(), "--readme", root.resolve("README.md").toString()),
                Kind.REPORT));
        return steps;
    }

    static List<Step> withoutBaseline(List<Step> steps) {
        List<Step> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.command().contains("--baseline")) {
                List<String> c = new ArrayList<>(s.command());
                int i = c.indexOf("--baseline");
                c.remove(i + 1);
                c.remove(i);
                out.add(new Step(s.what(), c, s.kind()));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /** Runs a command; a class path given as {@code @file} is expanded from that file first. */
    private static int exec(List<String> command, Path dir, ProcessBuilder.Redirect output)
            throws IOException, InterruptedException {
        List<String> c = new ArrayList<>();
        for (String part : command) {
            c.add(expandClassPath(part));
        }
        ProcessBuilder pb = new ProcessBuilder(c).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (output == ProcessBuilder.Redirect.INHERIT) {
            pb.inheritIO();
        } else {
            pb.redirectErrorStream(true).redirectOutput(output);
        }
        return pb.start().waitFor();
    }

    /**
     * In a class path, each {@code @file} entry becomes the class path listed in that file (written by the build, so
     * read only when the command starts); a missing or empty file contributes nothing.
     */
    static String expandClassPath(String part) throws IOException {
        if (!part.contains(File.pathSeparator + "@")) {
            return part;
        }
        List<String> entries = new ArrayList<>();
        for (String e : part.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
            if (e.startsWith("@")) {
                Path file = Path.of(e.substring(1));
                String listed = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
                if (!listed.isEmpty()) {
                    entries.add(listed);
                }
            } else if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    /** Whether the C baseline can be built here: gcc, make and unzip on the PATH. */
    static boolean hasGcc() {
        return onPath("gcc") && onPath("make") && onPath("unzip");
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The source checkout: {@code conv4j.home} if set, else the folder above {@code target/classes} this class was
     * loaded from (the launcher runs from there).
     */
    static Path projectRoot() {
        String home = System.getProperty("conv4j.home");
        Path root;
        if (home != null && !home.isBlank()) {
            root = Path.of(home);
        } else {
            try {
                Path classes = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                root = classes.getParent() != null && classes.getParent().getParent() != null
                        ? classes.getParent().getParent() : classes;
            } catch (URISyntaxException | RuntimeException e) {
                root = Path.of("").toAbsolutePath();
            }
        }
        root = root.toAbsolutePath().normalize();
        if (!Files.exists(root.resolve("bench/pom.xml"))) {
            throw new IllegalStateException("bench needs the conv4j source checkout (bench/pom.xml); not found under "
                    + root + " (set -Dconv4j.home=DIR)");
        }
        return root;
    }
}
