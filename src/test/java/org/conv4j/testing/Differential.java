package org.conv4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Engine;
import org.conv4j.spi.Support;

/**
 * Runs cases on the reference engine and on an engine under test and compares element by element.
 *
 * <p>Tolerances, per output element with reference value {@code ref}:
 * <ul>
 *   <li>ReLU, concat, max pooling, depth-wise max pooling: exact. They only move or compare values.</li>
 *   <li>Sums (convolutions, transposed convolutions, fully connected, average pooling, global average pooling,
 *       add): {@code 3e-5 * mag + 1e-6}, where {@code mag} is the reference run on the absolute values of inputs and
 *       parameters, i.e. the sum of |x*w| behind that output. An fp32 sum of n terms in any order is off by at most
 *       about n * 2^-24 * mag and in practice by about sqrt(n) * 2^-24 * mag; 3e-5 = 2^-15 covers several hundred
 *       terms at the practical rate while still catching a wrong or missing term (whose size is a whole term,
 *       far above 3e-5 of the sum).</li>
 *   <li>Batch norm, LRN, softmax: {@code 2e-5 * |ref| + 2e-6}: a handful of fp32 operations (pow, exp, a fused
 *       multiply-add instead of subtract-then-scale) each within a few ulp.</li>
 *   <li>F16 and BF16 outputs add one unit in the last place of the output type at |ref| ({@code 2^-10 |ref|} and
 *       {@code 2^-7 |ref|}, plus the smallest subnormal): engines accumulate in fp32 and round once, and an fp32
 *       result a hair away from the reference's can round to the neighbouring 16-bit value.</li>
 * </ul>
 */
public final class Differential {
    private Differential() {
    }

