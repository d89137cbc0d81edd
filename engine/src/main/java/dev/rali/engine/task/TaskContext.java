package dev.rali.engine.task;

/**
 * What every long-running engine job receives: a place to report progress and log lines, and a way to learn that
 * the user cancelled. The CLI prints it as a progress bar, the app binds it to FX properties, tests record it.
 * Jobs call {@link #checkCancelled()} at safe points (between batches, after a checkpoint) so a cancel never
 * leaves half-written state.
 */
public interface TaskContext {

    /** Reports that {@code done} of {@code total} units of the current phase are finished. total &lt;= 0 means unknown. */
    void progress(String phase, long done, long total, String message);

    /** A human-readable line for the log pane / stderr. */
    void log(String line);

    /** A numeric metric for live plots (loss per step etc.). Default: logged. */
    default void metric(String name, long step, double value) {
        log(String.format("%s step %d = %.6g", name, step, value));
    }

    boolean isCancelled();

    /** Throws {@link CancelledException} if the job was cancelled. */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new CancelledException();
        }
    }

    /** A context that reports nothing and is never cancelled (tests, library calls). */
    static TaskContext silent() {
        return new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) { }
            @Override public void log(String line) { }
            @Override public boolean isCancelled() { return false; }
        };
    }
}
