package org.conv4j;

/** Pooling reductions. */
public enum PoolKind {
    /** Maximum over the window; padded cells are ignored (treated as minus infinity). */
    MAX,
    /** Mean over the window's real cells: padded cells are left out of the count, as in TensorFlow. */
    AVG
}
