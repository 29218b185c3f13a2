package org.conv4j.onednn;

import static org.conv4j.onednn.bindings.Dnnl.*;
import static org.conv4j.onednn.bindings.DnnlNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.conv4j.Conv4j;

/**
 * The process-wide oneDNN state: the loaded library, the CPU engine and the OpenMP settings. Created once per class
 * loader; a failure is remembered and reported by every later attempt.
 */
final class OneDnnRuntime {
    final LibraryLoader.Loaded library;
    final MemorySegment engine;
    final int threads;
    final String waitPolicy;
    final String isa;

    private OneDnnRuntime(LibraryLoader.Loaded library, MemorySegment engine, int threads, String waitPolicy,
            String isa) {
        this.library = library;
        this.engine = engine;
        this.threads = threads;
        this.waitPolicy = waitPolicy;
        this.isa = isa;
    }

    private static OneDnnRuntime instance;
    private static Exception failure;

    /** The runtime, loading the library on first use. */
    static synchronized OneDnnRuntime get() throws LibraryLoader.LoadFailure {
        if (instance != null) {
            return instance;
        }
        if (failure != null) {
            throw new LibraryLoader.LoadFailure(failure.getMessage(), failure);
        }
        try {
            instance = create();
            return instance;
        } catch (LibraryLoader.LoadFailure e) {
            failure = e;
            throw e;
        } catch (RuntimeException | LinkageError e) {
            failure = new LibraryLoader.LoadFailure(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
            throw (LibraryLoader.LoadFailure) failure;
        }
    }

    private static OneDnnRuntime create() throws LibraryLoader.LoadFailure {
        int threads = Conv4j.threads();
        // Read before setenv: Java's view of the environment may be taken on first use.
        String userPolicy = System.getenv("OMP_WAIT_POLICY");
        String policy = userPolicy != null ? userPolicy + " (set by the user)" : "PASSIVE";
        // libgomp reads its environment once, when it is loaded: set it before libdnnl pulls libgomp in.
        // A passive wait policy kept oneDNN fast when other processes shared the cores (spinning lost > 3x);
        // a policy the user set wins. The thread count is conv4j's one knob (conv4j.threads), for every thread
        // that calls oneDNN, not only this one (omp_set_num_threads would set the calling thread's only).
        setenv("OMP_WAIT_POLICY", "PASSIVE", false);
        setenv("OMP_NUM_THREADS", Integer.toString(threads), true);
        LibraryLoader.Loaded lib = LibraryLoader.load();
        // Linking the bindings needs the library loaded (it is, now).
        omp_set_num_threads(threads);
        MemorySegment engine;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
            Native.check(dnnl_engine_create(slot, dnnl_cpu, 0), "dnnl_engine_create");
            engine = Native.out(slot);
        }
        return new OneDnnRuntime(lib, engine, omp_get_max_threads(), policy, isaName(dnnl_get_effective_cpu_isa()));
    }

    private static void setenv(String name, String value, boolean overwrite) {
        MemorySegment fn = Linker.nativeLinker().defaultLookup().find("setenv")
                .orElseThrow(() -> new IllegalStateException("libc has no setenv"));
        MethodHandle mh = Linker.nativeLinker().downcallHandle(fn,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) mh.invokeExact(a.allocateFrom(name), a.allocateFrom(value), overwrite ? 1 : 0);
            if (rc != 0) {
                throw new IllegalStateException("setenv(" + name + ") failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String isaName(int isa) {
        return switch (isa) {
            case dnnl_cpu_isa_sse41 -> "sse41";
            case dnnl_cpu_isa_avx -> "avx";
            case dnnl_cpu_isa_avx2 -> "avx2";
            case dnnl_cpu_isa_avx2_vnni -> "avx2_vnni";
            case dnnl_cpu_isa_avx2_vnni_2 -> "avx2_vnni_2";
            case dnnl_cpu_isa_avx512_core -> "avx512_core";
            case dnnl_cpu_isa_avx512_core_vnni -> "avx512_core_vnni";
            case dnnl_cpu_isa_avx512_core_bf16 -> "avx512_core_bf16";
            case dnnl_cpu_isa_avx10_1_512 -> "avx10_1_512";
            case dnnl_cpu_isa_avx10_1_512_amx -> "avx10_1_512_amx";
            default -> "isa 0x" + Integer.toHexString(isa);
        };
    }

    String describe() {
        String hash = library.hash().isEmpty() || library.hash().equals("N/A") ? ""
                : " (" + library.hash().substring(0, Math.min(8, library.hash().length())) + ")";
        return "oneDNN " + library.version() + hash + ", " + library.source() + ", " + isa + ", " + threads
                + " OpenMP threads, wait policy " + waitPolicy;
    }
}