    /** Outcome of one engine over many cases. */
    public record Report(String engine, int compared, int declined, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    /** The tolerance for one element (see the class comment). */
    public static double tolerance(OpSpec spec, double ref, double mag) {
        double outUlp = switch (spec.dtype()) {
            case F32 -> 0;
            case F16 -> 0x1p-10 * Math.abs(ref) + 0x1p-24;
            case BF16 -> 0x1p-7 * Math.abs(ref) + 0x1p-133;
        };
        return switch (spec.kind()) {
            case RELU, CONCAT -> 0;
            case POOL -> ((PoolSpec) spec).poolKind() == PoolKind.MAX ? 0 : 3e-5 * mag + 1e-6 + outUlp;
            case CONV, CONV_TRANSPOSE, DENSE, GLOBAL_AVG_POOL, ADD -> 3e-5 * mag + 1e-6 + outUlp;
            case BATCH_NORM, LRN, SOFTMAX -> 2e-5 * Math.abs(ref) + 2e-6 + outUlp;
        };
    }

    /** Compares {@code engine} with the reference on every case it supports; returns a report, asserts nothing. */
    public static Report run(List<RandomSpecs.Case> cases, String engine) {
        Engine e = Conv4j.engines().stream().filter(s -> s.name().equals(engine) && s.available()).findFirst()
                .orElseThrow(() -> new IllegalStateException("engine " + engine + " is not available")).engine();
        int compared = 0;
        int declined = 0;
        List<String> failures = new ArrayList<>();
        for (RandomSpecs.Case c : cases) {
            Support sup = e.supports(c.spec());
            if (!sup.supported()) {
                declined++;
                continue;
            }
            compared++;
            String bad = compare(c, engine);
            if (bad != null) {
                failures.add(bad);
            }
        }
        return new Report(engine, compared, declined, failures);
    }

    /** Runs the cases and fails with the first few mismatches; requires at least {@code minCompared} comparisons. */
    public static Report assertAgrees(List<RandomSpecs.Case> cases, String engine, int minCompared) {
        Report r = run(cases, engine);
        if (!r.ok()) {
            fail(engine + " disagrees with reference on " + r.failures().size() + " of " + r.compared() + " cases:\n  "
                    + String.join("\n  ", r.failures().subList(0, Math.min(8, r.failures().size()))));
        }
        assertTrue(r.compared() >= minCompared, engine + " compared only " + r.compared() + " cases (declined "
                + r.declined() + "), need " + minCompared);
        return r;
    }

    /** One case: null when the engine agrees, else a description of the worst element. */
    public static String compare(RandomSpecs.Case c, String engine) {
        OpSpec spec = c.spec();
        Tensor[] params = c.paramTensors();
        Tensor[] inputs = c.inputTensors();
        Tensor[] absParams = abs(params);
        Tensor[] absInputs = abs(inputs);
        try (Tensor ref = spec.output().allocate(spec.dtype());
             Tensor mag = spec.output().allocate(spec.dtype());
             Tensor got = spec.output().allocate(spec.dtype())) {
            try (Operation r = Conv4j.prepare(spec, "reference", params)) {
                r.apply(List.of(inputs), ref);
            }
            try (Operation r = Conv4j.prepare(spec, "reference", absParams)) {
                r.apply(List.of(absInputs), mag);
            }
            try (Operation op = Conv4j.prepare(spec, engine, params)) {
                op.apply(List.of(inputs), got);
                if (spec instanceof ConvSpec cs && cs.hasResidual()) {
                    // in place too: the output is the residual tensor, and must come out the same
                    try (Tensor inPlace = inputs[1].copy()) {
                        op.apply(List.of(inputs[0], inPlace), inPlace);
                        float[] x = got.toFloatArray();
                        float[] y = inPlace.toFloatArray();
                        for (int i = 0; i < x.length; i++) {
                            if (Float.floatToIntBits(x[i]) != Float.floatToIntBits(y[i])) {
                                return c + ": in place, element " + i + " is " + y[i] + ", out of place " + x[i];
                            }
                        }
                    }
                }
            }
            float[] a = ref.toFloatArray();
            float[] m = mag.toFloatArray();
            float[] b = got.toFloatArray();
            double worst = 0;
            int worstAt = -1;
            for (int i = 0; i < a.length; i++) {
                if (Float.isNaN(a[i]) || Float.isNaN(b[i])) {
                    if (Float.isNaN(a[i]) != Float.isNaN(b[i])) {
                        return c + ": element " + i + " reference " + a[i] + " " + engine + " " + b[i];
                    }
                    continue;
                }
                double err = Math.abs((double) a[i] - b[i]);
                double tol = tolerance(spec, a[i], Math.abs(m[i]));
                if (err > tol && err - tol > worst) {
                    worst = err - tol;
                    worstAt = i;
                }
            }
            if (worstAt >= 0) {
                return c + ": element " + worstAt + " of " + a.length + " reference " + a[worstAt] + " " + engine + " "
                        + b[worstAt] + " (tolerance " + tolerance(spec, a[worstAt], Math.abs(m[worstAt])) + ")";
            }
            return null;
        } catch (RuntimeException ex) {
            return c + ": " + engine + " threw " + ex;
        } finally {
            close(params);
            close(inputs);
            close(absParams);
            close(absInputs);
        }
    }

    private static Tensor[] abs(Tensor[] ts) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            float[] v = ts[i].toFloatArray();
            for (int j = 0; j < v.length; j++) {
                v[j] = Math.abs(v[j]);
            }
            out[i] = Tensor.of(v, ts[i].dtype(), ts[i].layout(), ts[i].dims());
        }
        return out;
    }

    private static void close(Tensor[] ts) {
        for (Tensor t : ts) {
            t.close();
        }
    }

    /** A dtype's unit roundoff, for tests that state tolerances of their own. */
    public static double unitRoundoff(DType t) {
        return switch (t) {
            case F32 -> 0x1p-24;
            case F16 -> 0x1p-11;
            case BF16 -> 0x1p-8;
        };
    }
}
