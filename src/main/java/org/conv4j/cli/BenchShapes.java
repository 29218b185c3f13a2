package org.conv4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.conv4j.ConvSpec;
import org.conv4j.DType;
import org.conv4j.Layout;
import org.conv4j.LrnSpec;
import org.conv4j.OpSpec;
import org.conv4j.Padding;
import org.conv4j.PoolKind;
import org.conv4j.PoolSpec;

/**
 * The benchmark shapes of {@code shared/shapes.md} as op specs: one catalogue for the JMH suite, the report (FLOPs)
 * and the command line ({@code --filter}). The C baseline in {@code native/} lists the same shapes.
 */
public final class BenchShapes {
    /** One benchmark shape: its id in shapes.md, what it is, and its spec for a dtype. */
    public record Shape(String id, String description, Function<DType, OpSpec> specFor) {
        public OpSpec spec(DType dtype) {
            return specFor.apply(dtype);
        }

        /** FLOPs of one run, as {@link org.conv4j.Cost#flops()} counts them (2 per multiply-add). */
        public long flops() {
            return spec(DType.F32).cost().flops();
        }

        /** True for convolutions; false for pooling and normalisation. */
        public boolean isConv() {
            return spec(DType.F32) instanceof ConvSpec;
        }
    }

    private static final List<Shape> ALL = List.of(
            conv("S1", "seed memory example", 1, 150, 100, 3, 200, 5, 1, Padding.SAME),
            conv("S2", "seed demo (2 photos)", 2, 427, 640, 3, 2, 7, 2, Padding.SAME),
            conv("R1", "ResNet stem", 1, 224, 224, 3, 64, 7, 2, Padding.SAME),
            conv("R2", "ResNet 3x3, stage 1", 1, 56, 56, 64, 64, 3, 1, Padding.SAME),
            conv("R3", "ResNet 3x3, stage 2", 1, 28, 28, 128, 128, 3, 1, Padding.SAME),
            conv("R4", "ResNet 3x3, stage 3", 1, 14, 14, 256, 256, 3, 1, Padding.SAME),
            conv("R5", "ResNet 3x3, stage 4", 1, 7, 7, 512, 512, 3, 1, Padding.SAME),
            conv("R6", "bottleneck 1x1 expand", 1, 56, 56, 64, 256, 1, 1, Padding.SAME),
            conv("R7", "projection shortcut 1x1 s2", 1, 56, 56, 256, 512, 1, 2, Padding.SAME),
            conv("A1", "AlexNet conv1", 1, 227, 227, 3, 96, 11, 4, Padding.VALID),
            conv("G1", "GoogLeNet inception 5x5", 1, 28, 28, 16, 32, 5, 1, Padding.SAME),
            new Shape("D1", "depthwise 3x3 (mult 1)", t -> ConvSpec.builder(Layout.NHWC).input(1, 112, 112, 32)
                    .kernel(3, 3).depthwise(1).padding(Padding.SAME).dtype(t).build()),
            conv("B32", "R2 at batch 32", 32, 56, 56, 64, 64, 3, 1, Padding.SAME),
            pool("P1", "max pool (ResNet stem)", PoolKind.MAX, 1, 112, 112, 64, 3, 2, Padding.SAME),
            pool("P2", "global avg pool", PoolKind.AVG, 32, 7, 7, 2048, 7, 1, Padding.VALID),
            pool("P3", "max pool on seed photos", PoolKind.MAX, 2, 427, 640, 3, 2, 2, Padding.VALID),
            new Shape("L1", "LRN (AlexNet) r=2 a=2e-5 b=0.75 k=1",
                    t -> new LrnSpec(t, Layout.NHWC, new int[] {1, 55, 55, 96}, 2, 1f, 2e-5f, 0.75f)));

    private BenchShapes() {
    }

    private static Shape conv(String id, String what, int n, int h, int w, int c, int k, int f, int stride, Padding p) {
        return new Shape(id, what, t -> ConvSpec.builder(Layout.NHWC).input(n, h, w, c).kernel(f, f).outChannels(k)
                .strides(stride).padding(p).dtype(t).build());
    }

    private static Shape pool(String id, String what, PoolKind kind, int n, int h, int w, int c, int window, int stride,
                              Padding p) {
        return new Shape(id, what, t -> PoolSpec.builder(kind, Layout.NHWC).input(n, h, w, c).window(window)
                .strides(stride).padding(p).dtype(t).build());
    }

    /** Every shape, in the order of shapes.md. */
    public static List<Shape> all() {
        return ALL;
    }

    /** The shape with this id (case-insensitive). */
    public static Shape byId(String id) {
        for (Shape s : ALL) {
            if (s.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("shape id '" + id + "' is not in shared/shapes.md; known ids: " + ids());
    }

    /** All ids, comma-separated. */
    public static String ids() {
        return String.join(",", ALL.stream().map(Shape::id).toList());
    }

    /**
     * Parses a comma-separated list of ids (as {@code --filter} takes it) into shapes in catalogue order.
     *
     * @throws IllegalArgumentException naming the first unknown id, or when the list is empty
     */
    public static List<Shape> parse(String ids) {
        if (ids == null || ids.isBlank()) {
            throw new IllegalArgumentException("shape list is empty; known ids: " + ids());
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String part : ids.split(",", -1)) {
            if (part.isBlank()) {
                throw new IllegalArgumentException("shape list '" + ids + "' has an empty entry; known ids: " + ids());
            }
            wanted.add(byId(part).id().toUpperCase(Locale.ROOT));
        }
        List<Shape> out = new ArrayList<>();
        for (Shape s : ALL) {
            if (wanted.contains(s.id().toUpperCase(Locale.ROOT))) {
                out.add(s);
            }
        }
        return out;
    }
}
