package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.stage.Stage;
import org.controlsfx.control.GridCell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Issue 17: the Datasets view's field sidebar, sorting by a field, and captions that keep the distortion. */
@ExtendWith(ApplicationExtension.class)
class DatasetFieldsFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    static final String[] TYPES = {"gaussian_blur", "jpeg", "saturation_decrease"};
    static final String[] REFS = {"astronaut", "hubble_deep_field"};

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().build());
        stage.setWidth(1024);
        stage.setHeight(700);
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    /**
     * A sample-like dataset: 2 references, each pristine and with 3 types × levels 1, 2, 10 (10 checks the numeric
     * order), named as the sample builder names them, reference and distortion stored as the csv layout stores them.
     */
    private Path project() throws Exception {
        return project(false);
    }

    /** {@code columns}: every image also has an imported "camera" column (A for odd ids, B for even). */
    private Path project(boolean columns) throws Exception {
        Path file = dir.resolve("fields.rali");
        try (ProjectStore store = ProjectStore.open(file)) {
            store.inTransaction(c -> {
                c.createStatement().execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'sample', 'csv')");
                try (PreparedStatement img = c.prepareStatement("INSERT INTO images(id, dataset_id, path, name, "
                        + "content_hash, split, reference, distortion, fields_json) VALUES (?, 1, ?, ?, 'h', ?, ?, ?, ?)");
                     PreparedStatement mos = c.prepareStatement("INSERT INTO mos(image_id, raw, normalised) VALUES (?, ?, ?)")) {
                    long id = 0;
                    for (String ref : REFS) {
                        List<String> ds = new ArrayList<>();
                        ds.add(null);
                        for (String t : TYPES) {
                            for (int level : new int[] {1, 2, 10}) {
                                ds.add(t + "_" + level);
                            }
                        }
                        for (String d : ds) {
                            id++;
                            String name = "images/" + ref + (d == null ? "" : "__" + d) + ".png";
                            Path png = Fixtures.png(dir.resolve(name), (int) (id * 7 % 255));
                            img.setLong(1, id);
                            img.setString(2, png.toString());
                            img.setString(3, name);
                            img.setString(4, ref.equals("astronaut") ? "train" : "test");
                            img.setString(5, ref);
                            img.setString(6, d);
                            img.setString(7, columns ? "{\"camera\":\"" + (id % 2 == 1 ? "A" : "B") + "\"}" : null);
                            img.executeUpdate();
                            mos.setLong(1, id);
                            mos.setDouble(2, 5 - id * 0.1);
                            mos.setDouble(3, 5 - id * 0.1);
                            mos.executeUpdate();
                        }
                    }
                }
                return null;
            });
        }
        return file;
    }

    private List<String> names(DatasetsView view) {
        return view.grid().getItems().stream().map(i -> i.name()).toList();
    }

    @Test
    void theSidebarListsEachFieldWithCountsAndTickedValuesFilterTheGrid(FxRobot robot) throws Exception {
        fx.open(robot, project());
        robot.interact(() -> fx.window.select(DatasetsView.TITLE));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 20 && !view.sidebar().isEmpty());
        Map<String, List<String>> sidebar = view.sidebar();
        assertEquals(List.of(ProjectQueries.FIELD_TYPE, ProjectQueries.FIELD_LEVEL, ProjectQueries.FIELD_REFERENCE),
                List.copyOf(sidebar.keySet()), "split has its own selector");
        assertEquals(List.of("(none)  2", "gaussian_blur  6", "jpeg  6", "saturation_decrease  6"),
                sidebar.get(ProjectQueries.FIELD_TYPE));
        assertEquals(List.of("(none)  2", "1  6", "2  6", "10  6"), sidebar.get(ProjectQueries.FIELD_LEVEL),
                "levels in numeric order");
        assertEquals(List.of("astronaut  10", "hubble_deep_field  10"), sidebar.get(ProjectQueries.FIELD_REFERENCE));

        // one value; a second value of the same field widens; another field narrows; split combines
        robot.interact(() -> view.choose(ProjectQueries.FIELD_TYPE, "jpeg", true));
        fx.settle();
        assertEquals(6, view.grid().getItems().size());
        assertTrue(names(view).stream().allMatch(n -> n.contains("__jpeg_")), names(view).toString());
        robot.interact(() -> view.choose(ProjectQueries.FIELD_TYPE, "gaussian_blur", true));
        fx.settle();
        assertEquals(12, view.grid().getItems().size());
        robot.interact(() -> view.choose(ProjectQueries.FIELD_LEVEL, "10", true));
        fx.settle();
        assertEquals(List.of("images/astronaut__gaussian_blur_10.png", "images/astronaut__jpeg_10.png",
                "images/hubble_deep_field__gaussian_blur_10.png", "images/hubble_deep_field__jpeg_10.png"), names(view));
        robot.interact(() -> robot.lookup("#splitFilter").queryComboBox().getSelectionModel().select("test"));
        fx.settle();
        assertEquals(List.of("images/hubble_deep_field__gaussian_blur_10.png", "images/hubble_deep_field__jpeg_10.png"),
                names(view));
        assertEquals("2 images", robot.lookup("#imageCount").queryAs(Label.class).getText());
        // a tick in the sidebar does the same as choose()
        robot.interact(() -> robot.lookup("#splitFilter").queryComboBox().getSelectionModel().select(0));
        robot.clickOn("#clearFields");
        fx.settle();
        assertEquals(20, view.grid().getItems().size());
        robot.clickOn(robot.lookup("#field-distortion-level").lookup(".check-box").nth(0).queryAs(Node.class));
        fx.settle();
        assertEquals(List.of("images/astronaut.png", "images/hubble_deep_field.png"), names(view),
                "(none): the pristine references");
    }

    @Test
    void theGridSortsByAFieldWithLevelsInNumericOrder(FxRobot robot) throws Exception {
        fx.open(robot, project());
        robot.interact(() -> fx.window.select(DatasetsView.TITLE));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 20);
        robot.interact(() -> robot.lookup("#imageSort").queryComboBox().setValue(ProjectQueries.FIELD_LEVEL));
        List<String> levels = view.grid().getItems().stream()
                .map(i -> ProjectQueries.distortionLevel(i.distortion())).toList();
        assertEquals(List.of("", "", "1", "1", "1", "1", "1", "1", "2", "2", "2", "2", "2", "2",
                "10", "10", "10", "10", "10", "10"), levels);
    }

    @Test
    void anImportedColumnIsASidebarFieldAndASortOrder(FxRobot robot) throws Exception {
        fx.open(robot, project(true));
        robot.interact(() -> fx.window.select(DatasetsView.TITLE));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 20);
        FxTestSupport.waitFor(() -> robot.lookup("#imageSort").queryComboBox().getItems().contains("column: camera"));
        robot.interact(() -> robot.lookup("#imageSort").queryComboBox().setValue("column: camera"));
        List<String> cams = view.grid().getItems().stream().map(i -> i.columns().get("camera")).toList();
        assertEquals(10, cams.subList(0, 10).stream().filter("A"::equals).count(), "A first: " + cams);
        robot.interact(() -> view.choose("column: camera", "B", true));
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 10);
        assertTrue(view.grid().getItems().stream().allMatch(i -> i.columns().get("camera").equals("B")));
    }

    @Test
    void captionsAt1024By700KeepTheDistortionAndTheTooltipHasTheFullPath(FxRobot robot) throws Exception {
        fx.open(robot, project());
        robot.interact(() -> fx.window.select(DatasetsView.TITLE));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 20);
        fx.settle();
        List<String> problems = new ArrayList<>();
        List<GridCell<?>> cells = new ArrayList<>();
        robot.interact(() -> {
            view.grid().applyCss();
            view.grid().layout();
            for (Node n : view.grid().lookupAll(".thumb-cell")) {
                if (n instanceof GridCell<?> cell && cell.getItem() instanceof ProjectQueries.ImageItem item) {
                    cells.add(cell);
                    Label caption = (Label) cell.lookup(".thumb-caption");
                    String text = caption.getText();
                    if (caption.getWidth() + 0.5 < caption.prefWidth(-1)) {
                        problems.add("'" + text + "' cut by the label (" + Math.round(caption.getWidth()) + " of "
                                + Math.round(caption.prefWidth(-1)) + " px)");
                    }
                    if (text.contains("images/") || text.endsWith(".png")) {
                        problems.add("'" + text + "' shows the folder or the extension");
                    }
                    // a distorted image keeps its distortion (of a very long one at least the last 14 characters:
                    // "…uration_decrease_10"); a pristine one at least its name's end
                    String end = item.distortion() != null
                            ? item.distortion().substring(Math.max(0, item.distortion().length() - 14))
                            : item.reference().substring(item.reference().length() - 6);
                    if (!text.endsWith(end)) {
                        problems.add("'" + text + "' lost the end of " + end);
                    }
                    Tooltip tip = cell.getTooltip();
                    if (tip == null || !tip.getText().contains(item.path().toString())) {
                        problems.add("'" + text + "' has no tooltip with " + item.path());
                    }
                }
            }
        });
        assertFalse(cells.isEmpty(), "no thumbnail cells laid out");
        assertEquals(List.of(), problems);
        // the long ones were cut, and kept their distortion whole
        assertTrue(cells.stream().map(c -> ((Label) c.lookup(".thumb-caption")).getText())
                .anyMatch(t -> t.contains("…") && t.endsWith("gaussian_blur_10")), "a cut caption keeps gaussian_blur_10");
    }
}
