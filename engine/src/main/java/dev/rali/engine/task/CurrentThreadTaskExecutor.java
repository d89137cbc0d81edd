package dev.rali.engine.task;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs each task on the calling thread and fires its callbacks there before {@link #execute} returns: for tests
 * (deterministic, no waiting) and command-line code that has no UI thread. A failure nobody handles is rethrown
 * from {@code execute} (wrapped in {@link TaskFailedException}) instead of being lost.
 */
public final class CurrentThreadTaskExecutor implements TaskExecutor {
    private final List<BackgroundTask<?>> running = new CopyOnWriteArrayList<>();

    @Override
    public <T> BackgroundTask<T> execute(BackgroundTask<T> task) {
        running.add(task);
        try {
            task.run(task.directReports(), Runnable::run, e -> {
                throw new TaskFailedException(task.title(), e);
            });
        } finally {
            running.remove(task);
        }
        return task;
    }

    @Override
    public List<BackgroundTask<?>> running() {
        return List.copyOf(running);
    }

    /** A task failed and it had no onFailure handler. */
    public static final class TaskFailedException extends RuntimeException {
        TaskFailedException(String title, Throwable cause) {
            super(title + " failed: " + cause.getMessage(), cause);
        }
    }

}
