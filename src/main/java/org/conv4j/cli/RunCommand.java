package org.conv4j.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.nn.Architectures;
import org.conv4j.nn.Graph;
import org.conv4j.nn.MemoryPlan;
import org.conv4j.nn.Model;
import org.conv4j.nn.ModelConfig;
import org.conv4j.nn.OffHeapMeter;
import org.conv4j.nn.Session;
import org.conv4j.nn.Summary;
import org.conv4j.nn.Checkpoint;

/**
 * {@code ./conv4j run MODEL}: builds one of the seed's networks, compiles it on the chosen engines, and reports
 * throughput (images/s), latency percentiles per batch, and the planned and measured peak activation memory.
 */
final class RunCommand implements Command {
    @Override
    public String name() {
        return "run";
    }

    @Override
    public String usage() {
        return "MODEL [--batch N] [--dtype f32|f16|bf16] [--engine NAME] [--size HxW] [--classes K] [--layout nhwc|nchw]"
                + " [--weights FILE.safetensors] [--iterations N] [--warmup N] [--seconds S] [--summary]";
    }

    @Override
    public String summary() {
        return "run a network (" + String.join(", ", Architectures.names()) + "): images/s, latency, memory";
    }

    /** Parsed arguments. */
    record Options(String model, ModelConfig config, String engine, Path weights, int iterations, int warmup,
                   double seconds, boolean summary) {
    }

