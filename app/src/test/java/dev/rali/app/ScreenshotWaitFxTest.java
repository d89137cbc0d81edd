package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.BasesView;
import dev.rali.engine.analysis.EmbeddingAnalysisService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.Node;
import javafx.scene.control.ListCell;
import javafx.scene.image.ImageView;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * {@code rali gui --screenshot} captures a view only once its pending work has landed: the Bases view's nearest
 * images decode their thumbnails after the bases task has finished, and used to be captured blank.
 */
@ExtendWith(ApplicationExtension.class)
class ScreenshotWaitFxTest {
    static final long SLOW_DECODE_MS = 2500; // longer than Screenshots.SETTLE, so only waiting on it can pass

    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    @Start
    void start(Stage stage) {
        stage.setWidth(1360);
        stage.setHeight(860);
        fx.start(stage, AppServices.builder().with(EmbeddingAnalysisService.class,
                new AnalysisFixtures.FakeAnalysis()).build(), List.of(new BasesView.Feature()));
        fx.ctx.thumbnails().decoder = (file, size) -> {
            try {
                Thread.sleep(SLOW_DECODE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ThumbnailCache.decode(file, size);
        };
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void theBasesViewIsCapturedWithItsNearestImagesThumbnails(FxRobot robot) throws Exception {
        fx.open(robot, AnalysisFixtures.project(dir));
        Path out = dir.resolve("shots");
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<List<Boolean>> atCapture = new AtomicReference<>();
        robot.interact(() -> Screenshots.captureAll(fx.window, fx.window.root().getScene(), out, () -> {
            // runs right after the PNG was written, in the same FX event: what the capture showed
            atCapture.set(robot.lookup("#basesMembers .list-cell").queryAll().stream()
                    .filter(c -> ((ListCell<?>) c).getItem() != null)
                    .map(c -> hasImage(c)).toList());
            done.countDown();
        }));
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertTrue(Files.isRegularFile(out.resolve("01-bases.png")));
        assertEquals(List.of(true, true), atCapture.get(), "both nearest images of the opened basis have thumbnails");
        assertTrue(fx.ctx.pending().idle());
    }

    private static boolean hasImage(Node cell) {
        return new FxRobot().from(cell).lookup((ImageView v) -> v.getImage() != null).tryQuery().isPresent();
    }
}
