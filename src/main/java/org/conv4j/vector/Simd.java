package org.conv4j.vector;

import java.lang.foreign.MemorySegment;

/**
 * The SIMD loops of the engine, over heap {@code float[]} tiles. One implementation class, {@code SimdKernels},
 * is defined once per vector width as a hidden class whose species is a constant (see {@link SimdLoader}), so
 * that the JIT compiles every loop to the instructions of that width.
 */
interface Simd {
    /** Vector width in bits. */
    int bits();

    /** Floats per vector. */
    int lanes();

    /**
     * Register-blocked GEMM over one packed weight panel of {@code nv} vectors:
     * {@code c[cOff + r*ldc + j] = act(bias[biasOff + j] + sum_s sum_t a[rowBase[r] + segOff[s] + t] * b[bOff + (s*segLen + t)*nv*L + j])}
     * for {@code r < rows}, {@code j < nv*L}. Each output's sum runs in the same order whatever the row blocking.
     */
    default void gemm(float[] a, int[] rowBase, int rows, int[] segOff, int segs, int segLen, float[] b, int bOff, int nv,
              float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc) {
        gemmRange(a, rowBase, 0, rows, null, segOff, segLen, 0, segs * segLen, true, true, b, bOff, nv, bias, biasOff, relu, c, cOff, ldc);
    }

    /** Rows the GEMM runs in one block for a panel of {@code nv} vectors (its accumulators: rows x nv). */
    static int rowBlock(int nv) {
        return nv == 4 ? 5 : 6;
    }

    /**
     * {@link #gemm} over rows {@code [rowFrom, rowTo)} (in blocks of {@link #rowBlock} rows from {@code rowFrom}) and the reduction
     * terms {@code q = s * segLen + t} in {@code [kFrom, kTo)} only: the first range starts the sums from zero, later
     * ones continue from the partial sums in {@code c}; only the last adds the bias and applies ReLU. Cutting the
     * reduction this way runs every sum through the same operations in the same order, so the results do not depend
     * on the cuts.
     *
     * <p>{@code rowTerms}, when not null, holds per row {@code r} the terms {@code [rowTerms[4r], rowTerms[4r+1])}
     * and, within each segment, the {@code t} in {@code [rowTerms[4r+2], rowTerms[4r+3])} outside which its {@code a}
     * values are all zero (padding above or below, left or right): a block of rows runs only the union of its rows'
     * ranges. Dropping products {@code 0 * w} from a sum that starts at +0 leaves every bit of it as it was (for finite
     * weights), so the results still do not depend on the blocking.
     */
    void gemmRange(float[] a, int[] rowBase, int rowFrom, int rowTo, int[] rowTerms, int[] segOff, int segLen, int kFrom, int kTo,
                   boolean first, boolean last, float[] b, int bOff, int nv, float[] bias, int biasOff, boolean relu, float[] c, int cOff,
                   int ldc);

    /**
     * Direct convolution for few output channels, vectorised along output pixels of a row. {@code p} is the input
     * tile in planar, stride-phase-split form; {@code off[q]} locates term {@code q} (tap and channel) for output
     * row 0 and pixel 0, output row {@code i} adds {@code i * rowStep}. Output channels go in pairs:
     * {@code out[(ch * rows + i) * width + j] = act(bias[ch] + sum_q p[off[q] + i * rowStep + j] * w[(pair * terms + q) * 2 + ch % 2])}.
     */
    void planarConv(float[] p, int[] off, int terms, int rowStep, int rows, int width, float[] w, int pairs,
                    float[] bias, boolean relu, float[] out);

    /**
     * Depthwise window sum per channel: {@code c[r*ldc + ch] = act(bias[ch] + sum_k a[rowBase[r] + kOff[k] + ch] * w[k*ldw + ch])}
     * for {@code ch < channels}; {@code w} and {@code bias} hold at least {@code ldw} (a multiple of the lanes) per row.
     */
    void depthwise(float[] a, int[] rowBase, int rows, int[] kOff, int taps, int channels, float[] w, int ldw,
                   float[] bias, boolean relu, float[] c, int ldc);

    /**
     * Depthwise 3x3 at stride and dilation 1 along W ({@code tapOff[t+1] = tapOff[t] + lanes} within a filter row) on a channel-blocked tile: block {@code blk} of {@code lanes} channels holds
     * cell {@code (y, x)} at {@code blk * blockStride + (y * rowCells + x) * lanes}. Output pixel {@code (i, j)} reads
     * taps at {@code blk * blockStride + i * rowStep + j * lanes + tapOff[t]} and goes to
     * {@code dst[dstOff + i * rowStride + j * pixStride + blk * lanes + lane]} (full vectors: every lane of every block
     * is written); {@code wt} holds tap {@code t} at {@code t * blocks * lanes}.
     * The sum runs bias first, then taps in order, as in {@link #depthwise}.
     *
     * <p>A heap array, not a segment: the Vector API's segment loads and stores share the JDK's profiles, so a kernel
     * storing into heap segments slows vector access to native ones anywhere in the JVM. When this kernel wrote 16-bit
     * results into a heap segment and f32 ones into the native output, fp16 D1 after f32 D1 in one JVM ran at 2.5
     * GFLOP/s instead of 36; with its f32 border rows also going through a heap segment, the in-place f32 D1 fell from
     * 80 to 40-51. The engine's vector code touches native segments only.
     */
    void depthwise9(float[] a, int blocks, int blockStride, int rowStep, int h, int w, int[] tapOff, float[] wt,
                    float[] bias, boolean relu, float[] dst, int dstOff, int rowStride, int pixStride);

