package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.conv4j.DType;
import org.conv4j.DenseSpec;
import org.conv4j.Tensor;
import org.conv4j.Weights;
import org.conv4j.spi.Kernel;

/**
 * Fully connected layer on the GEMM micro-kernel: rows of the batch against weight panels packed at prepare.
 * Tasks are row blocks times panel ranges; every output's sum runs over the inputs in order either way.
 */
final class DenseKernel implements Kernel {
    private static final int A_BUDGET = 64 * 1024;

    private final Simd simd;
    private final Workers workers;
    private final DType dtype;
    private final int batch;
    private final int in;
    private final int outF;
    private final boolean relu;
    private final int[] panelCol;
    private final int[] panelNv;
    private final int outPad;
    private final float[] packed;
    private final float[] bias;
    private final int rowsPerTile;

    DenseKernel(Simd simd, Workers workers, DenseSpec s, Tensor[] params) {
        this.simd = simd;
        this.workers = workers;
        this.dtype = s.dtype();
        this.batch = s.batch();
        this.in = s.inFeatures();
        this.outF = s.outFeatures();
        this.relu = s.relu();
        int lanes = simd.lanes();
        int[] pc = new int[outF / lanes + 2];
        int[] pn = new int[pc.length];
        int n = 0;
        int col = 0;
        while (col < outF) {
            int nv = Math.min(4, (outF - col + lanes - 1) / lanes);
            pc[n] = col;
            pn[n++] = nv;
            col += nv * lanes;
        }
        this.panelCol = Arrays.copyOf(pc, n);
        this.panelNv = Arrays.copyOf(pn, n);
        this.outPad = col;
        float[] w = Weights.canonical(params[0]);
        this.packed = new float[outPad * in];
        for (int p = 0; p < n; p++) {
            int nr = panelNv[p] * lanes;
            int base = panelCol[p] * in;
            for (int j = 0; j < nr && panelCol[p] + j < outF; j++) {
                int o = panelCol[p] + j;
                for (int i = 0; i < in; i++) {
                    packed[base + i * nr + j] = w[o * in + i];
                }
            }
        }
        this.bias = new float[outPad];
        if (s.hasBias()) {
            System.arraycopy(Weights.canonical(params[1]), 0, bias, 0, outF);
        }
        this.rowsPerTile = Math.max(1, Math.min(batch, A_BUDGET / in));
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        MemorySegment x = inputs[0].segment();
        MemorySegment y = output.segment();
        int tiles = (batch + rowsPerTile - 1) / rowsPerTile;
        int chunks = tiles < 2 * workers.threads() ? Math.min(panelCol.length, (2 * workers.threads() + tiles - 1) / tiles) : 1;
        int segOff0 = 0;
        workers.run(tiles * chunks, inputs, output, task -> {
            int t = task / chunks;
            int chunk = task % chunks;
            int r0 = t * rowsPerTile;
            int rows = Math.min(rowsPerTile, batch - r0);
            Scratch sc = Scratch.get();
            float[] a = sc.floats(Scratch.IN, rows * in);
            Convert.load(x, dtype, (long) r0 * in, a, 0, rows * in);
            int[] rowBase = sc.ints(Scratch.IN, rows);
            for (int r = 0; r < rows; r++) {
                rowBase[r] = r * in;
            }
            int[] segOff = sc.ints(Scratch.AUX, 1);
            segOff[0] = segOff0;
            int p0 = panelCol.length * chunk / chunks;
            int p1 = panelCol.length * (chunk + 1) / chunks;
            int col0 = panelCol[p0];
            int col1 = p1 < panelCol.length ? panelCol[p1] : outPad;
            int ldc = col1 - col0;
            float[] c = sc.floats(Scratch.OUT, rows * ldc);
            for (int p = p0; p < p1; p++) {
                simd.gemm(a, rowBase, rows, segOff, 1, in, packed, panelCol[p] * in, panelNv[p], bias, panelCol[p],
                        relu, c, panelCol[p] - col0, ldc);
            }
            int kc = Math.min(col1, outF) - col0;
            for (int r = 0; r < rows; r++) {
                Convert.store(c, r * ldc, y, dtype, (long) (r0 + r) * outF + col0, kc);
            }
        });
    }
}
