package org.conv4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Concatenation along the channel axis (an inception module's depth concat): inputs differ only in channels. */
public final class ConcatSpec implements OpSpec {
    private final DType dtype;
    private final List<ActivationShape> ins;
    private final ActivationShape out;

    /**
     * @param layout   activation layout shared by every input and the output
     * @param dims     dims of the first input; the others take its batch and spatial extents
     * @param channels channel count of each input, in order
     */
    public ConcatSpec(DType dtype, Layout layout, int[] dims, int... channels) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        ActivationShape first = ActivationShape.of("input", layout, dims);
        if (channels == null || channels.length < 1) {
            throw new IllegalArgumentException("channels: concat needs at least one input");
        }
        List<ActivationShape> list = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < channels.length; i++) {
            if (channels[i] <= 0) {
                throw new IllegalArgumentException("channels[" + i + "] must be positive, was " + channels[i]);
            }
            list.add(first.with(first.batch(), channels[i], first.spatial()));
            total += channels[i];
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("channels: total " + total + " exceeds " + Integer.MAX_VALUE);
        }
        this.ins = List.copyOf(list);
        this.out = first.with(first.batch(), (int) total, first.spatial());
        out.tensor(dtype);
    }

    @Override
    public OpKind kind() {
        return OpKind.CONCAT;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    public List<ActivationShape> inputShapes() {
        return ins;
    }

    public ActivationShape outputShape() {
        return out;
    }

    /** Channel count of each input. */
    public int[] channels() {
        return ins.stream().mapToInt(ActivationShape::channels).toArray();
    }

    @Override
    public List<TensorSpec> inputs() {
        return ins.stream().map(s -> s.tensor(dtype)).toList();
    }

    @Override
    public TensorSpec output() {
        return out.tensor(dtype);
    }

    @Override
    public List<TensorSpec> params() {
        return List.of();
    }

    @Override
    public List<String> paramNames() {
        return List.of();
    }

    @Override
    public Cost cost() {
        return new Cost(0, 0, 0, out.elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConcatSpec s && s.dtype == dtype && s.ins.equals(ins);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, ins);
    }

    @Override
    public String toString() {
        return describe() + " channels " + Arrays.toString(channels());
    }
}
