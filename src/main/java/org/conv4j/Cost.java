package org.conv4j;

/**
 * What an operation costs: learned parameters, multiply-adds (convolutions and fully connected layers; 0 for
 * operations without products of inputs and weights), floating-point operations of the whole operation (2 per
 * multiply-add, plus one per window element, comparison or addition for the rest), and output elements.
 */
public record Cost(long parameters, long multiplyAdds, long flops, long outputElements) {
    /** Bytes of the output when stored as {@code dtype}. */
    public long outputBytes(DType dtype) {
        return Math.multiplyExact(outputElements, (long) dtype.byteSize());
    }

    /** Bits of the output when stored as {@code dtype}. */
    public long outputBits(DType dtype) {
        return Math.multiplyExact(outputBytes(dtype), 8L);
    }

    /** Bytes of the parameters when stored as {@code dtype}. */
    public long parameterBytes(DType dtype) {
        return Math.multiplyExact(parameters, (long) dtype.byteSize());
    }

    public Cost plus(Cost o) {
        return new Cost(parameters + o.parameters, multiplyAdds + o.multiplyAdds, flops + o.flops,
                outputElements + o.outputElements);
    }
}
