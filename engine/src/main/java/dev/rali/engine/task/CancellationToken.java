package dev.rali.engine.task;

import java.util.concurrent.atomic.AtomicBoolean;

/** A thread-safe cancel flag that a UI (button, Ctrl-C handler) sets and a {@link TaskContext} reads. */
public final class CancellationToken {
    private final AtomicBoolean cancelled = new AtomicBoolean();

    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }
}
