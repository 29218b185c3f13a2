package org.conv4j.onednn;

import static org.conv4j.onednn.bindings.Dnnl.*;
import static org.conv4j.onednn.bindings.DnnlNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.conv4j.OpSpec;
import org.conv4j.Tensor;
import org.conv4j.spi.Kernel;

/**
 * A prepared oneDNN primitive. Preparing creates the primitive once and reorders the weights once into the layout
 * oneDNN chose. A call wraps the caller's segments without copying (their addresses become the data handles of
 * per-context memory objects) and runs the primitive with a per-context scratchpad, so any number of Java threads
 * may call at once: each takes an {@link ExecContext} (stream, memory objects, scratchpad, argument array) from a
 * small lock-free pool and gives it back.
 */
final class DnnlKernel implements Kernel {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String what;
    private final Resources res;
    private final Cleaner.Cleanable cleanable;
    private final MemorySegment engine;
    private final MemorySegment primitive;
    private final String impl;
    private final Plans.UserArg[] userArgs;
    private final int[] constIds;
    private final MemorySegment[] constMems;
    private final MemorySegment scratchMd;
    private final long scratchBytes;
    private final AtomicReferenceArray<ExecContext> pool;
    /** Runs the primitive; a critical downcall for short primitives (see SHORT_FLOPS). */
    private final Execute execute;

    /**
     * Below this many flops a call takes microseconds, so the downcall may be critical (no thread-state transition,
     * about 10 ns saved); above it a call may run long and must not hold up the JVM's safepoints.
     */
    static final long SHORT_FLOPS = 1_000_000;

