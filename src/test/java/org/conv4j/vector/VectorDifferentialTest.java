package org.conv4j.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.conv4j.OpSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random specs over every operation, dtype and layout, on the vector engine at 128, 256 and
 * 512 bits and 1 to 3 threads, against the reference engine. Tolerances are stated and justified in {@link Diff}.
 * {@code -Dconv4j.test.cases=N} and {@code -Dconv4j.test.seed=S} change the run.
 */
class VectorDifferentialTest {
    static final int CASES = Integer.getInteger("conv4j.test.cases", 2100);
    static final long SEED = Long.getLong("conv4j.test.seed", 20261128L);

    @Test
    void randomCasesMatchReference() {
        VectorTests.assumeVectorModule();
        VectorEngine[] engines = {new VectorEngine(128, 1), new VectorEngine(256, 2), new VectorEngine(512, 3),
                new VectorEngine(0, 1)};
        Cases gen = new Cases(SEED);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            OpSpec spec = gen.next(i % Cases.KINDS);
            VectorEngine e = engines[i % engines.length];
            String key = spec.kind().id() + " " + spec.dtype().id();
            counts.merge(key, 1, Integer::sum);
            Tensor[] params = Diff.params(gen, spec);
            Tensor[] in = Diff.inputs(gen, spec);
            try (Kernel k = e.prepare(spec, params); Tensor want = Diff.reference(spec, params, in);
                 Tensor got = Diff.run(k, spec, in)) {
                List<String> f = Diff.compare(spec, params, in, want, got);
                if (!f.isEmpty()) {
                    failures.add("case " + i + " " + spec + " on " + e.bits() + " bits, " + e.threads() + " threads: " + f);
                }
            } catch (RuntimeException ex) {
                failures.add("case " + i + " " + spec + " on " + e.bits() + " bits: " + ex);
                ex.printStackTrace();
            } finally {
                Diff.close(params);
                Diff.close(in);
            }
        }
        System.out.println("vector differential cases by op and dtype: " + counts);
        assertTrue(failures.isEmpty(), failures.size() + " of " + CASES + " cases failed:\n"
                + String.join("\n", failures.subList(0, Math.min(30, failures.size()))));
        assertEquals(CASES, counts.values().stream().mapToInt(Integer::intValue).sum());
    }
}