    /**
     * Depthwise 3x3 straight from a channels-last f32 segment, for output pixels whose nine taps all lie inside the
     * input, {@code w >= 5} of them per row and {@code blocks} full vectors of channels: output pixel {@code (i, j)},
     * block {@code blk} reads tap {@code (kh, kw)} at byte
     * {@code srcOff + i * rowStep + kh * tapRow + (j + kw) * pixBytes + 4 * blk * lanes} and goes to byte
     * {@code dstOff + i * dstRowBytes + j * dstPixBytes + 4 * blk * lanes}; weights and order of the sum as in
     * {@link #depthwise9}.
     */
    void depthwise9Direct(MemorySegment src, long srcOff, long rowStep, long tapRow, long pixBytes, int h, int w,
                          float[] wt, int blocks, float[] bias, boolean relu, MemorySegment dst, long dstOff,
                          long dstRowBytes, long dstPixBytes);

    /**
     * {@link #depthwise9Direct} for one column of {@code h} output pixels whose filter columns outside
     * {@code [kwFrom, kwTo)} fall on padding (all three filter rows inside the input): pixel {@code i} reads tap
     * {@code (kh, kw)} at byte {@code srcOff + i * rowStep + kh * tapRow + kw * pixBytes + 4 * blk * lanes} and goes
     * to byte {@code dstOff + i * dstRowBytes + 4 * blk * lanes}.
     */
    void depthwise9Column(MemorySegment src, long srcOff, long rowStep, long tapRow, long pixBytes, int kwFrom, int kwTo,
                          int h, float[] wt, int blocks, float[] bias, boolean relu, MemorySegment dst, long dstOff,
                          long dstRowBytes);

    /**
     * Channels-last pixels to channel blocks: {@code dst[(blk * cells + cell + p) * lanes + l] = a[p * channels + blk * lanes + l]}
     * for {@code p < pixels}, zero past {@code channels}, for {@code blocks = ceil(channels / lanes)}.
     */
    void blockChannels(float[] a, int pixels, int channels, float[] dst, int cell, int cells);

    /**
     * {@code pixels} channels-last f32 pixels of a segment, from byte {@code byteOff}, into channel blocks as
     * {@link #blockChannels} lays them out ({@code cells} cells per block), at cells {@code cell ..}; lanes past
     * {@code channels} get zero.
     */
    void gatherBlocked(MemorySegment seg, long byteOff, int pixels, int channels, float[] dst, int cell, int cells);

    /**
     * One step of a separable pooling: {@code acc[i] = op_r src[i]} of row {@code r < rows}, rows in order, the row
     * at byte {@code byteOff[r]} of {@code src} (native-order floats), op max or sum, for {@code i < n}.
     */
    void reduceRows(MemorySegment src, long[] byteOff, int rows, float[] acc, int n, boolean max);

    /**
     * {@link #reduceRows} with max for a 16-bit float type (sign-magnitude, NaN where the magnitude bits exceed
     * {@code nanAbove}: 0x7c00 for fp16, 0x7f80 for bf16), without widening: {@code acc[i]} receives the bit pattern of
     * the largest of the rows' element {@code i} ({@link Math#max}'s rule: +0 over -0, any NaN wins and comes out as
     * 0x7fff), the row at byte {@code byteOff[r]} of {@code src}, for {@code i < n}.
     */
    void maxRows16(MemorySegment src, long[] byteOff, int rows, int n, short nanAbove, short[] acc);

    /**
     * The other step: output pixel {@code j < outs} reduces, per channel, the columns
     * {@code j * stride + start + t} ({@code t < k}) of {@code row} ({@code cols} pixels of {@code channels}) that lie
     * inside it, in order; an average divides by {@code rows} times the columns used.
     * {@code out[j * channels + ch]} receives the result.
     */
    void reduceColumns(float[] row, int cols, int channels, int start, int stride, int k, int outs, boolean max, int rows,
                       float[] out);

    /** Max over each run of {@code depth} consecutive channels of {@code rows} rows of {@code channels}. */
    void depthMax(float[] a, int rows, int channels, int depth, float[] c);

    /** TensorFlow LRN along each row of {@code channels}; {@code sq} is scratch of channels + 2r + lanes floats. */
    void lrn(float[] x, int rows, int channels, int radius, float bias, float alpha, float beta, float[] sq, float[] out);

    /** Softmax along each row of {@code channels}, in place. */
    void softmax(float[] x, int rows, int channels);

    /** {@code a[i] = max(a[i], 0)} keeping NaN, for {@code i < n}. */
    void relu(float[] a, int n);

    /** {@code a[i] = max(a[i], b[i])} (NaN wins, as in {@link Math#max}). */
    void max(float[] a, float[] b, int n);

    /** {@code a[i] += b[i]}, then ReLU when asked. */
    void add(float[] a, float[] b, int n, boolean relu);

    /** Batch norm on {@code pixels} rows of {@code channels}: {@code (x - mean[c]) * mul[c] + offset[c]}, then ReLU. */
    void affineRows(float[] x, int pixels, int channels, float[] mean, float[] mul, float[] offset, boolean relu);

    /** Batch norm on one channel's run: {@code (x - mean) * mul + offset}, then ReLU. */
    void affineRun(float[] x, int off, int n, float mean, float mul, float offset, boolean relu);

    /** {@code acc[c] += x[r*channels + c]} over rows in order. */
    void accumulateRows(float[] acc, float[] x, int rows, int channels);

    /** Sum of {@code x[off .. off+n)} in lanes, then across lanes. */
    float sum(float[] x, int off, int n);
}
