package dev.rali.engine.task;

/** Thrown from {@link TaskContext#checkCancelled()} when the user cancelled a job; state up to the last checkpoint is kept. */
public class CancelledException extends RuntimeException {
    public CancelledException() {
        super("cancelled by the user");
    }
}
