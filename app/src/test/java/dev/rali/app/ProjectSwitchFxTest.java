package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.app.views.PipelineView;
import dev.rali.app.views.TraceAuditView;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ComboBoxBase;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Labeled;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableView;
import javafx.scene.control.TextInputControl;
import javafx.stage.Stage;
import org.controlsfx.control.GridView;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Opening project B after working in project A must leave every view exactly as a window that opened B directly
 * (issue 17, item 2): import report, pipeline log/status/plot, audit selection, results chart, filters. Every view
 * registered on the class path is checked, so a new view that keeps the previous project's state fails here.
 */
@ExtendWith(ApplicationExtension.class)
class ProjectSwitchFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final Fixtures.FakePipeline pipeline = new Fixtures.FakePipeline(5);
    AppServices services;
    Stage freshStage;
    FxTaskExecutor freshTasks;
    ProjectModel freshModel;

    @Start
    void start(Stage stage) {
        DatasetImportAction importer = new DatasetImportAction() {
            @Override
            public List<String> layouts() {
                return List.of("folder");
            }

            @Override
            public String importDataset(ProjectStore store, ImportSpec spec, dev.rali.engine.task.TaskContext c) {
                return "Imported 3 images into 'alphaimport' from project A";
            }
        };
        services = AppServices.builder().with(PipelineService.class, pipeline)
                .with(DatasetImportAction.class, importer)
                .with(ScorerFactory.class, bundle -> new Fixtures.FakeScorer()).build();
        fx.start(stage, services);
    }

    @AfterEach
    void stop() throws Exception {
        fx.settle();
        if (freshStage != null) {
            org.testfx.util.WaitForAsyncUtils.waitForAsyncFx(5000, () -> {
                freshModel.close();
                freshStage.hide();
            });
        }
        fx.stop();
    }

    /** A Fixtures project whose dataset and image names carry {@code tag}, so leftovers are easy to spot. */
    static Path project(Path dir, String tag) throws Exception {
        Files.createDirectories(dir);
        Path p = Fixtures.project(dir);
        try (ProjectStore s = ProjectStore.open(p)) {
            s.inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("UPDATE datasets SET name = '" + tag + "set'");
                    st.execute("UPDATE images SET name = '" + tag + "-' || name");
                }
                return null;
            });
        }
        return p;
    }

    @Test
    void everyViewAfterSwitchingProjectsLooksLikeAFreshWindowOnTheNewProject(FxRobot robot) throws Exception {
        Path a = project(dir.resolve("a"), "alpha");
        Path b = project(dir.resolve("b"), "beta");

        // Work in A: a filter, an import report, a pipeline run (log, status, plot), an audited trace, results.
        fx.open(robot, a);
        DatasetsView datasets = fx.window.view(DatasetsView.TITLE);
        robot.interact(() -> datasets.runImport(new DatasetImportAction.ImportSpec("folder", a.getParent(), "x")));
        robot.interact(() -> robot.lookup("#minMos").queryAs(TextInputControl.class).setText("2.5"));
        fx.settle();
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        robot.interact(() -> ((PipelineView) fx.window.view(PipelineView.TITLE)).runStage());
        fx.settle();
        robot.interact(() -> fx.window.select(TraceAuditView.TITLE));
        fx.settle();
        robot.interact(() -> ((TraceAuditView) fx.window.view(TraceAuditView.TITLE)).table().getSelectionModel()
                .clearAndSelect(5));
        for (String title : fx.window.viewTitles()) {
            robot.interact(() -> fx.window.select(title));
            fx.settle();
        }
        assertTrue(String.join("\n", texts(fx.window, "Datasets")).contains("alphaimport"), "setup: report shown");

        fx.open(robot, b);

        // The reference: a second window over the same services and recent list that opened B directly.
        robot.interact(() -> {
            freshTasks = new FxTaskExecutor();
            freshModel = new ProjectModel(new RecentProjects(fx.prefs));
            MainWindow fresh = new MainWindow(new AppContext(freshModel, services, freshTasks));
            freshStage = new Stage();
            freshStage.setScene(RaliApp.scene(fresh));
            freshStage.show();
            freshRef[0] = fresh;
            try {
                freshModel.open(b);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        MainWindow fresh = freshRef[0];
        for (String title : fx.window.viewTitles()) {
            robot.interact(() -> {
                fx.window.select(title);
                fresh.select(title);
            });
            fx.settle();
            FxTestSupport.waitFor(() -> freshTasks.running().isEmpty());
            org.testfx.util.WaitForAsyncUtils.waitForFxEvents(5);
            List<String> switched = texts(fx.window, title);
            List<String> direct = texts(fresh, title);
            String all = String.join("\n", switched);
            assertFalse(all.contains("alpha"), title + " still shows project A:\n" + all);
            assertEquals(direct, switched, title + " after switching differs from a fresh window on project B");
        }
    }

    private final MainWindow[] freshRef = new MainWindow[1];

    /** What a view shows: texts, table/list/grid items, combo values, progress, chart titles and series. */
    static List<String> texts(MainWindow w, String title) {
        List<String> out = new ArrayList<>();
        walk(((dev.rali.app.views.AppView) w.view(title)).node(), out);
        return out;
    }

    private static void walk(Node n, List<String> out) {
        if (!n.isVisible()) {
            return;
        }
        if (n instanceof TableView<?> t) {
            out.add("table " + t.getId() + " " + t.getItems());
            return;
        }
        if (n instanceof ListView<?> l) {
            out.add("list " + l.getId() + " " + l.getItems());
            return;
        }
        if (n instanceof GridView<?> g) {
            out.add("grid " + g.getId() + " " + g.getItems());
            return;
        }
        if (n instanceof ComboBox<?> c) {
            out.add("combo " + c.getId() + " " + c.getValue() + " of " + c.getItems());
            return;
        }
        if (n instanceof ComboBoxBase<?> c) {
            out.add("picker " + c.getId() + " " + c.getValue());
            return;
        }
        if (n instanceof ChartViewer cv) {
            JFreeChart chart = cv.getChart();
            out.add("chart " + (chart.getTitle() == null ? "" : chart.getTitle().getText()));
            if (chart.getPlot() instanceof XYPlot p) {
                for (int d = 0; d < p.getDatasetCount(); d++) {
                    var ds = p.getDataset(d);
                    if (ds != null) {
                        for (int s = 0; s < ds.getSeriesCount(); s++) {
                            out.add("  series " + ds.getSeriesKey(s) + " n=" + ds.getItemCount(s));
                        }
                    }
                }
            }
            return;
        }
        if (n instanceof TextInputControl t) {
            out.add("text " + t.getId() + " " + t.getText());
            return;
        }
        if (n instanceof ProgressIndicator p) {
            out.add("progress " + p.getId() + " " + p.getProgress());
            return;
        }
        if (n instanceof Labeled l && l.getText() != null && !l.getText().isEmpty()) {
            out.add(l.getText());
        }
        if (n instanceof Parent p) {
            for (Node c : p.getChildrenUnmodifiable()) {
                walk(c, out);
            }
        }
    }
}
