package org.conv4j;

import java.util.List;

/**
 * An immutable, validated description of one operation: its input, output and parameter tensors and its cost.
 * Specs carry the full input shape (like oneDNN's operation descriptors), so everything that can be checked is
 * checked when the spec is built, before any engine sees it.
 */
public sealed interface OpSpec
        permits ConvSpec, ConvTransposeSpec, PoolSpec, LrnSpec, BatchNormSpec, ReluSpec, AddSpec, ConcatSpec,
                GlobalAvgPoolSpec, DenseSpec, SoftmaxSpec {

    OpKind kind();

    /** The dtype of activations (inputs and output). */
    DType dtype();

    /** The input tensors, in the order {@link Operation#apply(List, Tensor)} takes them. */
    List<TensorSpec> inputs();

    TensorSpec output();

    /** Parameter tensors (weights), in the order {@link #prepare(Tensor...)} takes them; any dtype is accepted. */
    List<TensorSpec> params();

    /** Names of the parameters, parallel to {@link #params()}. */
    List<String> paramNames();

    Cost cost();

    /** Prepares this operation with its parameters on the engine {@code auto} selects (see {@link Conv4j}). */
    default Operation prepare(Tensor... params) {
        return Conv4j.prepare(this, params);
    }

    /** Checks parameter tensors against {@link #params()}. */
    default void checkParams(Tensor... params) {
        List<TensorSpec> specs = params();
        List<String> names = paramNames();
        int given = params == null ? 0 : params.length;
        if (given != specs.size()) {
            throw new IllegalArgumentException("params: " + kind().id() + " needs " + specs.size() + " parameter tensors "
                    + names + ", got " + given);
        }
        for (int i = 0; i < specs.size(); i++) {
            specs.get(i).check(names.get(i), params[i]);
        }
    }

    /** One line, e.g. {@code conv f32 NHWC [1, 56, 56, 64] -> [1, 56, 56, 64]}. */
    default String describe() {
        StringBuilder sb = new StringBuilder(kind().id()).append(' ').append(dtype().id()).append(' ');
        for (int i = 0; i < inputs().size(); i++) {
            sb.append(i == 0 ? "" : " + ").append(inputs().get(i).layout()).append(' ')
                    .append(java.util.Arrays.toString(inputs().get(i).dims()));
        }
        return sb.append(" -> ").append(output().layout()).append(' ').append(java.util.Arrays.toString(output().dims()))
                .toString();
    }
}
