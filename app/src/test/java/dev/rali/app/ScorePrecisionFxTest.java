package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rali.app.views.ScoreView;
import dev.rali.engine.score.ImageScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Issue 14: the Score view's precision setting reaches the scorer, and what ran is shown after scoring. */
@ExtendWith(ApplicationExtension.class)
class ScorePrecisionFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final List<String> asked = new CopyOnWriteArrayList<>();

    /** Resolves auto to bf16 like a wide tower on a bf16 CPU would; reports what it "ran". */
    final class RecordingFactory implements ScorerFactory {
        @Override
        public ImageScorer open(Path bundleDir) {
            return open(bundleDir, "auto");
        }

        @Override
        public ImageScorer open(Path bundleDir, String precision) {
            asked.add(precision);
            String used = precision.equals("auto") ? "bf16" : precision;
            return new ImageScorer() {
                @Override
                public String describe() {
                    return "recording scorer";
                }

                @Override
                public String precisionInUse() {
                    return used + " on cpu";
                }

                @Override
                public void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx) {
                    files.forEach(f -> sink.accept(ScoreResult.ok(f, 3.0)));
                }

                @Override
                public void close() { }
            };
        }
    }

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(ScorerFactory.class, new RecordingFactory()).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void thePrecisionDefaultsToAutoReachesTheScorerAndWhatRanIsShown(FxRobot robot) throws Exception {
        Fixtures.png(dir.resolve("photos/a.png"), 10);
        Path m1 = Files.createDirectories(dir.resolve("m1.rali-model"));
        Path m2 = Files.createDirectories(dir.resolve("m2.rali-model"));
        robot.interact(() -> fx.window.select(ScoreView.TITLE));
        ScoreView view = fx.window.view(ScoreView.TITLE);
        @SuppressWarnings("unchecked")
        ComboBox<String> precision = robot.lookup("#scorePrecision").queryAs(ComboBox.class);
        Label inUse = robot.lookup("#scorePrecisionInUse").queryAs(Label.class);
        assertEquals("auto", precision.getValue());
        assertEquals(List.of("auto", "fp32", "bf16"), precision.getItems());
        assertEquals("", inUse.getText(), "nothing ran yet");

        robot.interact(() -> {
            view.addFiles(List.of(dir.resolve("photos")));
            view.setBundle(m1);
        });
        fx.settle();
        robot.interact(view::startScoring);
        fx.settle();
        assertEquals(List.of("auto"), asked);
        assertEquals("encoder: bf16 on cpu (auto)", inUse.getText());

        robot.interact(() -> {
            precision.getSelectionModel().select("fp32");
            view.setBundle(m2);
        });
        robot.interact(view::startScoring);
        fx.settle();
        assertEquals(List.of("auto", "fp32"), asked);
        assertEquals("encoder: fp32 on cpu", inUse.getText());
    }
}
