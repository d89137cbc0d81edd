package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.PipelineView;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The Pipeline view with a run in progress, at 1600×1000 and 1024×700, for docs/screenshots (issue 17). The run
 * replays the metrics of the project's first run that aligned (all alignment steps, then 60 of its score-definition
 * epochs) and is held there, so the plots show every panel mid-run. Only with
 * {@code -Drali.screenshots.project=COPY_OF_DEMO.rali -Drali.screenshots.out=DIR}: it writes a run into that project.
 */
@ExtendWith(ApplicationExtension.class)
@EnabledIfSystemProperty(named = "rali.screenshots.project", matches = ".+")
class PipelineScreenshotFxTest {
    final FxTestSupport fx = new FxTestSupport();
    final PipelineFxTest.RecordingPipeline pipeline = new PipelineFxTest.RecordingPipeline();
    Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        fx.start(stage, AppServices.builder().with(PipelineService.class, pipeline)
                .with(BundleExportAction.class, (s, run, out) -> { }).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void pipelineWithARunInProgress(FxRobot robot) throws Exception {
        Path project = Path.of(System.getProperty("rali.screenshots.project"));
        Path out = Path.of(System.getProperty("rali.screenshots.out", "target/screenshots"));
        Files.createDirectories(out);
        List<String[]> replay = new ArrayList<>();
        try (ProjectStore store = ProjectStore.open(project)) {
            Runs runs = new Runs(store);
            Runs.RunItem aligned = runs.list().stream().sorted(Comparator.comparingLong(Runs.RunItem::id))
                    .filter(r -> {
                        try {
                            return runs.metrics(r.id()).containsKey("align/train_loss");
                        } catch (Exception e) {
                            return false;
                        }
                    }).findFirst().orElseThrow();
            Map<String, List<Runs.MetricPoint>> m = runs.metrics(aligned.id());
            for (String name : List.of("align/train_loss", "align/val_loss", "pca/explained_variance_ratio",
                    "bases/count")) {
                m.getOrDefault(name, List.of()).forEach(p -> replay.add(new String[] {name, "" + p.step(),
                        "" + p.value()}));
            }
            m.forEach((name, pts) -> {
                if (name.startsWith("score_definition/")) {
                    pts.stream().filter(p -> p.step() <= 60).forEach(p -> replay.add(new String[] {name,
                            "" + p.step(), "" + p.value()}));
                }
            });
        }
        pipeline.metrics = replay;
        CountDownLatch hold = new CountDownLatch(1);
        pipeline.holdAfter = replay.size();
        pipeline.gate = hold;
        try {
            robot.interact(() -> {
                stage.setWidth(1600);
                stage.setHeight(1000);
            });
            fx.open(robot, project);
            robot.interact(() -> fx.window.select(PipelineView.TITLE));
            Thread.sleep(1500);
            PipelineView view = fx.window.view(PipelineView.TITLE);
            robot.interact(() -> view.runs().getSelectionModel().clearSelection());
            robot.clickOn("#runStage");
            FxTestSupport.waitFor(() -> pipeline.held);
            Thread.sleep(1500);
            robot.interact(() -> {
            });
            snap(robot, out.resolve("pipeline-1600x1000.png"));
            robot.interact(() -> {
                stage.setWidth(1024);
                stage.setHeight(700);
            });
            Thread.sleep(1500);
            snap(robot, out.resolve("pipeline-1024x700.png"));
        } finally {
            robot.interact(() -> robot.lookup("#cancelStage").queryButton().fire());
            hold.countDown();
        }
        assertTrue(Files.size(out.resolve("pipeline-1600x1000.png")) > 10_000);
    }

    private void snap(FxRobot robot, Path file) throws Exception {
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents(5);
        org.testfx.util.WaitForAsyncUtils.asyncFx(() -> {
            Screenshots.write(fx.window.root().getScene(), file);
            return null;
        }).get();
        System.out.println(file.toAbsolutePath());
    }
}
