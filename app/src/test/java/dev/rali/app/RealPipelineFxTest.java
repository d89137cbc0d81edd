package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.PipelineView;
import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.sample.SampleProjectBuilder;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The Pipeline view running the REAL engine pipeline (align → embed → head → evaluate) on a tiny project. */
@ExtendWith(ApplicationExtension.class)
class RealPipelineFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(PipelineService.class, new RaliPipeline()).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    /** 3 photos × distortions at 40 px, 2 traces each, a 1-layer CLIP; imported like `rali demo` does. */
    Path tinyProject() throws Exception {
        Path photos = SampleProjectBuilder.findPhotosDir(Path.of(""));
        Path few = SampleProjectBuilder.copySubset(photos, dir.resolve("photos"), Set.of("astronaut.png", "brick.png", "camera.png"));
        Path sample = dir.resolve("sample");
        SampleProjectBuilder.build(sample, new SampleProjectBuilder.Options(few, 40, 2, 0L, Set.of("brick"),
                Set.of("camera"), false, 0), TaskContext.silent());
        Path project = dir.resolve("tiny.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            Demo.importSample(store, sample, "sample", TaskContext.silent());
        }
        DemoClipFactory.create(dir.resolve("clip"), new DemoClipFactory.Config(32, 40, 8, 32, 1, 2, 64, 32, 1, 2, 64,
                16, 77, 49408, 2.6592), 1);
        return project;
    }

    @Test
    void runningAllStagesFromTheFormTrainsEvaluatesAndRecordsTheRun(FxRobot robot) throws Exception {
        Path project = tinyProject();
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        PipelineView view = fx.window.view(PipelineView.TITLE);
        Map<String, String> values = Map.of("encoder-base", dir.resolve("clip").toString(),
                "alignment-epochs", "2", "alignment-batchSize", "16", "alignment-lr", "0.001",
                "alignment-warmupSteps", "1", "compression-dim", "8", "bases-count", "6", "bases-buckets", "4",
                "scoreDefinition-epochs", "3", "evaluate-bootstrap", "0");
        robot.interact(() -> values.forEach((k, v) -> robot.lookup("#param-" + k).queryAs(TextField.class).setText(v)));
        assertTrue(robot.lookup("#param-alignment-enabled").queryAs(CheckBox.class).isSelected());
        robot.interact(() -> robot.lookup("#stageChoice").queryComboBox().getSelectionModel().select("all"));
        robot.clickOn("#runStage");
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> {
            WaitForAsyncUtils.waitForFxEvents();
            String s = robot.lookup("#runStatus").queryAs(Label.class).getText();
            return s != null && (s.equals("succeeded") || s.startsWith("failed"));
        });
        fx.settle();
        assertEquals("succeeded", robot.lookup("#runStatus").queryAs(Label.class).getText());
        assertTrue(view.plots().points(PipelineView.LIVE, "align/train_loss").size() >= 1,
                "the live plot received the alignment losses");
        assertTrue(view.plots().panelIds().containsAll(java.util.List.of("alignment-loss", "head-step-loss")),
                view.plots().panelIds().toString());
        try (ProjectStore store = ProjectStore.open(project); Statement s = store.connection().createStatement()) {
            assertEquals("done", s.executeQuery("SELECT status FROM runs WHERE stage='pipeline'").getString(1));
            assertEquals(s.executeQuery("SELECT COUNT(*) FROM images WHERE split='test'").getInt(1),
                    s.executeQuery("SELECT COUNT(*) FROM predictions").getInt(1));
        }
        FxTestSupport.waitFor(() -> view.runs().getItems().stream().anyMatch(r -> r.stage().equals("pipeline")));
    }
}
