package org.conv4j;

/** The kinds of operation conv4j runs; engines declare support per kind and dtype. */
public enum OpKind {
    CONV, CONV_TRANSPOSE, POOL, LRN, BATCH_NORM, RELU, ADD, CONCAT, GLOBAL_AVG_POOL, DENSE, SOFTMAX;

    /** Lower-case id used in reports, e.g. {@code conv_transpose}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
