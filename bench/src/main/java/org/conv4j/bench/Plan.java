package org.conv4j.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.conv4j.Conv4j;
import org.conv4j.DType;
import org.conv4j.OpSpec;
import org.conv4j.cli.BenchShapes;
import org.conv4j.spi.EngineRegistry;
import org.conv4j.spi.Support;

/**
 * What a suite run measures, in the order it measures it. Every round visits every (shape, dtype, threads) group
 * once; inside a group the C baseline and the Java engines run back to back, so what the report compares was
 * measured close together in time, and alternate rounds reverse the order inside a group to cancel drift.
 */
record Plan(Mode mode, int rounds, List<Step> steps, List<String> notes) {

    /**
     * How long each JMH fork pre-warms (until the time per call settles, see {@link org.conv4j.cli.WarmUp}), warms up
     * and measures; how long each C baseline call runs; whether the peak also runs mid-round.
     */
    record Mode(String name, double prewarmMin, double prewarmMax, int warmupIterations, double warmupSeconds,
                int iterations, double iterationSeconds, List<String> shapes, List<DType> dtypes, double cWarmup,
                int cSamples, double cSampleTime, boolean midRoundPeak) {
    }

    /**
     * QUICK: a convolution, the depthwise one and a pooling, in every dtype (f16 runs on the Vector engine only:
     * oneDNN declines it on this CPU), short iterations: 40-odd forks, so the whole {@code ./conv4j bench --quick}
     * stays under 5 minutes on the 2-core machine.
     */
    static final Mode QUICK = new Mode("quick", 1, 8, 1, 0.3, 4, 0.3, List.of("R2", "D1", "P1"),
            List.of(DType.F32, DType.F16, DType.BF16), 0.3, 9, 0.05, false);

    /** FULL: every shape and dtype, longer pre-warm and iterations. */
    static final Mode FULL = new Mode("full", 2, 30, 3, 0.5, 5, 0.5,
            BenchShapes.all().stream().map(BenchShapes.Shape::id).toList(), List.of(DType.F32, DType.F16, DType.BF16),
            0.5, 7, 0.15, true);

    /**
     * The reference engine is scalar ground truth at about 1 GFLOP/s: B32 would take ~9 s per call. It runs shapes
     * up to this many FLOPs (all but B32); in quick mode only f32 with 1 thread.
     */
    static final long REFERENCE_MAX_FLOPS = 500_000_000L;

    enum Kind { PEAK, JAVA, C }

    /** One measurement: a JMH fork (PEAK or JAVA) or one call of the C baseline. */
    record Step(Kind kind, int round, String shape, String engine, DType dtype, int threads) {
        String label() {
            return switch (kind) {
                case PEAK -> String.format("%-4s %-10s %-4s t=%d", "peak", "FMA", "f32", threads);
                case JAVA -> String.format("%-4s %-10s %-4s t=%d", shape, engine, dtype.id(), threads);
                case C -> String.format("%-4s %-10s %-4s t=%d", shape, "C oneDNN", dtype.id(), threads);
            };
        }
    }

    /**
     * Builds the plan.
     *
     * @param shapeFilter shape ids to keep (null for the mode's own list)
     * @param dtypeFilter dtypes to run (null for the mode's own list)
     * @param threads     thread counts, see {@link #threadCounts}
     * @param withC       whether the C baseline binary is there to run
     */
    static Plan build(Mode mode, int rounds, List<BenchShapes.Shape> shapeFilter, List<DType> dtypeFilter,
                      List<Integer> threads, boolean withC) {
        List<String> notes = new ArrayList<>();
        List<EngineRegistry.EngineStatus> available = new ArrayList<>();
        for (EngineRegistry.EngineStatus s : Conv4j.engines()) {
            if (s.available()) {
                available.add(s);
            } else {
                notes.add("engine " + s.name() + " is unavailable: " + s.detail());
            }
        }
        // Lowest priority first: reference, vector, onednn.
        Collections.reverse(available);
        List<BenchShapes.Shape> shapes = shapeFilter != null ? shapeFilter
                : mode.shapes().stream().map(BenchShapes::byId).toList();
        List<DType> dtypes = dtypeFilter != null ? dtypeFilter : mode.dtypes();
        List<Step> steps = new ArrayList<>();
        Set<String> declined = new java.util.LinkedHashSet<>();
        for (int r = 0; r < rounds; r++) {
            for (int t : threads) {
                steps.add(new Step(Kind.PEAK, r, null, null, DType.F32, t));
            }
            // The peak also runs in the middle of each round: the best of several, spread over the run, is the
            // least disturbed by whoever else uses the machine.
            int groups = shapes.size() * dtypes.size() * threads.size();
            int g = 0;
            for (BenchShapes.Shape shape : shapes) {
                for (DType dtype : dtypes) {
                    OpSpec spec = shape.spec(dtype);
                    for (int t : threads) {
                        if (mode.midRoundPeak() && g++ == groups / 2 && groups > 1) {
                            for (int pt : threads) {
                                steps.add(new Step(Kind.PEAK, r, null, null, DType.F32, pt));
                            }
                        }
                        List<Step> group = new ArrayList<>();
                        if (withC) {
                            group.add(new Step(Kind.C, r, shape.id(), null, dtype, t));
                        }
                        for (EngineRegistry.EngineStatus e : available) {
                            String why = skipReason(mode, e, shape, spec, t);
                            if (why != null) {
                                declined.add(e.name() + "|" + shape.id() + " " + dtype.id() + "|" + why);
                                continue;
                            }
                            group.add(new Step(Kind.JAVA, r, shape.id(), e.name(), dtype, t));
                        }
                        if (r % 2 == 1) {
                            Collections.reverse(group);
                        }
                        steps.addAll(group);
                    }
                }
            }
        }
        for (int t : threads) {
            steps.add(new Step(Kind.PEAK, rounds, null, null, DType.F32, t));
        }
        notes.addAll(collapse(declined));
        return new Plan(mode, rounds, List.copyOf(steps), List.copyOf(notes));
    }

