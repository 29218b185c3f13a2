package org.conv4j.onednn;

import static org.conv4j.onednn.bindings.Dnnl.*;
import static org.conv4j.onednn.bindings.DnnlNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.conv4j.ActivationShape;
import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;

/**
 * Turns a conv4j spec into a oneDNN primitive descriptor with TensorFlow semantics: user tensors keep their own
 * layout (memory descriptors with the layout's strides, so no copies), weights use the format oneDNN prefers
 * ({@code format_tag_any}), and the scratchpad is user-managed so that primitives can run on any thread.
 */
final class Plans {
    private Plans() {
    }

    /** An argument bound per call to a user tensor: input {@code input}, or the output when {@code input} is -1. */
    record UserArg(int argId, int input, MemorySegment md, long bytes) {
    }

    /** An argument computed once at prepare from the parameters, as fp32 values in a plain user layout. */
    record ConstArg(int argId, long[] plainDims, Function<Tensor[], float[]> values) {
    }

    /**
     * A primitive descriptor with its arguments; its native objects belong to the {@link Resources} given.
     * {@code dstFrom} is the input whose values the destination must hold when the primitive starts (a sum post-op
     * accumulates into it), or -1.
     */
    record Plan(MemorySegment pd, String impl, List<UserArg> userArgs, List<ConstArg> constArgs, int dstFrom) {
    }

    /** oneDNN declined the spec (no implementation, or only a reference one when {@code ref} is set). */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    /**
     * Below this many flops an operation runs on the calling thread alone: waking OpenMP threads that wait
     * passively costs about 10 us here, several times the work itself (a 4x4x8 convolution took 1.3 us on one
     * thread and 12 us on two).
     */
    static final long SINGLE_THREAD_FLOPS = 1_000_000;

    /** Whether {@code spec} is small enough to run on the calling thread only. */
    static boolean singleThreaded(OpSpec spec) {
        return spec.cost().flops() <= SINGLE_THREAD_FLOPS;
    }

    /**
     * Builds the plan for {@code spec}; native objects go to {@code r}. oneDNN sizes its work split by the calling
     * thread's OpenMP thread count when it creates a primitive descriptor, so small operations are planned with one.
     */
    static Plan build(OpSpec spec, MemorySegment engine, Resources r) throws Unsupported {
        int before = singleThreaded(spec) ? oneThread() : 0;
        try {
            return new Builder(engine, r).build(spec);
        } finally {
            restoreThreads(before);
        }
    }

    /** Sets this thread's OpenMP thread count to 1; returns the previous count to pass to {@link #restoreThreads}. */
    static int oneThread() {
        int before = omp_get_max_threads();
        if (before != 1) {
            omp_set_num_threads(1);
        }
        return before;
    }

    /** Undoes {@link #oneThread} (0: nothing to undo). */
    static void restoreThreads(int before) {
        if (before > 1) {
            omp_set_num_threads(before);
        }
    }

    private static final class Builder {
        private final MemorySegment engine;
        private final Resources r;
        private final List<UserArg> user = new ArrayList<>();
        private final List<ConstArg> consts = new ArrayList<>();
        private int dstFrom = -1;

        Builder(MemorySegment engine, Resources r) {
            this.engine = engine;
            this.r = r;
        }

        Plan build(OpSpec spec) throws Unsupported {
            MemorySegment pd = switch (spec) {
                case ConvSpec s -> conv(s);
                case ConvTransposeSpec s -> deconv(s);
                case PoolSpec s -> pool(s);
                case LrnSpec s -> lrn(s);
                case BatchNormSpec s -> batchNorm(s);
                case ReluSpec s -> relu(s);
                case AddSpec s -> add(s);
                case ConcatSpec s -> concat(s);
                case GlobalAvgPoolSpec s -> globalAvgPool(s);
                case DenseSpec s -> dense(s);
                case SoftmaxSpec s -> softmax(s);
            };
            String impl = Native.implInfo(pd);
            if (impl.startsWith("ref")) {
                throw new Unsupported("oneDNN would run its reference kernel '" + impl + "'");
            }
            return new Plan(pd, impl, List.copyOf(user), List.copyOf(consts), dstFrom);
        }

