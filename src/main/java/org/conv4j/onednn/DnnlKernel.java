package org.conv4j.onednn;

import static org.conv4j.onednn.bindings.Dnnl.*;
import static org.conv4j.onednn.bindings.DnnlNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
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
    /** Contexts to borrow, for threads beyond {@link #contextSlots}. */
    private final AtomicReferenceArray<ExecContext> pool;
    /** The calling thread's own context, if it has one. */
    private final ThreadLocal<ExecContext> mine = new ThreadLocal<>();
    /** Contexts owned by threads (guarded by this); at most {@link #contextSlots}. */
    private final List<ExecContext> threadContexts = new ArrayList<>();
    private final int contextSlots;
    /** Set by close (under this); read per call as a guard against use after close. */
    private volatile boolean closed;
    /** The input the destination must hold before the primitive runs (a residual under a sum post-op), or -1. */
    private final int dstFrom;
    /** Bytes of the destination. */
    private final long dstBytes;
    /** Runs the primitive; a critical downcall for short primitives (see {@link #SHORT_FLOPS}). */
    private final Execute execute;
    /** Small primitives run on the calling thread alone (see {@link Plans#SINGLE_THREAD_FLOPS}). */
    private final boolean singleThreaded;
    /** conv4j's OpenMP thread count, restored after a single-threaded call. */
    private final int threads;

    /**
     * Below this many flops a call takes microseconds, so the downcall may be critical (no thread-state transition,
     * about 10 ns saved); above it a call may run long and must not hold up the JVM's safepoints.
     */
    static final long SHORT_FLOPS = 1_000_000;

    DnnlKernel(OpSpec spec, Tensor[] params, MemorySegment engine, int threads) throws Plans.Unsupported {
        this.what = spec.kind().id() + " " + spec.dtype().id();
        this.engine = engine;
        this.threads = threads;
        Resources r = new Resources();
        try {
            Plans.Plan plan = Plans.build(spec, engine, r);
            this.impl = plan.impl();
            this.singleThreaded = threads > 1 && Plans.singleThreaded(spec);
            int before = singleThreaded ? Plans.oneThread() : 0;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment slot = a.allocate(ValueLayout.ADDRESS);
                Native.check(dnnl_primitive_create(slot, plan.pd()), "dnnl_primitive_create");
                this.primitive = r.add(Resources.Kind.PRIMITIVE, Native.out(slot));
            } finally {
                Plans.restoreThreads(before);
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
            this.contextSlots = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
            this.pool = new AtomicReferenceArray<>(contextSlots);
            this.dstFrom = plan.dstFrom();
            long db = -1;
            for (Plans.UserArg u : userArgs) {
                if (u.input() < 0) {
                    db = u.bytes();
                }
            }
            this.dstBytes = db;
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
        ExecContext c = mine.get();
        if (c == null) {
            c = adopt();
        }
        if (c == null) {
            c = acquire();
            release(c);
        }
        return new CallHandles(primitive, c.stream, c.nargs, c.args, c.userMems.clone());
    }

    /** What this kernel owns natively (for tests of the Cleaner safety net). */
    Resources resources() {
        return res;
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
        MemorySegment mem = memory(engine, target, buffer, r);
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
            MemorySegment srcMem = memory(engine, userMd, src, once);
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

    private static MemorySegment memory(MemorySegment engine, MemorySegment md, MemorySegment handle, Resources owner) {
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
        run(inputs[0], inputs, output);
    }

    @Override
    public void executeSingle(Tensor input, Tensor output) {
        run(input, null, output);
    }

    /** Runs the primitive on input 0 {@code in0}, the other inputs from {@code inputs} (null for one input). */
    private void run(Tensor in0, Tensor[] inputs, Tensor output) {
        // Checks before any native call: a wrong size here would let oneDNN read or write past the segment.
        for (Plans.UserArg u : userArgs) {
            long size = arg(u.input(), in0, inputs, output).segment().byteSize();
            if (size != u.bytes()) {
                throw new IllegalArgumentException((u.input() < 0 ? "output" : "inputs[" + u.input() + "]")
                        + ": segment of " + size + " bytes, oneDNN's descriptor for " + what + " needs " + u.bytes());
            }
        }
        if (dstFrom >= 0) {
            long size = inputs == null ? -1 : inputs[dstFrom].segment().byteSize();
            if (size != dstBytes) {
                throw new IllegalArgumentException("inputs[" + dstFrom + "]: segment of " + size + " bytes, the "
                        + what + " destination it is summed into has " + dstBytes);
            }
        }
        if (closed) {
            throw new IllegalStateException(what + ": the oneDNN kernel is closed");
        }
        ExecContext ctx = mine.get();
        if (ctx == null) {
            ctx = adopt();
        }
        if (ctx != null) {
            run(ctx, in0, inputs, output);
            return;
        }
        ctx = acquire();
        try {
            run(ctx, in0, inputs, output);
        } finally {
            release(ctx);
        }
    }

    private Tensor arg(int input, Tensor in0, Tensor[] inputs, Tensor output) {
        if (input > 0 && inputs == null) {
            throw new IllegalArgumentException("inputs: " + what + " takes more than one input tensor");
        }
        return input < 0 ? output : input == 0 ? in0 : inputs[input];
    }

    /**
     * Gives this thread a context of its own, used without atomic operations from then on, while fewer than
     * {@link #contextSlots} threads have one; null beyond that (the caller then borrows one from the pool).
     */
    private synchronized ExecContext adopt() {
        if (closed || threadContexts.size() >= contextSlots) {
            return null;
        }
        ExecContext c = newContext();
        threadContexts.add(c);
        mine.set(c);
        return c;
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
        return newContext();
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
        synchronized (this) {
            closed = true;
            threadContexts.clear();
        }
        for (int i = 0; i < pool.length(); i++) {
            pool.getAndSet(i, null);
        }
        // frees the primitive, the weights and every context (each registered its resources with res)
        cleanable.clean();
    }

    private ExecContext newContext() {
        return new ExecContext(engine, userArgs, constIds, constMems, scratchMd, scratchBytes, res);
    }

    private void run(ExecContext ctx, Tensor in0, Tensor[] inputs, Tensor output) {
        boolean staged = false;
        MemorySegment dst = null;
        for (int i = 0; i < userArgs.length; i++) {
            Plans.UserArg u = userArgs[i];
            MemorySegment seg = arg(u.input(), in0, inputs, output).segment();
            if (!seg.isNative()) {
                if (ctx.staging[i] == null) {
                    ctx.staging[i] = ctx.arena.allocate(u.bytes(), 64);
                }
                if (u.input() >= 0) {
                    MemorySegment.copy(seg, 0, ctx.staging[i], 0, u.bytes());
                }
                seg = ctx.staging[i];
                staged = true;
            }
            if (u.input() < 0) {
                dst = seg;
            }
            long address = seg.address();
            if (address != ctx.handles[i]) {
                // Only when the tensor changed (a context serves one call at a time, so the memory object still holds
                // the last address). The bare address: the execute call below keeps the segment alive, so this call
                // need not (acquiring a shared arena costs atomic operations on every call).
                Native.check(dnnl_memory_set_data_handle(ctx.userMems[i], MemorySegment.ofAddress(address)),
                        "dnnl_memory_set_data_handle");
                ctx.handles[i] = address;
            }
            ctx.keep[i] = seg;
        }
        if (dstFrom >= 0) {
            // The sum post-op adds the convolution to what the destination holds: the residual, copied there
            // unless the output is the residual tensor itself (in place).
            MemorySegment r = inputs[dstFrom].segment();
            if (!(r.isNative() && dst.isNative() && r.address() == dst.address())) {
                MemorySegment.copy(r, 0, dst, 0, dstBytes);
            }
        }
        // Primitives that split their work when they run read the calling thread's OpenMP thread count then;
        // conv4j owns that count (conv4j.threads), so it is set back to conv4j's, not read first.
        if (singleThreaded) {
            omp_set_num_threads(1);
        }
        int status;
        try {
            status = execute.run(primitive, ctx.stream, ctx.nargs, ctx.args, ctx.keep);
        } finally {
            if (singleThreaded) {
                omp_set_num_threads(threads);
            }
        }
        Native.check(status, "dnnl_primitive_execute");
        Native.check(dnnl_stream_wait(ctx.stream), "dnnl_stream_wait");
        Arrays.fill(ctx.keep, null);
        if (staged) {
            for (int i = 0; i < userArgs.length; i++) {
                if (userArgs[i].input() < 0 && ctx.staging[i] != null && !output.segment().isNative()) {
                    MemorySegment.copy(ctx.staging[i], 0, output.segment(), 0, userArgs[i].bytes());
                }
            }
        }
    }

    /**
     * What one call needs of its own: stream, memory objects for the user tensors, scratchpad, argument array.
     * Static, and holding nothing of the kernel: a thread's {@link ThreadLocal} keeps its context, and a reference
     * back would keep an unclosed kernel reachable from every thread that called it, so its Cleaner never ran.
     */
    private static final class ExecContext {
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
        /** The data handle each of {@link #userMems} holds (0: none yet). */
        final long[] handles;

        ExecContext(MemorySegment engine, Plans.UserArg[] userArgs, int[] constIds, MemorySegment[] constMems,
                MemorySegment scratchMd, long scratchBytes, Resources owner) {
            try {
                arena = resources.add(Arena.ofShared());
                MemorySegment slot = arena.allocate(ValueLayout.ADDRESS);
                Native.check(dnnl_stream_create(slot, engine, dnnl_stream_default_flags), "dnnl_stream_create");
                stream = resources.add(Resources.Kind.STREAM, Native.out(slot));
                nargs = userArgs.length + constIds.length + (scratchBytes > 0 ? 1 : 0);
                // A view without the shared arena's session: passing it to the execute downcall then costs no
                // acquire and release (two atomic operations); the arena lives as long as this context.
                args = MemorySegment.ofAddress(arena.allocate(dnnl_exec_arg_t, nargs).address())
                        .reinterpret(dnnl_exec_arg_t.byteSize() * nargs);
                userMems = new MemorySegment[userArgs.length];
                staging = new MemorySegment[userArgs.length];
                keep = new MemorySegment[userArgs.length];
                handles = new long[userArgs.length];
                int k = 0;
                for (int i = 0; i < userArgs.length; i++) {
                    userMems[i] = memory(engine, userArgs[i].md(), MemorySegment.NULL, resources);
                    setArg(args, k++, userArgs[i].argId(), userMems[i]);
                }
                for (int i = 0; i < constIds.length; i++) {
                    setArg(args, k++, constIds[i], constMems[i]);
                }
                if (scratchBytes > 0) {
                    MemorySegment buf = arena.allocate(scratchBytes, 64);
                    setArg(args, k, DNNL_ARG_SCRATCHPAD, memory(engine, scratchMd, buf, resources));
                }
                owner.onFree(freeAction);
            } catch (RuntimeException e) {
                resources.close();
                throw e;
            }
        }
    }
}