    /**
     * Thread counts from {@code --threads} entries ("1", "all" = every core, any positive number), deduplicated in
     * order; null entries mean the default: 1 and all cores.
     */
    static List<Integer> threadCounts(List<String> entries, int allCores) {
        if (entries == null) {
            return allCores > 1 ? List.of(1, allCores) : List.of(1);
        }
        List<Integer> out = new ArrayList<>();
        for (String e : entries) {
            int t;
            if (e.strip().equalsIgnoreCase("all")) {
                t = allCores;
            } else {
                try {
                    t = Integer.parseInt(e.strip());
                } catch (NumberFormatException x) {
                    t = 0;
                }
                if (t < 1) {
                    throw new IllegalArgumentException("--threads: each entry must be a positive integer or 'all', was '"
                            + e + "'");
                }
            }
            if (!out.contains(t)) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }

    private static String skipReason(Mode mode, EngineRegistry.EngineStatus e, BenchShapes.Shape shape, OpSpec spec,
                                     int threads) {
        Support s = e.engine().supports(spec);
        if (!s.supported()) {
            return "declined by the engine (" + s.reason() + ")";
        }
        if (e.name().equals("reference")) {
            if (shape.flops() > REFERENCE_MAX_FLOPS) {
                return "skipped: reference is scalar (~1 GFLOP/s) and this shape has "
                        + String.format("%.1f", shape.flops() / 1e9) + " GFLOP";
            }
            if (mode == QUICK && (spec.dtype() != DType.F32 || threads != 1)) {
                return "skipped in quick mode (reference runs f32 with 1 thread only)";
            }
        }
        return null;
    }

    /**
     * One note per engine and reason: "onednn on R1, R2 (f16): reason" when every listed shape is skipped in every
     * listed dtype, else "onednn on R1 f16, R2 bf16: reason".
     */
    private static List<String> collapse(Set<String> declined) {
        java.util.Map<String, List<String[]>> byReason = new java.util.LinkedHashMap<>();
        for (String d : declined) {
            String[] f = d.split("\\|", 3);
            byReason.computeIfAbsent(f[0] + "|" + f[2], k -> new ArrayList<>()).add(f[1].split(" "));
        }
        List<String> out = new ArrayList<>();
        byReason.forEach((key, cases) -> {
            String[] f = key.split("\\|", 2);
            Set<String> shapes = new java.util.LinkedHashSet<>();
            Set<String> dtypes = new java.util.LinkedHashSet<>();
            cases.forEach(c -> {
                shapes.add(c[0]);
                dtypes.add(c[1]);
            });
            String what = shapes.size() * dtypes.size() == cases.size()
                    ? String.join(", ", shapes) + " (" + String.join(", ", dtypes) + ")"
                    : String.join(", ", cases.stream().map(c -> c[0] + " " + c[1]).toList());
            out.add(f[0] + " on " + what + ": " + f[1]);
        });
        return out;
    }

    long count(Kind kind) {
        return steps.stream().filter(s -> s.kind() == kind).count();
    }

    /** Rough seconds: JVM start ~1.5 s per fork, the shortest pre-warm, warm-up and measurement; C calls ~0.4 s start. */
    double estimateSeconds() {
        double fork = 1.5 + mode.prewarmMin() + mode.warmupIterations() * mode.warmupSeconds()
                + mode.iterations() * mode.iterationSeconds();
        double c = 0.4 + mode.cWarmup() + mode.cSamples() * mode.cSampleTime();
        return (count(Kind.PEAK) + count(Kind.JAVA)) * fork + count(Kind.C) * c;
    }
}