        // ---- memory descriptors

        private MemorySegment md(MemorySegment handle) {
            return r.add(Resources.Kind.MEMORY_DESC, handle);
        }

        /** The user's activation tensor as oneDNN sees it: logical N, C, spatial with the layout's strides. */
        private MemorySegment activation(ActivationShape s, int dt) {
            int rank = s.spatialRank();
            long[] dims = new long[2 + rank];
            long[] strides = new long[2 + rank];
            long[] st = s.strides(); // N, C, D, H, W
            int[] sp = s.spatial();
            dims[0] = s.batch();
            dims[1] = s.channels();
            strides[0] = st[0];
            strides[1] = st[1];
            for (int i = 0; i < rank; i++) {
                dims[2 + i] = sp[i];
                strides[2 + i] = st[5 - rank + i];
            }
            return md(Native.mdStrided(dims, dt, strides));
        }

        private MemorySegment plain(long[] dims, int dt) {
            return md(Native.mdStrided(dims, dt, Native.denseStrides(dims)));
        }

        private MemorySegment any(long[] dims, int dt) {
            return md(Native.mdTag(dims, dt, dnnl_format_tag_any));
        }

        private void userArg(int argId, int input, MemorySegment md) {
            user.add(new UserArg(argId, input, md, Native.mdSize(md)));
        }

        // ---- attributes

        private MemorySegment attr(boolean relu) {
            return attr(false, relu);
        }

