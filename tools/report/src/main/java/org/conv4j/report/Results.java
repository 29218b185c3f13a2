package org.conv4j.report;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The raw output of one {@code Suite} run, grouped: measured iterations of each Java case (all forks and rounds
 * pooled), of the FMA peak per thread count, and the C baseline's rows.
 */
record Results(Map<Key, List<Double>> javaMs, Map<Integer, List<Double>> peakOpsPerSecond,
               Map<Key, List<CRow>> c, Properties meta) {

    /** A case: shape id, engine ("C" for the baseline), dtype id, threads. */
    record Key(String shape, String engine, String dtype, int threads) {
    }

    /** One line of baseline.csv. */
    record CRow(double ms, double msMin, double msMax, String impl) {
    }

    static final String OP_BENCHMARK = "org.conv4j.bench.OpBenchmark.apply";
    static final String PEAK_BENCHMARK = "org.conv4j.bench.PeakBenchmark.fma";

    static Results load(Path dir) throws IOException {
        Path json = dir.resolve("jmh.json");
        if (!Files.exists(json)) {
            throw new IllegalArgumentException("results: " + json + " does not exist; run ./conv4j bench first");
        }
        Results r = fromJmh(Files.readString(json, StandardCharsets.UTF_8), new Properties());
        Path csv = dir.resolve("baseline.csv");
        if (Files.exists(csv)) {
            r.c().putAll(parseCsv(Files.readAllLines(csv, StandardCharsets.UTF_8)));
        }
        Path props = dir.resolve("suite.properties");
        if (Files.exists(props)) {
            try (Reader in = Files.newBufferedReader(props, StandardCharsets.ISO_8859_1)) {
                r.meta().load(in);
            }
        }
        return r;
    }

    /** Groups JMH's JSON (an array of runs) by case; every measured iteration of every fork counts. */
    static Results fromJmh(String jsonText, Properties meta) {
        Map<Key, List<Double>> java = new LinkedHashMap<>();
        Map<Integer, List<Double>> peak = new LinkedHashMap<>();
        Object root;
        try {
            root = JSON.std.anyFrom(jsonText);
        } catch (IOException e) {
            throw new IllegalArgumentException("JMH JSON: " + e.getMessage(), e);
        }
        if (!(root instanceof List<?> runs)) {
            throw new IllegalArgumentException("JMH JSON: expected an array of runs");
        }
        for (Object o : runs) {
            Map<?, ?> run = (Map<?, ?>) o;
            String bench = (String) run.get("benchmark");
            Map<?, ?> metric = (Map<?, ?>) run.get("primaryMetric");
            List<Double> values = new ArrayList<>();
            for (Object fork : (List<?>) metric.get("rawData")) {
                for (Object v : (List<?>) fork) {
                    values.add(number(v, bench + " rawData"));
                }
            }
            if (OP_BENCHMARK.equals(bench)) {
                if (!"ms/op".equals(metric.get("scoreUnit"))) {
                    throw new IllegalArgumentException("JMH JSON: " + bench + " has unit " + metric.get("scoreUnit")
                            + ", expected ms/op");
                }
                Map<?, ?> p = (Map<?, ?>) run.get("params");
                Key k = new Key((String) p.get("shape"), (String) p.get("engine"), (String) p.get("dtype"),
                        Integer.parseInt((String) p.get("threads")));
                java.computeIfAbsent(k, x -> new ArrayList<>()).addAll(values);
            } else if (PEAK_BENCHMARK.equals(bench)) {
                if (!"ops/s".equals(metric.get("scoreUnit"))) {
                    throw new IllegalArgumentException("JMH JSON: " + bench + " has unit " + metric.get("scoreUnit")
                            + ", expected ops/s");
                }
                int threads = (int) number(run.get("threads"), bench + " threads");
                peak.computeIfAbsent(threads, x -> new ArrayList<>()).addAll(values);
            }
            // Other benchmarks (e.g. ModelBenchmark) are not part of this table.
        }
        return new Results(java, peak, new LinkedHashMap<>(), meta);
    }

    /** A JSON number; JMH writes a NaN or infinite score as a string. */
    private static double number(Object v, String what) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("JMH JSON: " + what + " is not a number: " + v);
    }

    /** baseline.csv: id,dtype,threads,ms,gflops,ms_min,ms_max,samples,reps,impl (header first). */
    static Map<Key, List<CRow>> parseCsv(List<String> lines) {
        Map<Key, List<CRow>> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("id,")) {
                continue;
            }
            String[] f = line.split(",", 10);
            if (f.length != 10) {
                throw new IllegalArgumentException("baseline.csv line " + (i + 1) + ": expected 10 fields, got "
                        + f.length + ": " + line);
            }
            try {
                Key k = new Key(f[0], "C", f[1], Integer.parseInt(f[2]));
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(new CRow(Double.parseDouble(f[3]),
                        Double.parseDouble(f[5]), Double.parseDouble(f[6]), f[9]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("baseline.csv line " + (i + 1) + ": " + e.getMessage() + ": " + line);
            }
        }
        return out;
    }
}
