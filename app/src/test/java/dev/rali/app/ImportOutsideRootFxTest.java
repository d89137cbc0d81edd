package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.app.views.ImportWizard;
import dev.rali.app.wiring.EngineDatasetImport;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.project.ProjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Issue 17: the GUI's equivalent of `rali dataset import --allow-outside-root`, offered only when it matters. */
@ExtendWith(ApplicationExtension.class)
class ImportOutsideRootFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(DatasetImportAction.class, new EngineDatasetImport()).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void rowsLeavingTheFolderAreRefusedThenImportedOnlyAfterTheUserTicksTheWarnedOption(FxRobot robot) throws Exception {
        Path project = dir.resolve("p.rali");
        ProjectStore.open(project).close();
        Fixtures.png(dir.resolve("data/a.png"), 10);
        Fixtures.png(dir.resolve("outside/b.png"), 200);
        Path csv = Files.writeString(dir.resolve("data/mos.csv"), "image,score\na.png,3.0\n../outside/b.png,4.0\n");
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(DatasetsView.TITLE));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);

        robot.interact(() -> view.runImport(new DatasetImportAction.ImportSpec("csv", csv, "mine")));
        fx.settle();
        String report = robot.lookup("#importReport").queryAs(TextArea.class).getText();
        assertTrue(report.contains("outside"), report);
        Button again = robot.lookup("#importAgainOutside").queryButton();
        assertTrue(again.isVisible(), "the refused rows are offered");
        assertTrue(again.getText().contains("1 path outside the folder"), again.getText());
        assertEquals(1, images(project), "the inside row is imported, the outside one is not");

        AtomicReference<ImportWizard> wizard = new AtomicReference<>();
        robot.interact(() -> wizard.set(view.reimportWizard()));
        ImportWizard w = wizard.get();
        assertFalse(w.allowOutside().isSelected(), "off by default");
        Label warning = (Label) w.getDialogPane().lookup("#importOutsideWarning");
        assertTrue(warning.getText().contains("1 row was refused") && warning.getText().contains("trust"),
                warning.getText());
        assertEquals(new DatasetImportAction.ImportSpec("csv", csv, "mine"), w.spec().orElseThrow(),
                "filled with the refused import, not allowing until ticked");
        robot.interact(() -> w.allowOutside().setSelected(true));
        DatasetImportAction.ImportSpec allowed = w.spec().orElseThrow();
        assertTrue(allowed.allowOutsideRoot());

        robot.interact(() -> view.runImport(allowed));
        fx.settle();
        assertEquals(2, images(project));
        assertFalse(robot.lookup("#importAgainOutside").queryButton().isVisible());
    }

    @Test
    void aFirstImportDoesNotOfferTheOption(FxRobot robot) throws Exception {
        ImportWizard[] w = new ImportWizard[1];
        robot.interact(() -> w[0] = new ImportWizard(null, new EngineDatasetImport()));
        assertEquals(null, w[0].getDialogPane().lookup("#importAllowOutside"));
        assertEquals(null, w[0].getDialogPane().lookup("#importOutsideWarning"));
    }

    private static int images(Path project) throws Exception {
        try (ProjectStore store = ProjectStore.open(project)) {
            return Datasets.list(store).stream().mapToInt(d -> d.count()).sum();
        }
    }
}
