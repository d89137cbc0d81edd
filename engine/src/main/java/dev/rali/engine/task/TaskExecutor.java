package dev.rali.engine.task;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs {@link BackgroundTask}s (JabRef's TaskExecutor is the model). Code that starts background work takes an
 * executor instead of owning threads, so tests pass a {@link CurrentThreadTaskExecutor} and see the outcome as soon
 * as {@link #execute} returns, while the desktop app passes one that runs work on worker threads and calls back on
 * the FX thread.
 */
public interface TaskExecutor {

    /** Starts the task (or, for a synchronous executor, runs it to the end) and returns it. */
    <T> BackgroundTask<T> execute(BackgroundTask<T> task);

    /** A short query: run {@code work} and hand its result to {@code onSuccess}. */
    default <T> BackgroundTask<T> execute(String title, BackgroundTask.Work<T> work, Consumer<? super T> onSuccess) {
        return execute(BackgroundTask.of(title, work).onSuccess(onSuccess));
    }

    /** Tasks started through this executor whose outcome has not been delivered yet, oldest first. */
    List<BackgroundTask<?>> running();

    /** Asks every running task to stop. */
    default void cancelAll() {
        running().forEach(BackgroundTask::cancel);
    }
}
