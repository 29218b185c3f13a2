package org.conv4j.onednn;

import static org.conv4j.onednn.bindings.DnnlNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Native objects owned together and freed together, newest first. It is also the {@link java.lang.ref.Cleaner}
 * action of the kernel that owns it, so it must not refer back to that kernel. Freeing is idempotent.
 */
final class Resources implements Runnable, AutoCloseable {
    enum Kind { MEMORY_DESC, PRIMITIVE_DESC, PRIMITIVE, MEMORY, ATTR, POST_OPS, STREAM }

    private record Handle(Kind kind, MemorySegment handle) {
    }

    private final List<Object> owned = new ArrayList<>(); // Handle, Arena or Runnable
    private boolean freed;

    /** Takes ownership of {@code handle} and returns it. */
    synchronized MemorySegment add(Kind kind, MemorySegment handle) {
        if (freed) {
            destroy(new Handle(kind, handle));
            throw new IllegalStateException("resources already freed");
        }
        owned.add(new Handle(kind, handle));
        return handle;
    }

    /** Takes ownership of an arena (native buffers). */
    synchronized Arena add(Arena arena) {
        if (freed) {
            arena.close();
            throw new IllegalStateException("resources already freed");
        }
        owned.add(arena);
        return arena;
    }

    /** Runs {@code action} when freeing (for objects with their own free logic). */
    synchronized void onFree(Runnable action) {
        owned.add(action);
    }

    /** Drops an action registered with {@link #onFree} (its object was freed on its own). */
    synchronized void forget(Runnable action) {
        owned.remove(action);
    }

    @Override
    public void run() {
        close();
    }

    @Override
    public synchronized void close() {
        if (freed) {
            return;
        }
        freed = true;
        RuntimeException first = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                Object o = owned.get(i);
                if (o instanceof Handle h) {
                    destroy(h);
                } else if (o instanceof Arena a) {
                    a.close();
                } else {
                    ((Runnable) o).run();
                }
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        owned.clear();
        if (first != null) {
            throw first;
        }
    }

    private static void destroy(Handle h) {
        if (h.handle().equals(MemorySegment.NULL)) {
            return;
        }
        int status = switch (h.kind()) {
            case MEMORY_DESC -> dnnl_memory_desc_destroy(h.handle());
            case PRIMITIVE_DESC -> dnnl_primitive_desc_destroy(h.handle());
            case PRIMITIVE -> dnnl_primitive_destroy(h.handle());
            case MEMORY -> dnnl_memory_destroy(h.handle());
            case ATTR -> dnnl_primitive_attr_destroy(h.handle());
            case POST_OPS -> dnnl_post_ops_destroy(h.handle());
            case STREAM -> dnnl_stream_destroy(h.handle());
        };
        Native.check(status, "dnnl_" + h.kind().name().toLowerCase(java.util.Locale.ROOT) + "_destroy");
    }
}
