package org.conv4j.vector;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.BatchNormSpec;
import org.conv4j.Conv4j;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DType;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.Operation;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;
import org.conv4j.TensorSpec;
import org.conv4j.spi.Kernel;

/**
 * Runs one spec on the reference engine and on a vector engine with the same random tensors, and checks every
 * output element against a tolerance derived from the computation.
 *
 * <p>Tolerances. The reference accumulates in double and rounds once, so it is within half an ulp of the exact
 * result; the vector engine accumulates in fp32. For a sum of {@code n} products, fp32 summation in any order
 * (FMA or not) errs by at most about {@code n * u * sum|a_i b_i|} with {@code u = 2^-24}, so the bound is
 * {@code (n + 2) * u * S} where {@code S} is the same operation run by the reference on absolute values (for
 * conv, dense, average pooling, global pooling and batch norm, which are sums of products). LRN and softmax
 * get {@code (n + 8) * u * |ref|} (a relative bound: their window sum, plus a few ulps for pow, exp and the
 * division). f16 and bf16 outputs are rounded once by each engine from slightly different fp32/double values, so
 * they may land one ulp of the storage type apart: add {@code 2^-10 |v|} for f16 (plus its smallest subnormal
 * {@code 2^-24}) and {@code 2^-7 |v|} for bf16. Max pooling, ReLU, add and concat move or compare values
 * without rounding anything twice, so they must match exactly.
 */
final class Diff {
    static final double U = Math.scalb(1.0, -24);

    private Diff() {
    }

    /** Random params of random dtypes, variance positive. */
    static Tensor[] params(Cases gen, OpSpec spec) {
        List<TensorSpec> ps = spec.params();
        Tensor[] t = new Tensor[ps.size()];
        for (int i = 0; i < t.length; i++) {
            float[] v = gen.values(ps.get(i));
            if (spec instanceof BatchNormSpec && i == 1) {
                for (int j = 0; j < v.length; j++) {
                    v[j] = Math.abs(v[j]) + 0.05f;
                }
            }
            TensorSpec p = ps.get(i);
            t[i] = Tensor.of(v, gen.dtype(), p.layout(), p.dims());
        }
        return t;
    }

    static Tensor[] inputs(Cases gen, OpSpec spec) {
        List<TensorSpec> is = spec.inputs();
        Tensor[] t = new Tensor[is.size()];
        for (int i = 0; i < t.length; i++) {
            TensorSpec s = is.get(i);
            t[i] = Tensor.of(gen.values(s), spec.dtype(), s.layout(), s.dims());
        }
        return t;
    }

    static Tensor run(Kernel k, OpSpec spec, Tensor[] in) {
        Tensor out = spec.output().allocate(spec.dtype());
        k.execute(in, out);
        return out;
    }

    static Tensor reference(OpSpec spec, Tensor[] params, Tensor[] in) {
        try (Operation op = Conv4j.prepare(spec, "reference", params)) {
            Tensor out = spec.output().allocate(spec.dtype());
            op.apply(List.of(in), out);
            return out;
        }
    }

    static Tensor[] abs(Tensor[] ts, boolean negateSecondOfFour) {
        Tensor[] r = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            float[] v = ts[i].toFloatArray();
            for (int j = 0; j < v.length; j++) {
                v[j] = Math.abs(v[j]);
            }
            if (negateSecondOfFour && i == 0) {
                for (int j = 0; j < v.length; j++) {
                    v[j] = -v[j];
                }
            }
            r[i] = Tensor.of(v, ts[i].dtype(), ts[i].layout(), ts[i].dims());
        }
        return r;
    }

    /** Sum length of each output, or -1 for operations that must match exactly. */
    static long terms(OpSpec spec) {
        return switch (spec) {
            case ConvSpec s -> s.cost().multiplyAdds() / s.outputShape().elementCount();
            case ConvTransposeSpec s -> (long) prod(s.kernel()) * s.inChannels();
            case DenseSpec s -> s.inFeatures();
            case PoolSpec s -> s.poolKind() == PoolKind.AVG ? prod(s.window()) : -1;
            case GlobalAvgPoolSpec s -> s.inputShape().spatialSize() + 1;
            case BatchNormSpec s -> 4;
            case LrnSpec s -> s.windowSize();
            case SoftmaxSpec s -> s.shape().channels();
            default -> -1;
        };
    }

    static long prod(int[] v) {
        long p = 1;
        for (int x : v) {
            p *= x;
        }
        return p;
    }

    /** Compares; returns a list of failure descriptions (empty when all elements agree). */
    static List<String> compare(OpSpec spec, Tensor[] params, Tensor[] in, Tensor want, Tensor got) {
        List<String> fails = new ArrayList<>();
        float[] w = want.toFloatArray();
        float[] g = got.toFloatArray();
        long n = terms(spec);
        float[] mag = null;
        boolean relative = spec instanceof LrnSpec || spec instanceof SoftmaxSpec;
        if (n >= 0 && !relative) {
            Tensor[] ap = abs(params, false);
            if (spec instanceof BatchNormSpec) {
                // |scale| (|x| + |mean|) / sqrt(var + eps) + |offset|: mean negated, variance kept
                ap[0].close();
                ap[0] = abs(new Tensor[] {params[0]}, true)[0];
                ap[1].close();
                ap[1] = params[1].copy();
            }
            Tensor[] ai = abs(in, false);
            try (Tensor m = reference(spec, ap, ai)) {
                mag = m.toFloatArray();
            }
            close(ap);
            close(ai);
        }
        DType t = spec.dtype();
        for (int i = 0; i < w.length; i++) {
            double tol;
            if (n < 0) {
                tol = 0;
            } else {
                double s = relative ? Math.abs(w[i]) : mag[i];
                tol = (n + (relative ? 8 : 2)) * U * s + storageUlp(t, Math.max(Math.abs(w[i]), Math.abs(g[i])));
            }
            boolean ok = Float.isNaN(w[i]) ? Float.isNaN(g[i]) : Math.abs((double) w[i] - g[i]) <= tol;
            if (!ok) {
                fails.add("element " + i + ": reference " + w[i] + ", vector " + g[i] + ", tolerance " + tol);
                if (fails.size() >= 5) {
                    break;
                }
            }
        }
        return fails;
    }

    static double storageUlp(DType t, double v) {
        return switch (t) {
            case F32 -> Math.ulp((float) v);
            case F16 -> v * Math.scalb(1.0, -10) + Math.scalb(1.0, -24);
            case BF16 -> v * Math.scalb(1.0, -7) + Float.MIN_NORMAL;
        };
    }

    static void close(Tensor[] ts) {
        for (Tensor t : ts) {
            t.close();
        }
    }

    /** Prepares {@code spec} on {@code engine} with random parameters and inputs and asserts it agrees with the reference. */
    static void assertAgrees(Cases gen, VectorEngine engine, OpSpec spec) {
        Tensor[] params = params(gen, spec);
        Tensor[] in = inputs(gen, spec);
        try (Kernel k = engine.prepare(spec, params); Tensor want = reference(spec, params, in);
             Tensor got = run(k, spec, in)) {
            List<String> f = compare(spec, params, in, want, got);
            org.junit.jupiter.api.Assertions.assertTrue(f.isEmpty(), spec + ": " + f);
        } finally {
            close(params);
            close(in);
        }
    }
}
