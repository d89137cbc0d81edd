package dev.rali.engine.task;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A piece of long engine work with a title, progress, cancellation and outcome callbacks, independent of the thread
 * it runs on (JabRef's BackgroundTask is the model). A {@link TaskExecutor} decides where the work runs and on which
 * thread the callbacks fire: the app's executor runs it on a worker thread and calls back on the FX thread, the
 * {@link CurrentThreadTaskExecutor} runs everything on the caller's thread (tests, CLI).
 *
 * <p>Exactly one of onSuccess / onFailure / onCancelled fires, then onFinished. Cancelling only sets a flag: the work
 * stops at its next {@link TaskContext#checkCancelled()}, and onCancelled fires once it has actually stopped, so a
 * cancelled task never overlaps a new one that the UI starts in response.
 */
public final class BackgroundTask<T> {

    /** The work: engine code that reports through a TaskContext. */
    @FunctionalInterface
    public interface Work<T> {
        T run(TaskContext ctx) throws Exception;
    }

    /** A progress report (from {@link TaskContext#progress}); total &lt;= 0 means unknown. */
    public record Progress(String phase, long done, long total, String message) {
        /** done/total, or -1 when the total is unknown (an indeterminate bar). */
        public double fraction() {
            return total > 0 ? (double) done / total : -1;
        }

        /** "phase: message", or the phase alone. */
        public String text() {
            return phase + (message == null || message.isEmpty() ? "" : ": " + message);
        }
    }

    /** A metric sample (from {@link TaskContext#metric}). */
    public record Metric(String name, long step, double value) { }

    public enum State {
        READY, RUNNING, SUCCEEDED, FAILED, CANCELLED;

        public boolean isDone() {
            return this == SUCCEEDED || this == FAILED || this == CANCELLED;
        }
    }

    private final String title;
    private final Work<T> work;
    private final CancellationToken token = new CancellationToken();
    private final AtomicReference<State> state = new AtomicReference<>(State.READY);
    private volatile Consumer<? super T> onSuccess = v -> { };
    private volatile Consumer<Throwable> onFailure;
    private volatile Runnable onCancelled = () -> { };
    private volatile Runnable onFinished = () -> { };
    private volatile Consumer<Progress> onProgress = p -> { };
    private volatile Consumer<String> onLog = l -> { };
    private volatile Consumer<List<Metric>> onMetrics = m -> { };

    private BackgroundTask(String title, Work<T> work) {
        this.title = Objects.requireNonNull(title, "title");
        this.work = Objects.requireNonNull(work, "work");
    }

    public static <T> BackgroundTask<T> of(String title, Work<T> work) {
        return new BackgroundTask<>(title, work);
    }

    public BackgroundTask<T> onSuccess(Consumer<? super T> c) {
        onSuccess = Objects.requireNonNull(c);
        return this;
    }

    /** Failure handler; without one the executor's default applies (the app shows an error dialog). */
    public BackgroundTask<T> onFailure(Consumer<Throwable> c) {
        onFailure = Objects.requireNonNull(c);
        return this;
    }

    public BackgroundTask<T> onCancelled(Runnable r) {
        onCancelled = Objects.requireNonNull(r);
        return this;
    }

    /** Runs after whichever outcome callback fired (re-enable buttons, unbind progress). */
    public BackgroundTask<T> onFinished(Runnable r) {
        onFinished = Objects.requireNonNull(r);
        return this;
    }

    public BackgroundTask<T> onProgress(Consumer<Progress> c) {
        onProgress = Objects.requireNonNull(c);
        return this;
    }

    public BackgroundTask<T> onLog(Consumer<String> c) {
        onLog = Objects.requireNonNull(c);
        return this;
    }

    /** Metrics arrive in batches (an executor may collect many samples per UI update). */
    public BackgroundTask<T> onMetrics(Consumer<List<Metric>> c) {
        onMetrics = Objects.requireNonNull(c);
        return this;
    }

    public String title() {
        return title;
    }

    public State state() {
        return state.get();
    }

    /** Asks the work to stop at its next safe point; a task not started yet never runs its work. */
    public void cancel() {
        token.cancel();
    }

    public boolean isCancelled() {
        return token.isCancelled();
    }

    /** Hands a progress report to onProgress (executors call this on their callback thread). */
    public void deliverProgress(Progress p) {
        onProgress.accept(p);
    }

    /** Hands a log line to onLog (executors call this on their callback thread). */
    public void deliverLog(String line) {
        onLog.accept(line);
    }

    /** Hands metric samples to onMetrics (executors call this on their callback thread). */
    public void deliverMetrics(List<Metric> batch) {
        onMetrics.accept(batch);
    }

    /**
     * For executors: runs the work on the calling thread. Its progress, log lines and metrics go to {@code reports}
     * (whose isCancelled is not consulted: {@link #cancel()} is), which forwards them to the deliver methods on
     * whatever thread it likes; the outcome callbacks are handed to {@code callbacks} as one Runnable. A failure
     * without an onFailure handler goes to {@code unhandled}.
     *
     * @throws IllegalStateException if the task was started before (a task runs once)
     */
    public void run(TaskContext reports, Executor callbacks, Consumer<Throwable> unhandled) {
        if (!state.compareAndSet(State.READY, State.RUNNING)) {
            throw new IllegalStateException("task '" + title + "' was already started");
        }
        TaskContext ctx = new TaskContext() {
            @Override
            public void progress(String phase, long done, long total, String message) {
                reports.progress(phase, done, total, message);
            }

            @Override
            public void log(String line) {
                reports.log(line);
            }

            @Override
            public void metric(String name, long step, double value) {
                reports.metric(name, step, value);
            }

            @Override
            public boolean isCancelled() {
                return token.isCancelled();
            }
        };
        T value = null;
        Throwable error = null;
        if (!token.isCancelled()) {
            try {
                value = work.run(ctx);
            } catch (CancelledException e) {
                token.cancel();
            } catch (Throwable e) {
                error = e;
            }
        }
        // Work that ends after a cancel request counts as cancelled, whatever it returned or threw on the way out.
        State end = token.isCancelled() ? State.CANCELLED : error != null ? State.FAILED : State.SUCCEEDED;
        T v = value;
        Throwable err = error;
        callbacks.execute(() -> {
            state.set(end);
            try {
                switch (end) {
                    case SUCCEEDED -> onSuccess.accept(v);
                    case FAILED -> (onFailure != null ? onFailure : unhandled).accept(err);
                    default -> onCancelled.run();
                }
            } finally {
                onFinished.run();
            }
        });
    }

    /** Reports that go straight to the deliver methods on the reporting thread. */
    public TaskContext directReports() {
        return new TaskContext() {
            @Override
            public void progress(String phase, long done, long total, String message) {
                deliverProgress(new Progress(phase, done, total, message));
            }

            @Override
            public void log(String line) {
                deliverLog(line);
            }

            @Override
            public void metric(String name, long step, double value) {
                deliverMetrics(List.of(new Metric(name, step, value)));
            }

            @Override
            public boolean isCancelled() {
                return token.isCancelled();
            }
        };
    }

    @Override
    public String toString() {
        return "BackgroundTask[" + title + ", " + state() + "]";
    }
}
