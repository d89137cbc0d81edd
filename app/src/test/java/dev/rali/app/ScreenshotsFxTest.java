package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.PipelineView;
import dev.rali.app.views.ScoreView;
import dev.rali.engine.pipeline.PipelineService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Renders every main view of a demo project to PNG (the code path of {@code rali gui --screenshot}); the images
 * land in app/target/screenshots for a human to look at.
 */
@ExtendWith(ApplicationExtension.class)
class ScreenshotsFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    @Start
    void start(Stage stage) {
        stage.setWidth(1360);
        stage.setHeight(860);
        fx.start(stage, AppServices.builder().with(ScorerFactory.class, b -> new Fixtures.FakeScorer())
                .with(dev.rali.engine.analysis.attention.AttentionService.class,
                        new dev.rali.engine.analysis.attention.ProjectAttention())
                .with(PipelineService.class, new Fixtures.FakePipeline(150)).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void everyMainViewRendersToAPng(FxRobot robot) throws Exception {
        // Surefire runs in the module folder; the photos are part of the checkout, so a missing folder is a bug.
        Path photos = Path.of("../sample-projects/photos");
        assertTrue(Files.isDirectory(photos), "sample photos missing: " + photos.toAbsolutePath());
        Path project = DemoProject.build(dir, photos);
        AttentionFixtures.importDumps(project, dir.resolve("dumps"), 4);
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        robot.clickOn("#runStage");
        fx.settle();
        ScoreView score = fx.window.view(ScoreView.TITLE);
        Path bundle = Files.createDirectories(dir.resolve("demo.rali-model"));
        robot.interact(() -> {
            score.addFiles(List.of(dir.resolve("images")));
            score.setBundle(bundle);
        });
        fx.settle();
        robot.interact(score::startScoring);
        fx.settle();

        Path out = Path.of("target/screenshots");
        if (Files.isDirectory(out)) { // PNGs of an earlier build (another set of views) would fail the list below
            try (Stream<Path> old = Files.list(out)) {
                for (Path p : old.filter(p -> p.toString().endsWith(".png")).toList()) {
                    Files.delete(p);
                }
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        robot.interact(() -> Screenshots.captureAll(fx.window, fx.window.root().getScene(), out, done::countDown));
        assertTrue(done.await(60, TimeUnit.SECONDS));
        try (Stream<Path> s = Files.list(out)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("01-start.png", "02-datasets.png", "03-trace-audit.png", "04-attention.png",
                    "05-pipeline.png", "06-sweeps.png", "07-results-across-runs.png", "07-results.png", "08-score.png", "09-domain-gap.png",
                    "10-bases.png"), names);
        }
        assertTrue(Files.size(out.resolve("02-datasets.png")) > 10_000);
    }
}
