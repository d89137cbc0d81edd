package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.app.views.DatasetsView;
import dev.rali.engine.project.ProjectQueries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class MainWindowFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final List<DatasetImportAction.ImportSpec> imported = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Start
    void start(Stage stage) {
        DatasetImportAction importer = new DatasetImportAction() {
            @Override
            public List<String> layouts() {
                return List.of("folder", "csv");
            }

            @Override
            public String importDataset(dev.rali.engine.project.ProjectStore store, ImportSpec spec,
                                        dev.rali.engine.task.TaskContext ctx) throws Exception {
                imported.add(spec);
                store.inTransaction(c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("INSERT INTO datasets(name, layout) VALUES ('" + spec.name() + "', '" + spec.layout() + "')");
                    }
                    return null;
                });
                return "Imported 0 images into '" + spec.name() + "'\n2 rows skipped: missing file";
            }
        };
        fx.start(stage, AppServices.builder().with(DatasetImportAction.class, importer).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void startPageSaysWhatToDoWithoutAProject(FxRobot robot) {
        assertEquals("No project open.", robot.lookup("#currentProject").queryAs(Label.class).getText());
        assertTrue(robot.lookup("#nextStep").queryAs(Label.class).getText().contains("Create a new project"));
        ListView<?> nav = robot.lookup("#navigation").queryAs(ListView.class);
        assertEquals(List.of("Start", "Datasets", "Trace audit", "Attention", "Pipeline", "Sweeps", "Results", "Score", "Domain gap", "Bases"), nav.getItems());
    }

    @Test
    void sampleProjectWithoutBuilderExplainsItself(FxRobot robot) {
        robot.clickOn("#openSample");
        assertTrue(fx.dialogs.get(0).startsWith("Sample project not available"), fx.dialogs.toString());
    }

    @Test
    void openingAProjectShowsDatasetsWithCountsAndTheImageGrid(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        assertEquals("Datasets", robot.lookup("#navigation").queryAs(ListView.class).getSelectionModel().getSelectedItem());
        TableView<DatasetSummary> table = robot.lookup("#datasetTable").queryTableView();
        assertEquals(1, table.getItems().size());
        DatasetSummary d = table.getItems().get(0);
        assertEquals("koniq", d.name());
        assertEquals(6, d.count());
        assertEquals(12, d.traces());
        assertEquals(List.of("Dataset", "Images", "Traces"), table.getColumns().stream().map(c -> c.getText()).toList(),
                "three columns fit the pane; the rest is the details line");
        FxTestSupport.waitFor(() -> !robot.lookup("#datasetDetails").queryAs(Label.class).getText().isEmpty());
        String details = robot.lookup("#datasetDetails").queryAs(Label.class).getText();
        assertTrue(details.contains("labelled") && details.contains("splits: "), details);
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 6);
        assertEquals("6 images", robot.lookup("#imageCount").queryAs(Label.class).getText());
        // the project is remembered
        assertEquals(dir.resolve("demo.rali").toAbsolutePath(), fx.model.recent().list().get(0));

        // filter: test split only
        robot.interact(() -> robot.lookup("#splitFilter").queryComboBox().getSelectionModel().select("test"));
        fx.settle();
        assertEquals(List.of("e.png", "f.png"), view.grid().getItems().stream().map(ProjectQueries.ImageItem::name).toList());
        // filter: MOS range
        robot.interact(() -> robot.lookup("#splitFilter").queryComboBox().getSelectionModel().select(0));
        robot.clickOn("#minMos").write("2.4").clickOn("#maxMos").write("3.1").type(javafx.scene.input.KeyCode.ENTER);
        fx.settle();
        assertEquals(List.of("c.png", "d.png"), view.grid().getItems().stream().map(ProjectQueries.ImageItem::name).toList());
    }

    @Test
    void theImageDetailExcludesAnImageFromTheStagesAndIncludesItAgain(FxRobot robot) throws Exception {
        Path project = Fixtures.project(dir);
        fx.open(robot, project);
        robot.interact(() -> dev.rali.app.views.ImageDetailPane.open(fx.ctx, 3));
        FxTestSupport.waitFor(() -> robot.lookup("#excludeImage").tryQuery().isPresent());
        javafx.scene.control.Button exclude = robot.lookup("#excludeImage").queryButton();
        assertEquals("Exclude image", exclude.getText());
        robot.interact(exclude::fire);
        fx.settle();
        assertEquals("Include image", exclude.getText());
        assertTrue(robot.lookup("left out — excluded by the user").tryQuery().isPresent());
        try (var store = dev.rali.engine.project.ProjectStore.open(project)) {
            assertEquals(List.of("a.png", "b.png", "d.png", "e.png", "f.png"),
                    dev.rali.engine.dataset.Datasets.images(store, "koniq", null).stream().map(r -> r.name()).toList());
        }
        robot.interact(exclude::fire);
        fx.settle();
        assertEquals("Exclude image", exclude.getText());
        try (var store = dev.rali.engine.project.ProjectStore.open(project)) {
            assertEquals(6, dev.rali.engine.dataset.Datasets.images(store, "koniq", null).size());
        }
        robot.interact(() -> exclude.getScene().getWindow().hide());
    }

    @Test
    void importShowsTheValidationReportAndTheNewDataset(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        Path folder = Files.createDirectories(dir.resolve("newdata"));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        robot.interact(() -> view.runImport(new DatasetImportAction.ImportSpec("csv", folder, "mine")));
        fx.settle();
        assertEquals(1, imported.size());
        TextArea report = robot.lookup("#importReport").queryAs(TextArea.class);
        assertTrue(report.getText().contains("2 rows skipped: missing file"), report.getText());
        TableView<DatasetSummary> table = robot.lookup("#datasetTable").queryTableView();
        FxTestSupport.waitFor(() -> table.getItems().size() == 2);

        // a folder that does not exist is reported, the importer is not called
        robot.interact(() -> view.runImport(new DatasetImportAction.ImportSpec("csv", dir.resolve("nope"), "x")));
        assertTrue(report.getText().contains("does not exist"));
        assertEquals(1, imported.size());
        assertFalse(fx.dialogs.stream().anyMatch(s -> s.contains("failed")), fx.dialogs.toString());
    }
}
