package org.conv4j.onednn;

import static org.conv4j.onednn.bindings.Dnnl.*;
import static org.conv4j.onednn.bindings.DnnlNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.conv4j.DType;

/** Small helpers over the generated bindings: status checks, memory descriptors, primitive-descriptor queries. */
final class Native {
    private Native() {
    }

    /** Throws {@link DnnlException} naming {@code function} unless {@code status} is success. */
    static void check(int status, String function) {
        if (status != dnnl_success) {
            throw new DnnlException(function, status, null);
        }
    }

    static String statusName(int status) {
        return switch (status) {
            case dnnl_success -> "success";
            case dnnl_out_of_memory -> "out_of_memory";
            case dnnl_invalid_arguments -> "invalid_arguments";
            case dnnl_unimplemented -> "unimplemented";
            case dnnl_last_impl_reached -> "last_impl_reached";
            case dnnl_runtime_error -> "runtime_error";
            case dnnl_not_required -> "not_required";
            default -> "status";
        };
    }

    static int dataType(DType t) {
        return switch (t) {
            case F32 -> dnnl_f32;
            case F16 -> dnnl_f16;
            case BF16 -> dnnl_bf16;
        };
    }

    /** Reads the handle a {@code T *out} argument received. */
    static MemorySegment out(MemorySegment slot) {
        return slot.get(ValueLayout.ADDRESS, 0);
    }

    /** A memory descriptor with explicit strides (elements); the caller owns it. */
    static MemorySegment mdStrided(long[] dims, int dataType, long[] strides) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
            check(dnnl_memory_desc_create_with_strides(slot, dims.length, dims(a, dims), dataType, dims(a, strides)),
                    "dnnl_memory_desc_create_with_strides");
            return out(slot);
        }
    }

    /** A memory descriptor with a format tag (e.g. {@code dnnl_format_tag_any}); the caller owns it. */
    static MemorySegment mdTag(long[] dims, int dataType, int tag) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
            check(dnnl_memory_desc_create_with_tag(slot, dims.length, dims(a, dims), dataType, tag),
                    "dnnl_memory_desc_create_with_tag");
            return out(slot);
        }
    }

    /** Dense row-major strides of {@code dims}. */
    static long[] denseStrides(long[] dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** A {@code dnnl_dims_t} (12 int64) holding {@code v}. */
    static MemorySegment dims(Arena a, long[] v) {
        MemorySegment s = a.allocate(ValueLayout.JAVA_LONG, DNNL_MAX_NDIMS);
        for (int i = 0; i < v.length; i++) {
            s.setAtIndex(ValueLayout.JAVA_LONG, i, v[i]);
        }
        return s;
    }

    static long[] longs(int[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** The implementation name oneDNN picked, e.g. {@code brg_conv_fwd:avx512_core}. */
    static String implInfo(MemorySegment pd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, slot), "dnnl_primitive_desc_query");
            MemorySegment str = out(slot);
            return str.equals(MemorySegment.NULL) ? "?" : str.reinterpret(256).getString(0);
        }
    }

    /** A memory descriptor the primitive descriptor reports (owned by {@code pd}: do not destroy). */
    static MemorySegment queryMd(MemorySegment pd, int what, int index) {
        return dnnl_primitive_desc_query_md(pd, what, index);
    }

    static long mdSize(MemorySegment md) {
        return dnnl_memory_desc_get_size(md);
    }
}
