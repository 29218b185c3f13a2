package org.conv4j.vector;

import org.conv4j.AddSpec;
import org.conv4j.BatchNormSpec;
import org.conv4j.ConcatSpec;
import org.conv4j.ConvSpec;
import org.conv4j.ConvTransposeSpec;
import org.conv4j.DenseSpec;
import org.conv4j.GlobalAvgPoolSpec;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.PoolSpec;
import org.conv4j.ReluSpec;
import org.conv4j.SoftmaxSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Engine;
import org.conv4j.spi.Kernel;
import org.conv4j.spi.Support;

/**
 * The pure-Java engine on {@code jdk.incubator.vector}: every operation of the reference engine, for f32, f16 and
 * bf16 tensors (computed in fp32, rounded once on store), on a pool of intra-op threads. Loaded only by
 * {@link VectorEngineProvider} after it checked that the Vector API works here.
 */
final class VectorEngine implements Engine {
    private final Simd simd;
    private final Workers workers;
    private final WindowKernel.Budgets budgets;

    /**
     * @param bits    vector width: 128, 256, 512, or 0 for the platform's preferred width
     * @param threads intra-op threads (the caller's thread counts as one)
     */
    VectorEngine(int bits, int threads) {
        this(bits, threads, WindowKernel.Budgets.DEFAULT);
    }

    /** With other tile budgets: tests use tiny ones to drive many small and ragged tiles through small shapes. */
    VectorEngine(int bits, int threads, WindowKernel.Budgets budgets) {
        this.simd = SimdLoader.forBits(bits);
        this.workers = new Workers(threads);
        this.budgets = budgets;
    }

    @Override
    public String name() {
        return VectorEngineProvider.NAME;
    }

    @Override
    public int priority() {
        return VectorEngineProvider.PRIORITY;
    }

    @Override
    public String description() {
        return "jdk.incubator.vector, " + simd.bits() + "-bit species (" + simd.lanes() + " floats), "
                + workers.threads() + " thread(s), fp32 accumulation";
    }

    int threads() {
        return workers.threads();
    }

    int bits() {
        return simd.bits();
    }

    @Override
    public Support supports(OpSpec spec) {
        return Support.yes();
    }

    @Override
    public Kernel prepare(OpSpec spec, Tensor[] params) {
        return switch (spec) {
            case ConvSpec s when s.hasResidual() -> new ResidualConvKernel(simd, workers, budgets, s, params);
            case ConvSpec s -> WindowKernel.conv(simd, workers, budgets, s, params);
            case ConvTransposeSpec s -> WindowKernel.convTranspose(simd, workers, budgets, s, params);
            case PoolSpec s -> s.depthWindow() > 1 ? PixelKernel.depthMax(simd, workers, s) : new PoolKernel(simd, workers, s);
            case LrnSpec s -> PixelKernel.lrn(simd, workers, s);
            case BatchNormSpec s -> PixelKernel.batchNorm(simd, workers, s, params);
            case ReluSpec s -> new ElementwiseKernel(simd, workers, s.dtype(), s.shape().elementCount(), false, true);
            case AddSpec s -> new ElementwiseKernel(simd, workers, s.dtype(), s.shape().elementCount(), true, s.relu());
            case ConcatSpec s -> new ConcatKernel(workers, s);
            case GlobalAvgPoolSpec s -> new GlobalAvgPoolKernel(simd, workers, s);
            case DenseSpec s -> new DenseKernel(simd, workers, s, params);
            case SoftmaxSpec s -> PixelKernel.softmax(simd, workers, s);
        };
    }
}
