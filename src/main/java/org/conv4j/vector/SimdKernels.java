package org.conv4j.vector;

import java.lang.constant.ConstantDescs;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API loops. Never loaded by name: {@link SimdLoader} defines this class's bytes as a hidden class per
 * width, and the static initialiser reads the width from the class data, so {@link #S} is a true constant.
 * Keep this class free of lambdas, nested classes and enum switches (they would name the original class).
 * The micro-kernels {@code k6xN} are written out per width in vectors (6 rows x N vectors of accumulators).
 */
final class SimdKernels implements Simd {
    private static final VectorSpecies<Float> S = species();
    private static final int L = S.length();

    private static VectorSpecies<Float> species() {
        int bits;
        try {
            bits = MethodHandles.classData(MethodHandles.lookup(), ConstantDescs.DEFAULT_NAME, Integer.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return switch (bits) {
            case 0 -> FloatVector.SPECIES_PREFERRED;
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vector bits must be 128, 256 or 512, was " + bits);
        };
    }

    SimdKernels() {
        // work around JDK-8309727 as Lucene does: touch the species once before hot code runs
        FloatVector.fromArray(S, new float[L], 0);
    }

    @Override
    public int bits() {
        return S.vectorBitSize();
    }

    @Override
    public int lanes() {
        return L;
    }

    private static void store(FloatVector v, boolean relu, float[] c, int off) {
        (relu ? v.max(0f) : v).intoArray(c, off);
    }

    @Override
    public void gemm(float[] a, int[] rowBase, int rows, int[] segOff, int segs, int segLen, float[] b, int bOff, int nv,
                     float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc) {
        for (int r = 0; r < rows; r += 6) {
            int n = Math.min(6, rows - r);
            int last = r + n - 1;
            int o0 = rowBase[r];
            int o1 = rowBase[Math.min(r + 1, last)];
            int o2 = rowBase[Math.min(r + 2, last)];
            int o3 = rowBase[Math.min(r + 3, last)];
            int o4 = rowBase[Math.min(r + 4, last)];
            int o5 = rowBase[Math.min(r + 5, last)];
            int co = cOff + r * ldc;
            switch (nv) {
                case 4 -> k6x4(a, o0, o1, o2, o3, o4, o5, segOff, segs, segLen, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                case 3 -> k6x3(a, o0, o1, o2, o3, o4, o5, segOff, segs, segLen, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                case 2 -> k6x2(a, o0, o1, o2, o3, o4, o5, segOff, segs, segLen, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                case 1 -> k6x1(a, o0, o1, o2, o3, o4, o5, segOff, segs, segLen, b, bOff, bias, biasOff, relu, c, co, ldc, n);
                default -> throw new IllegalArgumentException("panel width must be 1 to 4 vectors, was " + nv);
            }
        }
    }

    private static void k6x4(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segs, int segLen, float[] b, int bOff,
            float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S); FloatVector c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S); FloatVector c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S); FloatVector c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S); FloatVector c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S); FloatVector c42 = FloatVector.zero(S); FloatVector c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S); FloatVector c52 = FloatVector.zero(S); FloatVector c53 = FloatVector.zero(S);
        final int step = 4 * L;
        int bk = bOff;
        for (int s = 0; s < segs; s++) {
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            for (int t = 0; t < segLen; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, b, bk + 3 * L);
                FloatVector av;
                av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02); c03 = av.fma(b3, c03);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12); c13 = av.fma(b3, c13);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22); c23 = av.fma(b3, c23);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32); c33 = av.fma(b3, c33);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42); c43 = av.fma(b3, c43);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52); c53 = av.fma(b3, c53);
                bk += step;
            }
        }
        FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
        FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
        FloatVector bias2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
        FloatVector bias3 = FloatVector.fromArray(S, bias, biasOff + 3 * L);
        store(c00.add(bias0), relu, c, cOff + 0 * ldc + 0 * L);
        store(c01.add(bias1), relu, c, cOff + 0 * ldc + 1 * L);
        store(c02.add(bias2), relu, c, cOff + 0 * ldc + 2 * L);
        store(c03.add(bias3), relu, c, cOff + 0 * ldc + 3 * L);
        if (rows > 1) {
            store(c10.add(bias0), relu, c, cOff + 1 * ldc + 0 * L);
            store(c11.add(bias1), relu, c, cOff + 1 * ldc + 1 * L);
            store(c12.add(bias2), relu, c, cOff + 1 * ldc + 2 * L);
            store(c13.add(bias3), relu, c, cOff + 1 * ldc + 3 * L);
        }
        if (rows > 2) {
            store(c20.add(bias0), relu, c, cOff + 2 * ldc + 0 * L);
            store(c21.add(bias1), relu, c, cOff + 2 * ldc + 1 * L);
            store(c22.add(bias2), relu, c, cOff + 2 * ldc + 2 * L);
            store(c23.add(bias3), relu, c, cOff + 2 * ldc + 3 * L);
        }
        if (rows > 3) {
            store(c30.add(bias0), relu, c, cOff + 3 * ldc + 0 * L);
            store(c31.add(bias1), relu, c, cOff + 3 * ldc + 1 * L);
            store(c32.add(bias2), relu, c, cOff + 3 * ldc + 2 * L);
            store(c33.add(bias3), relu, c, cOff + 3 * ldc + 3 * L);
        }
        if (rows > 4) {
            store(c40.add(bias0), relu, c, cOff + 4 * ldc + 0 * L);
            store(c41.add(bias1), relu, c, cOff + 4 * ldc + 1 * L);
            store(c42.add(bias2), relu, c, cOff + 4 * ldc + 2 * L);
            store(c43.add(bias3), relu, c, cOff + 4 * ldc + 3 * L);
        }
        if (rows > 5) {
            store(c50.add(bias0), relu, c, cOff + 5 * ldc + 0 * L);
            store(c51.add(bias1), relu, c, cOff + 5 * ldc + 1 * L);
            store(c52.add(bias2), relu, c, cOff + 5 * ldc + 2 * L);
            store(c53.add(bias3), relu, c, cOff + 5 * ldc + 3 * L);
        }
    }

    private static void k6x3(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segs, int segLen, float[] b, int bOff,
            float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S); FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S); FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S); FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S); FloatVector c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S); FloatVector c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S); FloatVector c52 = FloatVector.zero(S);
        final int step = 3 * L;
        int bk = bOff;
        for (int s = 0; s < segs; s++) {
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            for (int t = 0; t < segLen; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, b, bk + 2 * L);
                FloatVector av;
                av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01); c02 = av.fma(b2, c02);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11); c12 = av.fma(b2, c12);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21); c22 = av.fma(b2, c22);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31); c32 = av.fma(b2, c32);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41); c42 = av.fma(b2, c42);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51); c52 = av.fma(b2, c52);
                bk += step;
            }
        }
        FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
        FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
        FloatVector bias2 = FloatVector.fromArray(S, bias, biasOff + 2 * L);
        store(c00.add(bias0), relu, c, cOff + 0 * ldc + 0 * L);
        store(c01.add(bias1), relu, c, cOff + 0 * ldc + 1 * L);
        store(c02.add(bias2), relu, c, cOff + 0 * ldc + 2 * L);
        if (rows > 1) {
            store(c10.add(bias0), relu, c, cOff + 1 * ldc + 0 * L);
            store(c11.add(bias1), relu, c, cOff + 1 * ldc + 1 * L);
            store(c12.add(bias2), relu, c, cOff + 1 * ldc + 2 * L);
        }
        if (rows > 2) {
            store(c20.add(bias0), relu, c, cOff + 2 * ldc + 0 * L);
            store(c21.add(bias1), relu, c, cOff + 2 * ldc + 1 * L);
            store(c22.add(bias2), relu, c, cOff + 2 * ldc + 2 * L);
        }
        if (rows > 3) {
            store(c30.add(bias0), relu, c, cOff + 3 * ldc + 0 * L);
            store(c31.add(bias1), relu, c, cOff + 3 * ldc + 1 * L);
            store(c32.add(bias2), relu, c, cOff + 3 * ldc + 2 * L);
        }
        if (rows > 4) {
            store(c40.add(bias0), relu, c, cOff + 4 * ldc + 0 * L);
            store(c41.add(bias1), relu, c, cOff + 4 * ldc + 1 * L);
            store(c42.add(bias2), relu, c, cOff + 4 * ldc + 2 * L);
        }
        if (rows > 5) {
            store(c50.add(bias0), relu, c, cOff + 5 * ldc + 0 * L);
            store(c51.add(bias1), relu, c, cOff + 5 * ldc + 1 * L);
            store(c52.add(bias2), relu, c, cOff + 5 * ldc + 2 * L);
        }
    }

    private static void k6x2(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segs, int segLen, float[] b, int bOff,
            float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
        final int step = 2 * L;
        int bk = bOff;
        for (int s = 0; s < segs; s++) {
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            for (int t = 0; t < segLen; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, b, bk + 1 * L);
                FloatVector av;
                av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00); c01 = av.fma(b1, c01);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10); c11 = av.fma(b1, c11);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20); c21 = av.fma(b1, c21);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30); c31 = av.fma(b1, c31);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40); c41 = av.fma(b1, c41);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50); c51 = av.fma(b1, c51);
                bk += step;
            }
        }
        FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
        FloatVector bias1 = FloatVector.fromArray(S, bias, biasOff + 1 * L);
        store(c00.add(bias0), relu, c, cOff + 0 * ldc + 0 * L);
        store(c01.add(bias1), relu, c, cOff + 0 * ldc + 1 * L);
        if (rows > 1) {
            store(c10.add(bias0), relu, c, cOff + 1 * ldc + 0 * L);
            store(c11.add(bias1), relu, c, cOff + 1 * ldc + 1 * L);
        }
        if (rows > 2) {
            store(c20.add(bias0), relu, c, cOff + 2 * ldc + 0 * L);
            store(c21.add(bias1), relu, c, cOff + 2 * ldc + 1 * L);
        }
        if (rows > 3) {
            store(c30.add(bias0), relu, c, cOff + 3 * ldc + 0 * L);
            store(c31.add(bias1), relu, c, cOff + 3 * ldc + 1 * L);
        }
        if (rows > 4) {
            store(c40.add(bias0), relu, c, cOff + 4 * ldc + 0 * L);
            store(c41.add(bias1), relu, c, cOff + 4 * ldc + 1 * L);
        }
        if (rows > 5) {
            store(c50.add(bias0), relu, c, cOff + 5 * ldc + 0 * L);
            store(c51.add(bias1), relu, c, cOff + 5 * ldc + 1 * L);
        }
    }

    private static void k6x1(float[] a, int o0, int o1, int o2, int o3, int o4, int o5, int[] segOff, int segs, int segLen, float[] b, int bOff,
            float[] bias, int biasOff, boolean relu, float[] c, int cOff, int ldc, int rows) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        final int step = 1 * L;
        int bk = bOff;
        for (int s = 0; s < segs; s++) {
            int so = segOff[s];
            int p0 = o0 + so; int p1 = o1 + so; int p2 = o2 + so; int p3 = o3 + so; int p4 = o4 + so; int p5 = o5 + so;
            for (int t = 0; t < segLen; t++) {
                FloatVector b0 = FloatVector.fromArray(S, b, bk + 0 * L);
                FloatVector av;
                av = FloatVector.broadcast(S, a[p0 + t]);
                c00 = av.fma(b0, c00);
                av = FloatVector.broadcast(S, a[p1 + t]);
                c10 = av.fma(b0, c10);
                av = FloatVector.broadcast(S, a[p2 + t]);
                c20 = av.fma(b0, c20);
                av = FloatVector.broadcast(S, a[p3 + t]);
                c30 = av.fma(b0, c30);
                av = FloatVector.broadcast(S, a[p4 + t]);
                c40 = av.fma(b0, c40);
                av = FloatVector.broadcast(S, a[p5 + t]);
                c50 = av.fma(b0, c50);
                bk += step;
            }
        }
        FloatVector bias0 = FloatVector.fromArray(S, bias, biasOff + 0 * L);
        store(c00.add(bias0), relu, c, cOff + 0 * ldc + 0 * L);
        if (rows > 1) {
            store(c10.add(bias0), relu, c, cOff + 1 * ldc + 0 * L);
        }
        if (rows > 2) {
            store(c20.add(bias0), relu, c, cOff + 2 * ldc + 0 * L);
        }
        if (rows > 3) {
            store(c30.add(bias0), relu, c, cOff + 3 * ldc + 0 * L);
        }
        if (rows > 4) {
            store(c40.add(bias0), relu, c, cOff + 4 * ldc + 0 * L);
        }
        if (rows > 5) {
            store(c50.add(bias0), relu, c, cOff + 5 * ldc + 0 * L);
        }
    }

    @Override
    public void planarConv(float[] p, int[] off, int terms, int rowStep, int rows, int width, float[] w, int pairs,
                           float[] bias, boolean relu, float[] out) {
        for (int pair = 0; pair < pairs; pair++) {
            int wBase = pair * terms * 2;
            float bias0 = bias[pair * 2];
            float bias1 = bias[pair * 2 + 1];
            int out0 = pair * 2 * rows * width;
            int out1 = out0 + rows * width;
            for (int i = 0; i < rows; i++) {
                int rowOff = i * rowStep;
                int j = 0;
                for (; j + 4 * L <= width; j += 4 * L) {
                    FloatVector a0 = FloatVector.zero(S);
                    FloatVector a1 = a0;
                    FloatVector a2 = a0;
                    FloatVector a3 = a0;
                    FloatVector b0 = a0;
                    FloatVector b1 = a0;
                    FloatVector b2 = a0;
                    FloatVector b3 = a0;
                    int base = rowOff + j;
                    for (int q = 0; q < terms; q++) {
                        int o = off[q] + base;
                        FloatVector w0 = FloatVector.broadcast(S, w[wBase + 2 * q]);
                        FloatVector w1 = FloatVector.broadcast(S, w[wBase + 2 * q + 1]);
                        FloatVector v0 = FloatVector.fromArray(S, p, o);
                        FloatVector v1 = FloatVector.fromArray(S, p, o + L);
                        FloatVector v2 = FloatVector.fromArray(S, p, o + 2 * L);
                        FloatVector v3 = FloatVector.fromArray(S, p, o + 3 * L);
                        a0 = v0.fma(w0, a0);
                        a1 = v1.fma(w0, a1);
                        a2 = v2.fma(w0, a2);
                        a3 = v3.fma(w0, a3);
                        b0 = v0.fma(w1, b0);
                        b1 = v1.fma(w1, b1);
                        b2 = v2.fma(w1, b2);
                        b3 = v3.fma(w1, b3);
                    }
                    int o0 = out0 + i * width + j;
                    int o1 = out1 + i * width + j;
                    store(a0.add(bias0), relu, out, o0);
                    store(a1.add(bias0), relu, out, o0 + L);
                    store(a2.add(bias0), relu, out, o0 + 2 * L);
                    store(a3.add(bias0), relu, out, o0 + 3 * L);
                    store(b0.add(bias1), relu, out, o1);
                    store(b1.add(bias1), relu, out, o1 + L);
                    store(b2.add(bias1), relu, out, o1 + 2 * L);
                    store(b3.add(bias1), relu, out, o1 + 3 * L);
                }
                for (; j < width; j += L) {
                    VectorMask<Float> m = S.indexInRange(j, width);
                    FloatVector a0 = FloatVector.zero(S);
                    FloatVector b0 = a0;
                    int base = rowOff + j;
                    for (int q = 0; q < terms; q++) {
                        FloatVector v0 = FloatVector.fromArray(S, p, off[q] + base, m);
                        a0 = v0.fma(FloatVector.broadcast(S, w[wBase + 2 * q]), a0);
                        b0 = v0.fma(FloatVector.broadcast(S, w[wBase + 2 * q + 1]), b0);
                    }
                    storeMasked(a0.add(bias0), relu, out, out0 + i * width + j, m);
                    storeMasked(b0.add(bias1), relu, out, out1 + i * width + j, m);
                }
            }
        }
    }

    @Override
    public void depthwise(float[] a, int[] rowBase, int rows, int[] kOff, int taps, int channels, float[] w, int ldw,
                          float[] bias, boolean relu, float[] c, int ldc) {
        int full = channels / L * L;
        for (int ch = 0; ch < full; ch += L) {
            FloatVector bv = FloatVector.fromArray(S, bias, ch);
            int r = 0;
            for (; r + 4 <= rows; r += 4) {
                int b0 = rowBase[r] + ch;
                int b1 = rowBase[r + 1] + ch;
                int b2 = rowBase[r + 2] + ch;
                int b3 = rowBase[r + 3] + ch;
                FloatVector acc0 = bv;
                FloatVector acc1 = bv;
                FloatVector acc2 = bv;
                FloatVector acc3 = bv;
                for (int k = 0; k < taps; k++) {
                    FloatVector wv = FloatVector.fromArray(S, w, k * ldw + ch);
                    int o = kOff[k];
                    acc0 = FloatVector.fromArray(S, a, b0 + o).fma(wv, acc0);
                    acc1 = FloatVector.fromArray(S, a, b1 + o).fma(wv, acc1);
                    acc2 = FloatVector.fromArray(S, a, b2 + o).fma(wv, acc2);
                    acc3 = FloatVector.fromArray(S, a, b3 + o).fma(wv, acc3);
                }
                store(acc0, relu, c, r * ldc + ch);
                store(acc1, relu, c, (r + 1) * ldc + ch);
                store(acc2, relu, c, (r + 2) * ldc + ch);
                store(acc3, relu, c, (r + 3) * ldc + ch);
            }
            for (; r < rows; r++) {
                int b0 = rowBase[r] + ch;
                FloatVector acc0 = bv;
                for (int k = 0; k < taps; k++) {
                    acc0 = FloatVector.fromArray(S, a, b0 + kOff[k]).fma(FloatVector.fromArray(S, w, k * ldw + ch), acc0);
                }
                store(acc0, relu, c, r * ldc + ch);
            }
        }
        if (full < channels) {
            VectorMask<Float> m = S.indexInRange(full, channels);
            FloatVector bv = FloatVector.fromArray(S, bias, full);
            for (int r = 0; r < rows; r++) {
                int b0 = rowBase[r] + full;
                FloatVector acc0 = bv;
                for (int k = 0; k < taps; k++) {
                    acc0 = FloatVector.fromArray(S, a, b0 + kOff[k], m).fma(FloatVector.fromArray(S, w, k * ldw + full), acc0);
                }
                storeMasked(acc0, relu, c, r * ldc + full, m);
            }
        }
    }

    private static void storeMasked(FloatVector v, boolean relu, float[] c, int off, VectorMask<Float> m) {
        (relu ? v.max(0f) : v).intoArray(c, off, m);
    }

    @Override
    public void pool(float[] a, int[] rowBase, int rows, int[] kOff, int taps, int channels, boolean max, float[] count,
                     float[] c, int ldc) {
        int full = channels / L * L;
        for (int r = 0; r < rows; r++) {
            int base = rowBase[r];
            for (int ch = 0; ch < full; ch += L) {
                FloatVector acc;
                if (max) {
                    acc = FloatVector.fromArray(S, a, base + kOff[0] + ch);
                    for (int k = 1; k < taps; k++) {
                        acc = acc.max(FloatVector.fromArray(S, a, base + kOff[k] + ch));
                    }
                } else {
                    acc = FloatVector.fromArray(S, a, base + kOff[0] + ch);
                    for (int k = 1; k < taps; k++) {
                        acc = acc.add(FloatVector.fromArray(S, a, base + kOff[k] + ch));
                    }
                    acc = acc.div(count[r]);
                }
                acc.intoArray(c, r * ldc + ch);
            }
            if (full < channels) {
                VectorMask<Float> m = S.indexInRange(full, channels);
                FloatVector acc = FloatVector.fromArray(S, a, base + kOff[0] + full, m);
                for (int k = 1; k < taps; k++) {
                    FloatVector v = FloatVector.fromArray(S, a, base + kOff[k] + full, m);
                    acc = max ? acc.max(v) : acc.add(v);
                }
                if (!max) {
                    acc = acc.div(count[r]);
                }
                acc.intoArray(c, r * ldc + full, m);
            }
        }
    }

    @Override
    public void depthMax(float[] a, int rows, int channels, int depth, float[] c) {
        int outC = channels / depth;
        int[] index = new int[L];
        for (int i = 0; i < L; i++) {
            index[i] = i * depth;
        }
        for (int r = 0; r < rows; r++) {
            int oc = 0;
            // masked gathers still bounds-check unset lanes in JDK 25, so only full vectors gather
            for (; oc + L <= outC; oc += L) {
                int base = r * channels + oc * depth;
                FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int j = 0; j < depth; j++) {
                    acc = acc.max(FloatVector.fromArray(S, a, base + j, index, 0));
                }
                acc.intoArray(c, r * outC + oc);
            }
            for (; oc < outC; oc++) {
                int base = r * channels + oc * depth;
                float m = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < depth; j++) {
                    m = Math.max(m, a[base + j]);
                }
                c[r * outC + oc] = m;
            }
        }
    }

    @Override
    public void lrn(float[] x, int rows, int channels, int radius, float bias, float alpha, float beta, float[] sq,
                    float[] out) {
        int width = 2 * radius + 1;
        for (int r = 0; r < rows; r++) {
            int row = r * channels;
            java.util.Arrays.fill(sq, 0, radius, 0f);
            java.util.Arrays.fill(sq, radius + channels, 2 * radius + channels + L, 0f);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                FloatVector v = FloatVector.fromArray(S, x, row + ch, m);
                v.mul(v).intoArray(sq, radius + ch, m);
            }
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                FloatVector s = FloatVector.zero(S);
                for (int j = 0; j < width; j++) {
                    s = s.add(FloatVector.fromArray(S, sq, ch + j));
                }
                FloatVector den = s.mul(alpha).add(bias).lanewise(VectorOperators.POW, beta);
                FloatVector.fromArray(S, x, row + ch, m).div(den).intoArray(out, row + ch, m);
            }
        }
    }

    @Override
    public void softmax(float[] x, int rows, int channels) {
        for (int r = 0; r < rows; r++) {
            int row = r * channels;
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                mx = mx.max(FloatVector.fromArray(S, x, row + ch, m).blend(Float.NEGATIVE_INFINITY, m.not()));
            }
            float max = mx.reduceLanes(VectorOperators.MAX);
            FloatVector sum = FloatVector.zero(S);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                FloatVector e = FloatVector.fromArray(S, x, row + ch, m).sub(max).lanewise(VectorOperators.EXP);
                e = e.blend(0f, m.not());
                e.intoArray(x, row + ch, m);
                sum = sum.add(e);
            }
            float inv = sum.reduceLanes(VectorOperators.ADD);
            for (int ch = 0; ch < channels; ch += L) {
                VectorMask<Float> m = S.indexInRange(ch, channels);
                FloatVector.fromArray(S, x, row + ch, m).div(inv).intoArray(x, row + ch, m);
            }
        }
    }

    @Override
    public void relu(float[] a, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i);
            v.blend(0f, v.lt(0f)).intoArray(a, i);
        }
        for (; i < n; i++) {
            a[i] = a[i] < 0 ? 0f : a[i];
        }
    }

    @Override
    public void add(float[] a, float[] b, int n, boolean relu) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i));
            if (relu) {
                v = v.blend(0f, v.lt(0f));
            }
            v.intoArray(a, i);
        }
        for (; i < n; i++) {
            float v = a[i] + b[i];
            a[i] = relu && v < 0 ? 0f : v;
        }
    }

    @Override
    public void affineRows(float[] x, int pixels, int channels, float[] mean, float[] mul, float[] offset, boolean relu) {
        for (int ch = 0; ch < channels; ch += L) {
            VectorMask<Float> m = S.indexInRange(ch, channels);
            FloatVector mv = FloatVector.fromArray(S, mean, ch, m);
            FloatVector kv = FloatVector.fromArray(S, mul, ch, m);
            FloatVector ov = FloatVector.fromArray(S, offset, ch, m);
            for (int p = 0; p < pixels; p++) {
                int o = p * channels + ch;
                FloatVector v = FloatVector.fromArray(S, x, o, m).sub(mv).fma(kv, ov);
                if (relu) {
                    v = v.blend(0f, v.lt(0f));
                }
                v.intoArray(x, o, m);
            }
        }
    }

    @Override
    public void affineRun(float[] x, int off, int n, float mean, float mul, float offset, boolean relu) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(mean).fma(mul, offset);
            if (relu) {
                v = v.blend(0f, v.lt(0f));
            }
            v.intoArray(x, off + i);
        }
        for (; i < n; i++) {
            float v = Math.fma(x[off + i] - mean, mul, offset);
            x[off + i] = relu && v < 0 ? 0f : v;
        }
    }

    @Override
    public void accumulateRows(float[] acc, float[] x, int rows, int channels) {
        for (int ch = 0; ch < channels; ch += L) {
            VectorMask<Float> m = S.indexInRange(ch, channels);
            FloatVector s = FloatVector.fromArray(S, acc, ch, m);
            for (int r = 0; r < rows; r++) {
                s = s.add(FloatVector.fromArray(S, x, r * channels + ch, m));
            }
            s.intoArray(acc, ch, m);
        }
    }

    @Override
    public float sum(float[] x, int off, int n) {
        FloatVector s = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            s = s.add(FloatVector.fromArray(S, x, off + i));
        }
        float t = s.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            t += x[off + i];
        }
        return t;
    }
}
