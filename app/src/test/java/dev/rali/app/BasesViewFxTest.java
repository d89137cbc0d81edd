package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.BasesView;
import dev.rali.app.views.MapCanvas;
import dev.rali.engine.analysis.BasisExplorer;
import dev.rali.engine.analysis.EmbeddingAnalysisService;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javafx.geometry.Point2D;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The Bases view: each basis with f, size, words, nearest images and map position; explaining a score. */
@ExtendWith(ApplicationExtension.class)
class BasesViewFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final AnalysisFixtures.FakeAnalysis analysis = new AnalysisFixtures.FakeAnalysis();
    Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        stage.setWidth(1400);
        stage.setHeight(900);
        fx.start(stage, AppServices.builder().with(EmbeddingAnalysisService.class, analysis).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    private BasesView openView(FxRobot robot, Path project) throws Exception {
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(BasesView.TITLE));
        fx.settle();
        return fx.window.view(BasesView.TITLE);
    }

    @Test
    void theBasisDetailAndTheExplainHintKeepAllTheirLinesAt1024By700(FxRobot robot) throws Exception {
        robot.interact(() -> {
            stage.setWidth(1024);
            stage.setHeight(700);
        });
        BasesView v = openView(robot, AnalysisFixtures.project(dir));
        FxTestSupport.waitFor(() -> v.table().getSelectionModel().getSelectedItem() != null);
        robot.interact(() -> {
            fx.window.root().applyCss();
            fx.window.root().layout();
        });
        for (javafx.scene.control.Label l : List.of(v.detailLabel(), v.explanationLabel())) {
            assertTrue(l.getHeight() + 0.5 >= l.prefHeight(l.getWidth()), "'" + l.getText() + "' is "
                    + l.getHeight() + " px high, needs " + l.prefHeight(l.getWidth()));
        }
    }

    @Test
    void theRunsBasesOpenOnTheLargestWithItsImagesReasoningWordsAndMapPoints(FxRobot robot) throws Exception {
        BasesView v = openView(robot, AnalysisFixtures.project(dir));
        FxTestSupport.waitFor(() -> v.table().getItems().size() == 3);
        assertEquals(2L, analysis.lastRun, "the run with an encoder and a head");
        BasisExplorer.Basis selected = v.table().getSelectionModel().getSelectedItem();
        assertEquals(1, selected.index(), "basis 1 has the most training images (3)");
        assertEquals(2, v.members().getItems().size());
        assertEquals(0.91, v.members().getItems().get(0).cosine(), 1e-9, "nearest first");
        String detail = v.detailLabel().getText();
        assertTrue(detail.startsWith("Basis 1: f 2.900 · 3 training image(s) nearest"), detail);
        assertTrue(detail.contains("soft, haze"), detail);
        MapCanvas map = v.map();
        assertEquals(4, map.size());
        assertEquals(Set.of(1, 2, 3), map.selected(), "the basis's images are highlighted on the map");
        assertTrue(map.legend().continuous());
        assertEquals(1.6, map.legend().min(), 1e-9);
        assertEquals(4.1, map.legend().max(), 1e-9);

        // a click on a map point selects its basis
        Point2D p = map.localToScreen(map.screenPoint(0));
        robot.clickOn(p);
        fx.settle();
        assertEquals(0, v.table().getSelectionModel().getSelectedItem().index());
        assertEquals(Set.of(0), map.selected());

        // a basis without images says so
        robot.interact(() -> v.table().getSelectionModel().select(2));
        assertTrue(v.detailLabel().getText().contains("map position none"), v.detailLabel().getText());
        assertTrue(v.detailLabel().getText().contains("(none: no traces)"), v.detailLabel().getText());
    }

    @Test
    void explainShowsTheBasesThatCarriedTheScore(FxRobot robot) throws Exception {
        BasesView v = openView(robot, AnalysisFixtures.project(dir));
        FxTestSupport.waitFor(() -> v.table().getItems().size() == 3);
        Path image = dir.resolve("images/c.png");
        robot.interact(() -> v.explain(image));
        fx.settle();
        assertEquals(image, analysis.explained);
        String text = v.explanationLabel().getText();
        assertTrue(text.startsWith("c.png scored 2.10 (ŝ = Σ w·f over all bases); the top 2 carry 2.06 of it."), text);
        assertTrue(text.contains("looks most like basis 1 (w 0.60, f 2.90: soft, haze)"), text);
        assertEquals(List.of(1, 0), v.carriers().getItems().stream().map(c -> c.basis()).toList());
        assertEquals(1, v.table().getSelectionModel().getSelectedItem().index(), "the top carrier is opened");
        robot.interact(() -> v.carriers().getSelectionModel().select(1));
        assertEquals(0, v.table().getSelectionModel().getSelectedItem().index());
    }

    @Test
    void aProjectWithoutARunSaysWhatToDo(FxRobot robot) throws Exception {
        BasesView v = openView(robot, Fixtures.project(dir)); // runs without encoder/head artifacts
        assertTrue(robot.lookup("#basesCompute").queryButton().isDisabled());
        assertTrue(robot.lookup("#basesExplain").queryButton().isDisabled());
        assertEquals(0, v.table().getItems().size());
        assertEquals(null, analysis.lastRun, "nothing was computed");
    }
}
