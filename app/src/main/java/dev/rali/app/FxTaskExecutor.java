package dev.rali.app;

import dev.rali.engine.task.BackgroundTask;
import dev.rali.engine.task.BackgroundTask.Metric;
import dev.rali.engine.task.BackgroundTask.Progress;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.task.TaskExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The app's {@link TaskExecutor}: runs engine work on daemon worker threads and calls the task's callbacks on the
 * FX thread. Progress, log lines and metrics travel through {@link FxBatcher}s, so a chatty job costs one UI update
 * per frame, not one per report. Each instance owns its threads (no static pool): the app makes one in
 * {@link RaliApp}, tests make their own or pass a synchronous executor.
 */
public final class FxTaskExecutor implements TaskExecutor {

    /** A started task as the status bar sees it: title and progress as FX properties (FX thread only). */
    public static final class Running {
        private final BackgroundTask<?> task;
        private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(-1);

        Running(BackgroundTask<?> task) {
            this.task = task;
        }

        public BackgroundTask<?> task() {
            return task;
        }

        public String title() {
            return task.title();
        }

        /** Fraction done, -1 while unknown. */
        public ReadOnlyDoubleProperty progressProperty() {
            return progress.getReadOnlyProperty();
        }
    }

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rali-task-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final ObservableList<Running> running = FXCollections.observableArrayList();
    /** The same tasks, readable from any thread (tests wait on it, the close check reads it). */
    private final List<BackgroundTask<?>> started = new CopyOnWriteArrayList<>();

    @Override
    public <T> BackgroundTask<T> execute(BackgroundTask<T> task) {
        Running entry = new Running(task);
        FxBatcher<Progress> progress = new FxBatcher<>(batch -> batch.forEach(p -> {
            entry.progress.set(p.fraction());
            task.deliverProgress(p);
        }));
        FxBatcher<String> logs = new FxBatcher<>(batch -> batch.forEach(task::deliverLog));
        FxBatcher<Metric> metrics = new FxBatcher<>(task::deliverMetrics);
        TaskContext reports = new TaskContext() {
            @Override
            public void progress(String phase, long done, long total, String message) {
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
                return task.isCancelled();
            }
        };
        started.add(task);
        onFxThread(() -> running.add(entry));
        // The outcome is queued behind any report batch already scheduled, so the last progress arrives first.
        pool.execute(() -> task.run(reports, outcome -> Platform.runLater(() -> {
            try {
                outcome.run();
            } finally {
                running.remove(entry);
                started.remove(task);
            }
        }), e -> Dialogs.error(null, task.title() + " failed", e)));
        return task;
    }

    /** Tasks whose outcome has not reached the FX thread yet, oldest first (FX thread only). */
    public ObservableList<Running> runningTasks() {
        return running;
    }

    /** Started tasks whose outcome has not been delivered yet, oldest first; safe from any thread. */
    @Override
    public List<BackgroundTask<?>> running() {
        return List.copyOf(started);
    }

    /** Runs on the FX thread now if already there, else later. */
    public static void onFxThread(Runnable r) {
        if (Platform.isFxApplicationThread()) {
            r.run();
        } else {
            Platform.runLater(r);
        }
    }
}
