package dev.rali.app;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Background work that is not a {@link dev.rali.engine.task.BackgroundTask} but still changes what a view shows when
 * it lands (thumbnail decodes, a view's own small loads). Screenshots wait until none is pending, so a capture shows
 * the view filled; anything may {@link #begin()} work, from any thread, and must call the returned {@code done}
 * exactly once (after its result has been applied on the FX thread).
 */
public final class PendingWork {
    private final AtomicInteger pending = new AtomicInteger();

    /** Counts one unit of work as pending; the returned runnable ends it (calling it again does nothing). */
    public Runnable begin() {
        pending.incrementAndGet();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                pending.decrementAndGet();
            }
        };
    }

    public int count() {
        return pending.get();
    }

    public boolean idle() {
        return pending.get() == 0;
    }
}
