package dev.rali.engine.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackgroundTaskTest {
    final CurrentThreadTaskExecutor executor = new CurrentThreadTaskExecutor();
    final List<String> events = new ArrayList<>();

    private <T> BackgroundTask<T> recorded(BackgroundTask<T> task) {
        return task.onSuccess(v -> events.add("success " + v))
                .onFailure(e -> events.add("failure " + e.getMessage()))
                .onCancelled(() -> events.add("cancelled"))
                .onFinished(() -> events.add("finished"))
                .onProgress(p -> events.add("progress " + p.done() + "/" + p.total() + " " + p.text()))
                .onLog(l -> events.add("log " + l))
                .onMetrics(m -> m.forEach(x -> events.add("metric " + x.name() + "@" + x.step() + "=" + x.value())));
    }

    @Test
    void runsOnTheCallingThreadAndFiresSuccessThenFinishedBeforeExecuteReturns() {
        Thread caller = Thread.currentThread();
        BackgroundTask<Integer> task = recorded(BackgroundTask.of("sum", ctx -> {
            assertSame(caller, Thread.currentThread());
            ctx.progress("add", 1, 2, "first");
            ctx.log("half way");
            ctx.metric("loss", 3, 0.5);
            ctx.progress("add", 2, 2, "");
            return 42;
        }));
        assertSame(task, executor.execute(task));
        assertEquals(List.of("progress 1/2 add: first", "log half way", "metric loss@3=0.5", "progress 2/2 add",
                "success 42", "finished"), events);
        assertEquals(BackgroundTask.State.SUCCEEDED, task.state());
        assertTrue(executor.running().isEmpty());
    }

    @Test
    void aFailureGoesToOnFailureNotOnSuccess() {
        BackgroundTask<Object> task = recorded(BackgroundTask.of("read", ctx -> {
            throw new IOException("data.csv: row 3: not a number");
        }));
        executor.execute(task);
        assertEquals(List.of("failure data.csv: row 3: not a number", "finished"), events);
        assertEquals(BackgroundTask.State.FAILED, task.state());
    }

    @Test
    void anUnhandledFailureIsRethrownByTheCurrentThreadExecutorAfterFinished() {
        List<String> finished = new ArrayList<>();
        BackgroundTask<Object> task = BackgroundTask.of("import", ctx -> {
            throw new IllegalArgumentException("bad layout");
        }).onFinished(() -> finished.add("finished"));
        var e = assertThrows(CurrentThreadTaskExecutor.TaskFailedException.class, () -> executor.execute(task));
        assertEquals("import failed: bad layout", e.getMessage());
        assertEquals(List.of("finished"), finished);
        assertTrue(executor.running().isEmpty());
    }

    @Test
    void cancellingDuringTheWorkStopsItAtTheNextCheckAndFiresOnlyCancelled() {
        int[] steps = {0};
        BackgroundTask<Integer>[] self = new BackgroundTask[1];
        self[0] = recorded(BackgroundTask.of("loop", ctx -> {
            for (int i = 0; i < 10; i++) {
                ctx.checkCancelled();
                steps[0]++;
                if (i == 2) {
                    self[0].cancel();
                }
            }
            return steps[0];
        }));
        executor.execute(self[0]);
        assertEquals(3, steps[0]);
        assertEquals(List.of("cancelled", "finished"), events);
        assertEquals(BackgroundTask.State.CANCELLED, self[0].state());
    }

    @Test
    void aTaskCancelledBeforeItStartsNeverRunsItsWork() {
        boolean[] ran = {false};
        BackgroundTask<Void> task = recorded(BackgroundTask.of("never", ctx -> {
            ran[0] = true;
            return null;
        }));
        task.cancel();
        executor.execute(task);
        assertFalse(ran[0]);
        assertEquals(List.of("cancelled", "finished"), events);
    }

    @Test
    void workThatReturnsAfterACancelRequestCountsAsCancelled() {
        BackgroundTask<String>[] self = new BackgroundTask[1];
        self[0] = recorded(BackgroundTask.of("ignores cancel", ctx -> {
            self[0].cancel();
            return "done anyway";
        }));
        executor.execute(self[0]);
        assertEquals(List.of("cancelled", "finished"), events);
    }

    @Test
    void aTaskRunsOnlyOnce() {
        BackgroundTask<Integer> task = BackgroundTask.of("once", ctx -> 1);
        executor.execute(task);
        var e = assertThrows(IllegalStateException.class, () -> executor.execute(task));
        assertTrue(e.getMessage().contains("'once' was already started"), e.getMessage());
    }

    @Test
    void runningListsTheTaskWhileItsWorkRuns() {
        List<Integer> seen = new ArrayList<>();
        executor.execute("query", ctx -> executor.running().size(), seen::add);
        assertEquals(List.of(1), seen);
    }

    @Test
    void progressFractionIsMinusOneWhenTheTotalIsUnknown() {
        assertEquals(-1, new BackgroundTask.Progress("load", 3, 0, null).fraction());
        assertEquals(0.25, new BackgroundTask.Progress("load", 1, 4, null).fraction());
    }
}