        /**
         * A user-scratchpad attribute with, in this order, a sum post-op ({@code sum}: the destination's previous
         * values are added, so the residual sum comes before the ReLU) and a ReLU post-op.
         */
        private MemorySegment attr(boolean sum, boolean relu) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
                Native.check(dnnl_primitive_attr_create(slot), "dnnl_primitive_attr_create");
                MemorySegment attr = r.add(Resources.Kind.ATTR, Native.out(slot));
                Native.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
                        "dnnl_primitive_attr_set_scratchpad_mode");
                if (sum || relu) {
                    Native.check(dnnl_post_ops_create(slot), "dnnl_post_ops_create");
                    MemorySegment ops = r.add(Resources.Kind.POST_OPS, Native.out(slot));
                    if (sum) {
                        // scale 1, no zero point, the destination's own data type
                        Native.check(dnnl_post_ops_append_sum(ops, 1f, 0, dnnl_data_type_undef),
                                "dnnl_post_ops_append_sum");
                    }
                    if (relu) {
                        Native.check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f),
                                "dnnl_post_ops_append_eltwise");
                    }
                    Native.check(dnnl_primitive_attr_set_post_ops(attr, ops), "dnnl_primitive_attr_set_post_ops");
                }
                return attr;
            }
        }

        /** Runs a primitive-descriptor constructor, mapping "unimplemented" to {@link Unsupported}. */
        private MemorySegment pd(String function, PdCall call) throws Unsupported {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
                int status = call.create(slot, a);
                if (status == dnnl_unimplemented) {
                    throw new Unsupported("oneDNN has no implementation: " + function + " answered unimplemented");
                }
                Native.check(status, function);
                return r.add(Resources.Kind.PRIMITIVE_DESC, Native.out(slot));
            }
        }

        @FunctionalInterface
        private interface PdCall {
            int create(MemorySegment slot, Arena a);
        }

        // ---- operations

        private MemorySegment conv(ConvSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = activation(s.inputShape(), dt);
            MemorySegment dst = activation(s.outputShape(), dt);
            int rank = s.spatialRank();
            int g = s.groups();
            long oc = s.outChannels();
            long ic = s.inChannels() / g;
            long[] k = Native.longs(s.kernel());
            long[] wDims = new long[(g > 1 ? 3 : 2) + rank];
            int p = 0;
            if (g > 1) {
                wDims[p++] = g;
            }
            wDims[p++] = oc / g;
            wDims[p++] = ic;
            System.arraycopy(k, 0, wDims, p, rank);
            MemorySegment wei = any(wDims, dt);
            MemorySegment bias = s.hasBias() ? plain(new long[] {oc}, dnnl_f32) : MemorySegment.NULL;
            long[] dil = Native.longs(s.dilations());
            for (int i = 0; i < dil.length; i++) {
                dil[i] -= 1; // oneDNN counts dilation from 0, TensorFlow from 1
            }
            long[] strides = Native.longs(s.strides());
            long[] pl = Native.longs(s.padBefore());
            long[] pr = Native.longs(s.padAfter());
            // The residual is fused as a sum post-op: the destination holds the residual when the primitive starts
            // (the call copies it there unless the output is the residual tensor itself) and oneDNN adds the
            // convolution to it before the ReLU. One primitive serves both in-place and out-of-place calls.
            MemorySegment attr = attr(s.hasResidual(), s.relu());
            if (s.hasResidual()) {
                dstFrom = 1;
            }
            MemorySegment pd = pd("dnnl_convolution_forward_primitive_desc_create",
                    (slot, a) -> dnnl_convolution_forward_primitive_desc_create(slot, engine, dnnl_forward_inference,
                            dnnl_convolution_direct, src, wei, bias, dst, Native.dims(a, strides),
                            Native.dims(a, dil), Native.dims(a, pl), Native.dims(a, pr), attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            // Weights in canonical [O][I/G][spatial] order are oneDNN's plain (g)oi(d)(h)w.
            consts.add(new ConstArg(DNNL_ARG_WEIGHTS, wDims, params -> Weights.canonical(params[0])));
            if (s.hasBias()) {
                consts.add(new ConstArg(DNNL_ARG_BIAS, new long[] {oc}, params -> Weights.canonical(params[1])));
            }
            return pd;
        }

        private MemorySegment deconv(ConvTransposeSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = activation(s.inputShape(), dt);
            MemorySegment dst = activation(s.outputShape(), dt);
            int rank = s.spatialRank();
            long oc = s.outChannels();
            long[] wDims = new long[2 + rank];
            wDims[0] = oc;
            wDims[1] = s.inChannels();
            System.arraycopy(Native.longs(s.kernel()), 0, wDims, 2, rank);
            MemorySegment wei = any(wDims, dt);
            MemorySegment bias = s.hasBias() ? plain(new long[] {oc}, dnnl_f32) : MemorySegment.NULL;
            long[] dil = Native.longs(s.dilations());
            long[] strides = Native.longs(s.strides());
            long[] k = Native.longs(s.kernel());
            long[] pl = Native.longs(s.padBefore());
            long[] pr = new long[rank];
            int[] in = s.inputShape().spatial();
            int[] out = s.outputShape().spatial();
            for (int i = 0; i < rank; i++) {
                // oneDNN needs out == (in - 1) * stride + effective kernel - pl - pr exactly; TensorFlow's output
                // shape may leave up to stride - 1 cells of the padded output unreached, which oneDNN expresses
                // as a smaller right pad.
                long kEff = (k[i] - 1) * dil[i] + 1;
                pr[i] = (in[i] - 1) * strides[i] + kEff - pl[i] - out[i];
                dil[i] -= 1;
            }
            MemorySegment attr = attr(s.relu());
            MemorySegment pd = pd("dnnl_deconvolution_forward_primitive_desc_create",
                    (slot, a) -> dnnl_deconvolution_forward_primitive_desc_create(slot, engine,
                            dnnl_forward_inference, dnnl_deconvolution_direct, src, wei, bias, dst,
                            Native.dims(a, strides), Native.dims(a, dil), Native.dims(a, pl), Native.dims(a, pr),
                            attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            // Canonical transposed filter [K out][C in][spatial] is oneDNN's deconvolution oi(d)(h)w.
            consts.add(new ConstArg(DNNL_ARG_WEIGHTS, wDims, params -> Weights.canonical(params[0])));
            if (s.hasBias()) {
                consts.add(new ConstArg(DNNL_ARG_BIAS, new long[] {oc}, params -> Weights.canonical(params[1])));
            }
            return pd;
        }

        private MemorySegment pool(PoolSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            int alg = s.poolKind() == PoolKind.MAX ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
            MemorySegment src;
            MemorySegment dst;
            long[] strides;
            long[] kernel;
            long[] pl;
            long[] pr;
            if (s.depthWindow() > 1) {
                // Depth-wise max pooling: view [N, C, spatial] as a 2-D image [N, 1, C, S] (S = all spatial cells)
                // and pool windows of depthWindow x 1 along the C "rows".
                src = channelsAsRows(s.inputShape(), dt);
                dst = channelsAsRows(s.outputShape(), dt);
                strides = new long[] {s.depthWindow(), 1};
                kernel = new long[] {s.depthWindow(), 1};
                pl = new long[2];
                pr = new long[2];
            } else {
                src = activation(s.inputShape(), dt);
                dst = activation(s.outputShape(), dt);
                strides = Native.longs(s.strides());
                kernel = Native.longs(s.window());
                pl = Native.longs(s.padBefore());
                pr = Native.longs(s.padAfter());
            }
            long[] dil = new long[kernel.length];
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_pooling_forward_primitive_desc_create",
                    (slot, a) -> dnnl_pooling_forward_primitive_desc_create(slot, engine, dnnl_forward_inference,
                            alg, src, dst, Native.dims(a, strides), Native.dims(a, kernel), Native.dims(a, dil),
                            Native.dims(a, pl), Native.dims(a, pr), attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }

        /** An activation as [N, 1, C, S] with S the product of the spatial axes (which are contiguous together). */
        private MemorySegment channelsAsRows(ActivationShape s, int dt) {
            long[] st = s.strides();
            long wStride = st[4];
            long cells = s.spatialSize();
            long[] dims = {s.batch(), 1, s.channels(), cells};
            long[] strides = {st[0], st[1] * s.channels(), st[1], wStride};
            return md(Native.mdStrided(dims, dt, strides));
        }

        private MemorySegment lrn(LrnSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = activation(s.shape(), dt);
            MemorySegment dst = activation(s.shape(), dt);
            long size = s.windowSize();
            // oneDNN divides alpha by the window size, TensorFlow does not.
            float alpha = s.alpha() * size;
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_lrn_forward_primitive_desc_create",
                    (slot, a) -> dnnl_lrn_forward_primitive_desc_create(slot, engine, dnnl_forward_inference,
                            dnnl_lrn_across_channels, src, dst, size, alpha, s.beta(), s.bias(), attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }

        private MemorySegment batchNorm(BatchNormSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = activation(s.shape(), dt);
            MemorySegment dst = activation(s.shape(), dt);
            int flags = dnnl_use_global_stats | dnnl_use_scale | dnnl_use_shift | (s.relu() ? dnnl_fuse_norm_relu : 0);
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_batch_normalization_forward_primitive_desc_create",
                    (slot, a) -> dnnl_batch_normalization_forward_primitive_desc_create(slot, engine,
                            dnnl_forward_inference, src, dst, s.epsilon(), flags, attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            long[] c = {s.shape().channels()};
            consts.add(new ConstArg(DNNL_ARG_MEAN, c, params -> Weights.canonical(params[0])));
            consts.add(new ConstArg(DNNL_ARG_VARIANCE, c, params -> Weights.canonical(params[1])));
            consts.add(new ConstArg(DNNL_ARG_SCALE, c, params -> Weights.canonical(params[2])));
            consts.add(new ConstArg(DNNL_ARG_SHIFT, c, params -> Weights.canonical(params[3])));
            return pd;
        }

        private MemorySegment relu(ReluSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = activation(s.shape(), dt);
            MemorySegment dst = activation(s.shape(), dt);
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_eltwise_forward_primitive_desc_create",
                    (slot, a) -> dnnl_eltwise_forward_primitive_desc_create(slot, engine, dnnl_forward_inference,
                            dnnl_eltwise_relu, src, dst, 0f, 0f, attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }

        private MemorySegment add(AddSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment a0 = activation(s.shape(), dt);
            MemorySegment a1 = activation(s.shape(), dt);
            MemorySegment dst = activation(s.shape(), dt);
            MemorySegment attr = attr(s.relu());
            MemorySegment pd = pd("dnnl_binary_primitive_desc_create",
                    (slot, a) -> dnnl_binary_primitive_desc_create(slot, engine, dnnl_binary_add, a0, a1, dst, attr));
            userArg(DNNL_ARG_SRC_0, 0, a0);
            userArg(DNNL_ARG_SRC_1, 1, a1);
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }

        private MemorySegment concat(ConcatSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            List<ActivationShape> ins = s.inputShapes();
            MemorySegment dst = activation(s.outputShape(), dt);
            MemorySegment[] srcs = new MemorySegment[ins.size()];
            for (int i = 0; i < srcs.length; i++) {
                srcs[i] = activation(ins.get(i), dt);
            }
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_concat_primitive_desc_create", (slot, a) -> {
                MemorySegment array = a.allocate(ValueLayout.ADDRESS, srcs.length);
                for (int i = 0; i < srcs.length; i++) {
                    array.setAtIndex(ValueLayout.ADDRESS, i, srcs[i]);
                }
                return dnnl_concat_primitive_desc_create(slot, engine, dst, srcs.length, 1, array, attr);
            });
            for (int i = 0; i < srcs.length; i++) {
                userArg(DNNL_ARG_MULTIPLE_SRC + i, i, srcs[i]);
            }
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }

        private MemorySegment globalAvgPool(GlobalAvgPoolSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            ActivationShape in = s.inputShape();
            MemorySegment src = activation(in, dt);
            int rank = in.spatialRank();
            long[] dims = new long[2 + rank];
            long[] st = new long[2 + rank];
            dims[0] = in.batch();
            dims[1] = in.channels();
            st[0] = in.channels();
            st[1] = 1;
            for (int i = 0; i < rank; i++) {
                dims[2 + i] = 1;
                st[2 + i] = 1;
            }
            MemorySegment dst = md(Native.mdStrided(dims, dt, st)); // NC [N, C] as N, C, 1...
            long[] kernel = Native.longs(in.spatial());
            long[] strides = kernel.clone();
            long[] zeros = new long[rank];
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_pooling_forward_primitive_desc_create",
                    (slot, a) -> dnnl_pooling_forward_primitive_desc_create(slot, engine, dnnl_forward_inference,
                            dnnl_pooling_avg_exclude_padding, src, dst, Native.dims(a, strides),
                            Native.dims(a, kernel), Native.dims(a, zeros), Native.dims(a, zeros),
                            Native.dims(a, zeros), attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }

        private MemorySegment dense(DenseSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = plain(new long[] {s.batch(), s.inFeatures()}, dt);
            MemorySegment dst = plain(new long[] {s.batch(), s.outFeatures()}, dt);
            long[] wDims = {s.outFeatures(), s.inFeatures()};
            MemorySegment wei = any(wDims, dt);
            MemorySegment bias = s.hasBias() ? plain(new long[] {s.outFeatures()}, dnnl_f32) : MemorySegment.NULL;
            MemorySegment attr = attr(s.relu());
            MemorySegment pd = pd("dnnl_inner_product_forward_primitive_desc_create",
                    (slot, a) -> dnnl_inner_product_forward_primitive_desc_create(slot, engine,
                            dnnl_forward_inference, src, wei, bias, dst, attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            consts.add(new ConstArg(DNNL_ARG_WEIGHTS, wDims, params -> Weights.canonical(params[0])));
            if (s.hasBias()) {
                consts.add(new ConstArg(DNNL_ARG_BIAS, new long[] {s.outFeatures()},
                        params -> Weights.canonical(params[1])));
            }
            return pd;
        }

        private MemorySegment softmax(SoftmaxSpec s) throws Unsupported {
            int dt = Native.dataType(s.dtype());
            MemorySegment src = activation(s.shape(), dt);
            MemorySegment dst = activation(s.shape(), dt);
            MemorySegment attr = attr(false);
            MemorySegment pd = pd("dnnl_softmax_forward_primitive_desc_create",
                    (slot, a) -> dnnl_softmax_forward_primitive_desc_create(slot, engine, dnnl_forward_inference,
                            dnnl_softmax_accurate, src, dst, 1, attr));
            userArg(DNNL_ARG_SRC, 0, src);
            userArg(DNNL_ARG_DST, -1, dst);
            return pd;
        }
    }
}