    DnnlKernel(OpSpec spec, Tensor[] params, MemorySegment engine) throws Plans.Unsupported {
        this.what = spec.kind().id() + " " + spec.dtype().id();
        this.engine = engine;
        Resources r = new Resources();
        try {
            Plans.Plan plan = Plans.build(spec, engine, r);
            this.impl = plan.impl();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
                Native.check(dnnl_primitive_create(slot, plan.pd()), "dnnl_primitive_create");
                this.primitive = r.add(Resources.Kind.PRIMITIVE, Native.out(slot));
            }
            this.userArgs = plan.userArgs().toArray(Plans.UserArg[]::new);
            List<Plans.ConstArg> consts = plan.constArgs();
            this.constIds = new int[consts.size()];
            this.constMems = new MemorySegment[consts.size()];
            Arena weights = r.add(Arena.ofShared());
            for (int i = 0; i < consts.size(); i++) {
                Plans.ConstArg c = consts.get(i);
                constIds[i] = c.argId();
                constMems[i] = packConst(plan.pd(), c, params, weights, r);
            }
            this.scratchMd = Native.queryMd(plan.pd(), dnnl_query_scratchpad_md, 0);
            this.scratchBytes = scratchMd.equals(MemorySegment.NULL) ? 0 : Native.mdSize(scratchMd);
            int slots = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            this.pool = new AtomicReferenceArray<>(slots);
            this.execute = new Execute(userArgs.length, spec.cost().flops() <= SHORT_FLOPS);
            this.res = r;
            this.cleanable = CLEANER.register(this, r);
        } catch (RuntimeException | Plans.Unsupported e) {
            r.close();
            throw e;
        }
    }

    /** The native handles of one call (for measuring the Java-side cost against C making the same calls). */
    record CallHandles(MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args,
            MemorySegment[] userMemories) {
    }

    /** The handles of the context a call from this thread takes next (single-threaded use only). */
    CallHandles callHandles() {
        ExecContext c = acquire();
        release(c);
        return new CallHandles(primitive, c.stream, c.nargs, c.args, c.userMems.clone());
    }

    /** The oneDNN implementation running this kernel, e.g. {@code brg_conv_fwd:avx512_core}. */
    String impl() {
        return impl;
    }

    /** Copies a parameter (as fp32 in plain layout) into the layout and dtype the primitive wants. */
    private MemorySegment packConst(MemorySegment pd, Plans.ConstArg c, Tensor[] params, Arena weights, Resources r) {
        float[] values = c.values().apply(params);
        MemorySegment target = Native.queryMd(pd, dnnl_query_exec_arg_md, c.argId());
        long bytes = Native.mdSize(target);
        MemorySegment buffer = weights.allocate(Math.max(bytes, 1), 64);
        MemorySegment mem = memory(target, buffer, r);
        try (Arena tmp = Arena.ofConfined(); Resources once = new Resources()) {
            MemorySegment userMd = once.add(Resources.Kind.MEMORY_DESC,
                    Native.mdStrided(c.plainDims(), dnnl_f32, Native.denseStrides(c.plainDims())));
            if (Native.mdSize(userMd) != (long) values.length * Float.BYTES) {
                throw new IllegalStateException("parameter for argument " + c.argId() + " has " + values.length
                        + " values, its descriptor " + Native.mdSize(userMd) + " bytes");
            }
            MemorySegment src = tmp.allocate(ValueLayout.JAVA_FLOAT, values.length);
            MemorySegment.copy(values, 0, src, ValueLayout.JAVA_FLOAT, 0, values.length);
            if (dnnl_memory_desc_equal(userMd, target) == 1) {
                MemorySegment.copy(src, 0, buffer, 0, bytes);
                return mem;
            }
            MemorySegment srcMem = memory(userMd, src, once);
            MemorySegment slot = tmp.allocate(ValueLayout.ADDRESS);
            Native.check(dnnl_reorder_primitive_desc_create(slot, userMd, engine, target, engine, MemorySegment.NULL),
                    "dnnl_reorder_primitive_desc_create");
            MemorySegment rpd = once.add(Resources.Kind.PRIMITIVE_DESC, Native.out(slot));
            Native.check(dnnl_primitive_create(slot, rpd), "dnnl_primitive_create");
            MemorySegment reorder = once.add(Resources.Kind.PRIMITIVE, Native.out(slot));
            Native.check(dnnl_stream_create(slot, engine, dnnl_stream_default_flags), "dnnl_stream_create");
            MemorySegment stream = once.add(Resources.Kind.STREAM, Native.out(slot));
            MemorySegment args = tmp.allocate(dnnl_exec_arg_t, 2);
            setArg(args, 0, DNNL_ARG_FROM, srcMem);
            setArg(args, 1, DNNL_ARG_TO, mem);
            Native.check(dnnl_primitive_execute(reorder, stream, 2, args), "dnnl_primitive_execute (weights reorder)");
            Native.check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        }
        return mem;
    }

    private MemorySegment memory(MemorySegment md, MemorySegment handle, Resources owner) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
            Native.check(dnnl_memory_create(slot, md, engine, handle), "dnnl_memory_create");
            return owner.add(Resources.Kind.MEMORY, Native.out(slot));
        }
    }

    private static void setArg(MemorySegment args, int i, int id, MemorySegment memory) {
        long base = i * dnnl_exec_arg_t$SIZE;
        args.set(ValueLayout.JAVA_INT, base + dnnl_exec_arg_t$arg, id);
        args.set(ValueLayout.ADDRESS, base + dnnl_exec_arg_t$memory, memory);
    }

    @Override
    public void execute(Tensor[] inputs, Tensor output) {
        // Checks before any native call: a wrong size here would let oneDNN read or write past the segment.
        for (Plans.UserArg u : userArgs) {
            Tensor t = u.input() < 0 ? output : inputs[u.input()];
            long size = t.segment().byteSize();
            if (size != u.bytes()) {
                throw new IllegalArgumentException((u.input() < 0 ? "output" : "inputs[" + u.input() + "]")
                        + ": segment of " + size + " bytes, oneDNN's descriptor for " + what + " needs " + u.bytes());
            }
        }
        ExecContext ctx = acquire();
        try {
            ctx.run(inputs, output);
        } finally {
            release(ctx);
        }
    }

    private ExecContext acquire() {
        int n = pool.length();
        int start = (int) (Thread.currentThread().threadId() % n);
        for (int i = 0; i < n; i++) {
            ExecContext c = pool.getAndSet((start + i) % n, null);
            if (c != null) {
                return c;
            }
        }
        return new ExecContext();
    }

    private void release(ExecContext ctx) {
        int n = pool.length();
        int start = (int) (Thread.currentThread().threadId() % n);
        for (int i = 0; i < n; i++) {
            if (pool.compareAndSet((start + i) % n, null, ctx)) {
                return;
            }
        }
        // More concurrent callers than slots: this context is not kept.
        res.forget(ctx.freeAction);
        ctx.resources.close();
    }

    @Override
    public void close() {
        for (int i = 0; i < pool.length(); i++) {
            ExecContext c = pool.getAndSet(i, null);
            if (c != null) {
                c.resources.close();
            }
        }
        cleanable.clean();
    }

    /** What one call needs of its own: stream, memory objects for the user tensors, scratchpad, argument array. */
    private final class ExecContext {
        final Resources resources = new Resources();
        final Runnable freeAction = resources::close;
        final MemorySegment stream;
        final MemorySegment[] userMems;
        final MemorySegment args;
        final int nargs;
        final Arena arena;
        /** Native copies for heap segments (no native address to hand to oneDNN), made on first need. */
        final MemorySegment[] staging;
        /** The segments of the running call, kept alive by the execute downcall (see {@link Execute}). */
        final MemorySegment[] keep;

        ExecContext() {
            try {
                arena = resources.add(Arena.ofShared());
                MemorySegment slot = arena.allocate(ValueLayout.ADDRESS);
                Native.check(dnnl_stream_create(slot, engine, dnnl_stream_default_flags), "dnnl_stream_create");
                stream = resources.add(Resources.Kind.STREAM, Native.out(slot));
                nargs = userArgs.length + constIds.length + (scratchBytes > 0 ? 1 : 0);
                args = arena.allocate(dnnl_exec_arg_t, nargs);
                userMems = new MemorySegment[userArgs.length];
                staging = new MemorySegment[userArgs.length];
                keep = new MemorySegment[userArgs.length];
                int k = 0;
                for (int i = 0; i < userArgs.length; i++) {
                    userMems[i] = memory(userArgs[i].md(), MemorySegment.NULL, resources);
                    setArg(args, k++, userArgs[i].argId(), userMems[i]);
                }
                for (int i = 0; i < constIds.length; i++) {
                    setArg(args, k++, constIds[i], constMems[i]);
                }
                if (scratchBytes > 0) {
                    MemorySegment buf = arena.allocate(scratchBytes, 64);
                    setArg(args, k, DNNL_ARG_SCRATCHPAD, memory(scratchMd, buf, resources));
                }
                res.onFree(freeAction);
            } catch (RuntimeException e) {
                resources.close();
                throw e;
            }
        }

        void run(Tensor[] inputs, Tensor output) {
            boolean staged = false;
            for (int i = 0; i < userArgs.length; i++) {
                Plans.UserArg u = userArgs[i];
                MemorySegment seg = (u.input() < 0 ? output : inputs[u.input()]).segment();
                if (!seg.isNative()) {
                    if (staging[i] == null) {
                        staging[i] = arena.allocate(u.bytes(), 64);
                    }
                    if (u.input() >= 0) {
                        MemorySegment.copy(seg, 0, staging[i], 0, u.bytes());
                    }
                    seg = staging[i];
                    staged = true;
                }
                Native.check(dnnl_memory_set_data_handle(userMems[i], seg), "dnnl_memory_set_data_handle");
                keep[i] = seg;
            }
            Native.check(execute.run(primitive, stream, nargs, args, keep), "dnnl_primitive_execute");
            Native.check(dnnl_stream_wait(stream), "dnnl_stream_wait");
            Arrays.fill(keep, null);
            if (staged) {
                for (int i = 0; i < userArgs.length; i++) {
                    if (userArgs[i].input() < 0 && staging[i] != null && !output.segment().isNative()) {
                        MemorySegment.copy(staging[i], 0, output.segment(), 0, userArgs[i].bytes());
                    }
                }
            }
        }
    }
}
