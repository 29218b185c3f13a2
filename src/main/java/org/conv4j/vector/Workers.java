package org.conv4j.vector;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.conv4j.Tensor;

/**
 * The intra-op thread pool: {@code threads - 1} daemon workers plus the calling thread, which always takes tasks
 * too, so a call finishes even when the workers are busy with another call. Tasks are numbered; each task
 * writes its own part of the output, and how a task computes never depends on which thread runs it, so results
 * are bit-identical for any thread count.
 */
final class Workers {
    private final int threads;
    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private volatile Thread[] pool;

    Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, was " + threads);
        }
        this.threads = threads;
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} for tasks {@code 0 .. tasks-1}. Runs on the caller alone when one thread is configured or
     * when a tensor lives in a confined arena that workers may not touch.
     */
    void run(int tasks, Tensor[] inputs, Tensor output, IntConsumer body) {
        if (threads == 1 || tasks <= 1 || !shareable(inputs, output)) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger pending = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int helpers = Math.min(threads - 1, tasks - 1);
        Runnable loop = () -> {
            try {
                for (int i; (i = next.getAndIncrement()) < tasks && failure.get() == null; ) {
                    body.accept(i);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                pending.decrementAndGet();
            }
        };
        pending.set(helpers + 1);
        for (int h = 0; h < helpers; h++) {
            queue.add(loop);
        }
        loop.run();
        for (int spins = 0; pending.get() != 0; spins++) {
            if ((spins & 0xff) == 0xff) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private boolean shareable(Tensor[] inputs, Tensor output) {
        Thread worker = pool()[0];
        for (Tensor t : inputs) {
            if (!t.segment().isAccessibleBy(worker)) {
                return false;
            }
        }
        MemorySegment s = output.segment();
        return s.isAccessibleBy(worker);
    }

    private Thread[] pool() {
        Thread[] p = pool;
        if (p == null) {
            synchronized (this) {
                p = pool;
                if (p == null) {
                    p = new Thread[threads - 1];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = Thread.ofPlatform().daemon().name("conv4j-vector-" + threads + "-" + i).unstarted(this::serve);
                        p[i].start();
                    }
                    pool = p;
                }
            }
        }
        return p;
    }

    private void serve() {
        while (true) {
            try {
                queue.take().run();
            } catch (InterruptedException e) {
                // daemon workers live as long as the JVM; ignore stray interrupts
            }
        }
    }
}
