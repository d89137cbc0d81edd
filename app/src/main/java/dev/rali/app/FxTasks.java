package dev.rali.app;

import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;

/**
 * Runs engine work off the FX thread as a {@link Task} and bridges the engine's {@link TaskContext} to it:
 * progress → {@link Task#updateProgress}/{@link Task#updateMessage}, cancel button → {@code isCancelled()},
 * log lines and metrics → FX-thread consumers, batched so a chatty job never floods the event queue.
 * Every started task is listed in {@link #running()} for the status bar and the close-window check.
 */
public final class FxTasks {

    /** Engine work that reports through a TaskContext. */
    @FunctionalInterface
    public interface Work<T> {
        T run(TaskContext ctx) throws Exception;
    }

    /** A metric sample from {@link TaskContext#metric}. */
    public record Metric(String name, long step, double value) { }

    /** A progress report with its phase, for per-stage progress bars. */
    public record Progress(String phase, long done, long total, String message) { }

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rali-task-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private static final ObservableList<Task<?>> RUNNING = FXCollections.observableArrayList();
    private static final ReadOnlyIntegerWrapper RUNNING_COUNT = new ReadOnlyIntegerWrapper();

    private FxTasks() { }

    /** Tasks started through this class that have not finished yet (FX thread only). */
    public static ObservableList<Task<?>> running() {
        return RUNNING;
    }

    public static ReadOnlyIntegerProperty runningCount() {
        return RUNNING_COUNT.getReadOnlyProperty();
    }

    /** Cancels every running task (used when the window closes). */
    public static void cancelAll() {
        for (Task<?> t : RUNNING.toArray(new Task<?>[0])) {
            t.cancel(false);
        }
    }

    /** Builder-style handle: set callbacks, then {@link #start()}. */
    public static final class Job<T> extends Task<T> {
        private final String title;
        private final Work<T> work;
        private Consumer<String> onLog = l -> { };
        private Consumer<java.util.List<Metric>> onMetrics = m -> { };
        private Consumer<Progress> onProgress = p -> { };
        private FxBatcher<String> logs;
        private FxBatcher<Metric> metrics;
        private FxBatcher<Progress> progress;

        Job(String title, Work<T> work) {
            this.title = title;
            this.work = work;
            updateTitle(title);
        }

        public Job<T> onLog(Consumer<String> c) {
            onLog = c;
            return this;
        }

        public Job<T> onMetrics(Consumer<java.util.List<Metric>> c) {
            onMetrics = c;
            return this;
        }

        public Job<T> onProgress(Consumer<Progress> c) {
            onProgress = c;
            return this;
        }

        public Job<T> onDone(Consumer<T> c) {
            setOnSucceeded(e -> c.accept(getValue()));
            return this;
        }

        /** Error handler; by default a readable dialog. Cancellation is not an error. */
        public Job<T> onError(Consumer<Throwable> c) {
            setOnFailed(e -> {
                if (!(getException() instanceof CancelledException)) {
                    c.accept(getException());
                }
            });
            return this;
        }

        public Job<T> start() {
            logs = new FxBatcher<>(batch -> batch.forEach(onLog));
            metrics = new FxBatcher<>(onMetrics);
            progress = new FxBatcher<>(batch -> batch.forEach(onProgress));
            if (getOnFailed() == null) {
                onError(e -> Dialogs.error(null, title + " failed", e));
            }
            RUNNING.add(this);
            RUNNING_COUNT.set(RUNNING.size());
            stateProperty().addListener((o, a, s) -> {
                if (s == Worker.State.SUCCEEDED || s == Worker.State.FAILED || s == Worker.State.CANCELLED) {
                    RUNNING.remove(this);
                    RUNNING_COUNT.set(RUNNING.size());
                }
            });
            EXECUTOR.execute(this);
            return this;
        }

        @Override
        protected T call() throws Exception {
            TaskContext ctx = new TaskContext() {
                @Override
                public void progress(String phase, long done, long total, String message) {
                    if (total > 0) {
                        updateProgress(done, total);
                    } else {
                        updateProgress(-1, 1);
                    }
                    updateMessage(phase + (message == null || message.isEmpty() ? "" : ": " + message));
                    progress.add(new Progress(phase, done, total, message));
                }

                @Override
                public void log(String line) {
                    logs.add(line);
                }

                @Override
                public void metric(String name, long step, double value) {
                    metrics.add(new Metric(name, step, value));
                }

                @Override
                public boolean isCancelled() {
                    return Job.this.isCancelled();
                }
            };
            try {
                return work.run(ctx);
            } catch (CancelledException e) {
                if (!isCancelled()) {
                    cancel(false);
                }
                throw e;
            }
        }
    }

    /** A job that is not started yet; call {@link Job#start()} after setting callbacks. */
    public static <T> Job<T> job(String title, Work<T> work) {
        return new Job<>(title, work);
    }

    /** Runs a short background query and hands its result to {@code done} on the FX thread. */
    public static <T> Job<T> query(String title, Work<T> work, Consumer<T> done) {
        return job(title, work).onDone(done).start();
    }

    /** Runs on the FX thread now if already there, else later. */
    public static void fx(Runnable r) {
        if (Platform.isFxApplicationThread()) {
            r.run();
        } else {
            Platform.runLater(r);
        }
    }
}
