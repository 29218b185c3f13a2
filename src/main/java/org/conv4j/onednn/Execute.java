package org.conv4j.onednn;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.util.Arrays;

/**
 * {@code dnnl_primitive_execute} with the caller's tensors kept alive for the whole call.
 *
 * <p>A call hands oneDNN raw addresses (as data handles of memory objects), so if another thread closed a shared
 * arena while the primitive ran, oneDNN would touch freed memory. The FFM API keeps the arena of every segment
 * passed to a downcall alive until the call returns (closing it meanwhile fails in the closing thread). So the
 * tensors' segments ride along as extra trailing arguments, which the C function never reads: under the x86-64
 * System V calling convention (the only platform conv4j loads oneDNN on) the caller places and removes the
 * arguments, so extra trailing ones are harmless, as with any C variadic call.
 */
final class Execute {
    private static final MemorySegment SYMBOL = SymbolLookup.loaderLookup().find("dnnl_primitive_execute")
            .orElseThrow(() -> new UnsatisfiedLinkError("dnnl_primitive_execute not found"));
    private static final MethodHandle EXEC2 = handle(2, false);
    private static final MethodHandle EXEC2_CRITICAL = handle(2, true);
    private static final MethodHandle EXEC3 = handle(3, false);
    private static final MethodHandle EXEC3_CRITICAL = handle(3, true);

    private final int keep;
    private final boolean critical;
    /** For other counts of tensors: a spreading handle, slower to call than the fixed ones above. */
    private final MethodHandle spread;

    /**
     * @param keep     number of segments passed along per call
     * @param critical whether the call is short enough to skip the thread-state transition
     */
    Execute(int keep, boolean critical) {
        this.keep = keep;
        this.critical = critical;
        this.spread = keep == 2 || keep == 3 ? null : handle(keep, critical).asSpreader(MemorySegment[].class, keep)
                .asType(MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, int.class,
                        MemorySegment.class, MemorySegment[].class));
    }

    private static MethodHandle handle(int keep, boolean critical) {
        MemoryLayoutArgs a = new MemoryLayoutArgs(keep);
        FunctionDescriptor fd = FunctionDescriptor.of(JAVA_INT, a.layouts);
        return critical ? Linker.nativeLinker().downcallHandle(SYMBOL, fd, Linker.Option.critical(false))
                : Linker.nativeLinker().downcallHandle(SYMBOL, fd);
    }

    /** The layouts of (primitive, stream, nargs, args, keep...). */
    private record MemoryLayoutArgs(java.lang.foreign.MemoryLayout[] layouts) {
        MemoryLayoutArgs(int keep) {
            this(build(keep));
        }

        static java.lang.foreign.MemoryLayout[] build(int keep) {
            java.lang.foreign.MemoryLayout[] l = new java.lang.foreign.MemoryLayout[4 + keep];
            l[0] = ADDRESS;
            l[1] = ADDRESS;
            l[2] = JAVA_INT;
            Arrays.fill(l, 3, l.length, ADDRESS);
            return l;
        }
    }

    /** Runs the primitive; {@code segments} (length {@code keep}) stay alive until it returns. */
    int run(MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args, MemorySegment[] segments) {
        try {
            if (keep == 2) {
                return critical
                        ? (int) EXEC2_CRITICAL.invokeExact(primitive, stream, nargs, args, segments[0], segments[1])
                        : (int) EXEC2.invokeExact(primitive, stream, nargs, args, segments[0], segments[1]);
            }
            if (keep == 3) {
                return critical
                        ? (int) EXEC3_CRITICAL.invokeExact(primitive, stream, nargs, args, segments[0], segments[1],
                                segments[2])
                        : (int) EXEC3.invokeExact(primitive, stream, nargs, args, segments[0], segments[1],
                                segments[2]);
            }
            return (int) spread.invokeExact(primitive, stream, nargs, args, segments);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