    static Options parse(List<String> args) throws UsageException {
        if (args.isEmpty()) {
            throw new UsageException("which model? one of " + Architectures.names());
        }
        String model = args.get(0);
        if (model.startsWith("-")) {
            throw new UsageException("the model name comes first, got " + model);
        }
        ModelConfig c;
        try {
            c = Architectures.defaultConfig(model);
            Architectures.build(model, c.withSize(c.height(), c.width()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String engine = "auto";
        Path weights = null;
        int iterations = 20;
        int warmup = 2;
        double seconds = 30;
        boolean summary = false;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--summary")) {
                summary = true;
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new UsageException(a + " needs a value");
            }
            String v = args.get(++i);
            try {
                switch (a) {
                    case "--batch" -> c = c.withBatch(positive(a, v));
                    case "--dtype" -> c = c.withDType(DType.parse(v));
                    case "--engine" -> engine = v.toLowerCase(Locale.ROOT);
                    case "--classes" -> c = c.withClasses(positive(a, v));
                    case "--layout" -> c = c.withLayout(switch (v.toLowerCase(Locale.ROOT)) {
                        case "nhwc" -> Layout.NHWC;
                        case "nchw" -> Layout.NCHW;
                        default -> throw new UsageException("--layout must be nhwc or nchw, was " + v);
                    });
                    case "--size" -> {
                        String[] hw = v.toLowerCase(Locale.ROOT).split("x");
                        if (hw.length > 2) {
                            throw new UsageException("--size must be H or HxW, was " + v);
                        }
                        int h = positive(a, hw[0]);
                        c = c.withSize(h, hw.length == 2 ? positive(a, hw[1]) : h);
                    }
                    case "--weights" -> weights = Path.of(v);
                    case "--iterations" -> iterations = positive(a, v);
                    case "--warmup" -> {
                        warmup = Integer.parseInt(v);
                        if (warmup < 0) {
                            throw new UsageException("--warmup must be 0 or more, was " + v);
                        }
                    }
                    case "--seconds" -> {
                        seconds = Double.parseDouble(v);
                        if (!(seconds > 0)) {
                            throw new UsageException("--seconds must be positive, was " + v);
                        }
                    }
                    default -> throw new UsageException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new UsageException(a + " needs a number, got '" + v + "'");
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        return new Options(model, c, engine, weights, iterations, warmup, seconds, summary);
    }

    private static int positive(String name, String v) throws UsageException {
        try {
            int n = Integer.parseInt(v.trim());
            if (n <= 0) {
                throw new UsageException(name + " must be positive, was " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a positive integer, got '" + v + "'");
        }
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Options o = parse(args);
        ModelConfig c = o.config();
        Graph g = Architectures.build(o.model(), c);
        out.printf(Locale.ROOT, "model     %s, input %s, %s classes%n", g.name(), g.input().spec().describe(), c.classes());
        out.printf(Locale.ROOT, "size      %s parameters, %s multiply-adds per batch%n",
                Summary.count(g.parameterCount()), Summary.count(g.multiplyAdds()));
        Checkpoint w;
        long t0 = System.nanoTime();
        if (o.weights() != null) {
            w = Checkpoint.load(o.weights());
            List<String> unused = w.check(g);
            out.println("weights   " + o.weights() + " (" + w.size() + " tensors" + (unused.isEmpty() ? ""
                    : ", " + unused.size() + " unused: " + unused.subList(0, Math.min(5, unused.size()))) + ")");
        } else {
            w = Checkpoint.random(g, 42);
            out.println("weights   random (He normal before ReLU, Glorot uniform elsewhere, identity batch norms)");
        }
        // fused plan: ResNet's last convolution of each unit runs with the skip sum and ReLU as one operation
        try (Model m = Model.compile(g, w, o.engine(), MemoryPlan.fused(g))) {
            w = null; // the engines hold their own copies
            double compileS = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "engines   %s (requested %s), %d intra-op threads; prepared in %.2f s%n",
                    describe(m.engineCounts()), o.engine(), Conv4j.threads(), compileS);
            if (o.summary()) {
                out.print(m.summary());
            }
            MemoryPlan plan = m.plan();
            out.printf(Locale.ROOT, "memory    planned peak %s for %s activations (one arena; naive sum %s, %.1fx less)%n",
                    Summary.bytes(plan.arenaBytes()), c.dtype().id(), Summary.bytes(plan.naiveBytes()),
                    (double) plan.naiveBytes() / plan.arenaBytes());
            OffHeapMeter.Measurement peak = OffHeapMeter.measure(m);
            if (peak == null) {
                out.println("memory    measured peak unavailable: start the JVM with " + OffHeapMeter.JVM_FLAG
                        + " (CONV4J_JAVA_OPTS)");
            } else {
                out.printf(Locale.ROOT, "memory    measured peak %s during one run (%s%s)%n", Summary.bytes(peak.bytes()),
                        peak.method(), peak.method().startsWith("native") ? ""
                                : "; for the off-heap count alone set CONV4J_JAVA_OPTS=" + OffHeapMeter.JVM_FLAG);
            }
            try (Session s = m.newSession()) {
                float[] x = new float[(int) g.input().spec().elementCount()];
                SplittableRandom r = new SplittableRandom(7);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                s.input().copyFrom(x);
                for (int i = 0; i < o.warmup(); i++) {
                    s.run();
                }
                List<Long> times = new ArrayList<>();
                long start = System.nanoTime();
                long budget = (long) (o.seconds() * 1e9);
                while (times.size() < o.iterations() && (times.isEmpty() || System.nanoTime() - start < budget)) {
                    long a = System.nanoTime();
                    s.run();
                    times.add(System.nanoTime() - a);
                }
                report(out, times, c.batch(), o);
            }
        }
        return 0;
    }

    private static String describe(Map<String, Integer> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(k + " " + v + " layers"));
        return String.join(", ", parts);
    }

    private static void report(PrintStream out, List<Long> times, int batch, Options o) {
        long[] t = times.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(t);
        double total = 0;
        for (long v : t) {
            total += v;
        }
        double mean = total / t.length;
        out.printf(Locale.ROOT, "speed     %.2f images/s (batch %d, %d timed runs after %d warm-up%s)%n",
                batch / (mean / 1e9), batch, t.length, o.warmup(),
                t.length < o.iterations() ? ", stopped by --seconds " + o.seconds() : "");
        out.printf(Locale.ROOT, "latency   per batch: min %s  p50 %s  p90 %s  p99 %s  max %s  mean %s%n", ms(t[0]),
                ms(percentile(t, 50)), ms(percentile(t, 90)), ms(percentile(t, 99)), ms(t[t.length - 1]),
                ms((long) mean));
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
}
