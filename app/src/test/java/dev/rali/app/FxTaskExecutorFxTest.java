package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.task.BackgroundTask;
import dev.rali.engine.task.CurrentThreadTaskExecutor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The app's executor: work off the FX thread, every callback on it, cancel honoured; views take any executor. */
@ExtendWith(ApplicationExtension.class)
class FxTaskExecutorFxTest {
    @TempDir Path dir;
    final FxTaskExecutor executor = new FxTaskExecutor();
    final List<String> events = new CopyOnWriteArrayList<>();

    @Start
    void start(Stage stage) {
        stage.show();
    }

    private void record(String event) {
        events.add(event + (Platform.isFxApplicationThread() ? " (fx)" : " (worker)"));
    }

    @Test
    void workRunsOnAWorkerAndEveryCallbackOnTheFxThreadInOrder() throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        BackgroundTask<Integer> task = BackgroundTask.of("count", ctx -> {
            record("work");
            for (int i = 1; i <= 200; i++) {
                ctx.progress("count", i, 200, null);
                ctx.metric("loss", i, 1.0 / i);
            }
            ctx.log("done counting");
            return 200;
        }).onProgress(p -> {
            if (p.done() == 200) {
                record("last progress");
            }
        }).onMetrics(m -> {
            if (m.get(m.size() - 1).step() == 200) {
                record("last metric");
            }
        }).onLog(l -> record("log " + l))
                .onSuccess(v -> record("success " + v))
                .onFinished(() -> {
                    record("finished");
                    finished.countDown();
                });
        WaitForAsyncUtils.asyncFx(() -> executor.execute(task)).get();
        assertTrue(finished.await(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        // progress, metrics and logs travel in separate batches (no order among them), all before the outcome
        assertEquals(6, events.size(), events.toString());
        assertEquals("work (worker)", events.get(0));
        assertEquals(java.util.Set.of("last progress (fx)", "last metric (fx)", "log done counting (fx)"),
                java.util.Set.copyOf(events.subList(1, 4)));
        assertEquals(List.of("success 200 (fx)", "finished (fx)"), events.subList(4, 6));
        assertTrue(executor.running().isEmpty());
    }

    @Test
    void cancelStopsTheWorkAtItsNextCheckAndFiresOnCancelledAfterItStopped() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        BackgroundTask<Void> task = BackgroundTask.<Void>of("spin", ctx -> {
            started.countDown();
            while (true) {
                ctx.checkCancelled();
                Thread.sleep(5);
            }
        }).onSuccess(v -> record("success")).onFailure(e -> record("failure " + e))
                .onCancelled(() -> record("cancelled"))
                .onFinished(finished::countDown);
        WaitForAsyncUtils.asyncFx(() -> executor.execute(task)).get();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(task), executor.running());
        executor.cancelAll();
        assertTrue(finished.await(10, TimeUnit.SECONDS));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of("cancelled (fx)"), events);
        assertEquals(BackgroundTask.State.CANCELLED, task.state());
        assertTrue(executor.running().isEmpty());
    }

    @Test
    void aViewGivenTheCurrentThreadExecutorHasItsDataAsSoonAsTheProjectIsOpen() throws Exception {
        Preferences prefs = Preferences.userRoot().node("rali-test-" + System.nanoTime());
        ProjectModel model = new ProjectModel(new RecentProjects(prefs));
        Path project = Fixtures.project(dir);
        try {
            List<String> seen = WaitForAsyncUtils.asyncFx(() -> {
                AppContext ctx = new AppContext(model, AppServices.none(), new CurrentThreadTaskExecutor());
                MainWindow window = new MainWindow(ctx);
                model.open(project);
                // no waiting: the executor ran every load before open() returned
                DatasetsView view = window.view(DatasetsView.TITLE);
                return view.grid().getItems().stream().map(ProjectQueries.ImageItem::name).toList();
            }).get();
            assertEquals(List.of("a.png", "b.png", "c.png", "d.png", "e.png", "f.png"), seen);
        } finally {
            WaitForAsyncUtils.asyncFx(model::close).get();
            prefs.removeNode();
        }
    }
}
