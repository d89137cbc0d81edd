package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.MetricPlots;
import dev.rali.app.views.PipelineView;
import dev.rali.app.views.RunCompareDialog;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.project.Runs.RunItem;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Issue 17's Pipeline defects (1, 3, 4, 5) and expectations, driven through the real view over a recording fake. */
@ExtendWith(ApplicationExtension.class)
class PipelineFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final RecordingPipeline pipeline = new RecordingPipeline();
    final List<String> exported = new CopyOnWriteArrayList<>();

    /** Records a run the way RaliPipeline does (resume → parent link, cancelled/failed/done) and emits metrics. */
    static final class RecordingPipeline implements PipelineService {
        volatile List<String[]> metrics = List.of(new String[] {"align/train_loss", "1", "0.9"},
                new String[] {"align/train_loss", "2", "0.5"});
        volatile CountDownLatch gate;
        /** With a gate: how many metrics are emitted before waiting on it (1 = after the first). */
        volatile int holdAfter = 1;
        volatile boolean held;
        volatile RuntimeException failWith;
        volatile PipelineParams lastParams;

        @Override
        public List<String> stages() {
            return List.of("align", "embed", "head", "evaluate");
        }

        @Override
        public long run(ProjectStore store, String stage, PipelineParams params, TaskContext ctx) throws Exception {
            lastParams = params;
            try (RunRecords run = RunRecords.resume(store, stage.equals("all") ? "pipeline" : stage, params.toJson(),
                    params.run().seed())) {
                TaskContext rctx = run.context(ctx);
                try {
                    rctx.progress(stage, 0, -1, "starting");
                    if (failWith != null) {
                        throw failWith;
                    }
                    List<String[]> ms = metrics;
                    for (int i = 0; i < ms.size(); i++) {
                        String[] m = ms.get(i);
                        rctx.metric(m[0], Long.parseLong(m[1]), Double.parseDouble(m[2]));
                        rctx.progress(stage, i + 1, ms.size() + ms.size() / 2, m[0] + " " + m[1]);
                        if (gate != null && i + 1 == holdAfter) {
                            run.flush();
                            held = true;
                            gate.await();
                        }
                        rctx.checkCancelled();
                    }
                    run.finish(RunRecords.DONE, "ok");
                    return run.runId();
                } catch (dev.rali.engine.task.CancelledException e) {
                    run.finish(RunRecords.CANCELLED, "cancelled; re-run to resume");
                    throw e;
                } catch (RuntimeException e) {
                    run.finish(RunRecords.FAILED, e.getMessage());
                    throw e;
                }
            }
        }
    }

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(PipelineService.class, pipeline)
                .with(BundleExportAction.class, (store, run, out) -> exported.add(run + " → " + out)).build());
    }

    @AfterEach
    void stop() throws Exception {
        PipelineView.headlessChooserForTests(null);
        fx.stop();
    }

    private PipelineView open(FxRobot robot, Path project) throws Exception {
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        return fx.window.view(PipelineView.TITLE);
    }

    /** A project with the demo's settings (18 epochs, lr 2e-3, PCA 16, 15 buckets) recorded as its newest run. */
    private Path projectWithRun() throws Exception {
        Path file = Fixtures.project(dir);
        PipelineParams demo = PipelineParams.defaults().with(ParamKeys.ALIGNMENT_EPOCHS, 18)
                .with(ParamKeys.ALIGNMENT_LR, 2e-3).with(ParamKeys.COMPRESSION_DIM, 16).with(ParamKeys.BUCKETS, 15);
        try (ProjectStore store = ProjectStore.open(file);
             RunRecords run = RunRecords.begin(store, "pipeline", demo.toJson(), 42L)) {
            run.finish(RunRecords.DONE, "average PLCC 0.8");
        }
        return file;
    }

    private static String status(List<RunItem> items, long id) {
        return items.stream().filter(r -> r.id() == id).map(RunItem::status).findFirst().orElse("(absent)");
    }

    @Test
    void theFormStartsFromTheProjectsNewestRunWithPaperDifferencesMarked(FxRobot robot) throws Exception {
        PipelineView view = open(robot, projectWithRun());
        FxTestSupport.waitFor(() -> view.formSource().startsWith("From run 3"));
        assertEquals(18, view.params().get(ParamKeys.ALIGNMENT_EPOCHS));
        assertEquals(15, view.params().get(ParamKeys.BUCKETS));
        assertEquals(List.of("alignment.lr", "alignment.epochs", "compression.dim", "bases.buckets"),
                view.changedFromPaper());
        assertTrue(view.formSource().endsWith("4 settings differ from the paper (bold)"), view.formSource());
        assertTrue(robot.lookup("#label-bases-buckets").queryAs(Label.class).getStyleClass().contains("param-changed"));
        assertFalse(robot.lookup("#label-bases-count").queryAs(Label.class).getStyleClass().contains("param-changed"));
        // editing one more setting marks it at once; running uses the run's settings plus the edit
        robot.interact(() -> robot.lookup("#param-bases-count").queryAs(TextField.class).setText("30"));
        assertTrue(view.changedFromPaper().contains("bases.count"));
        robot.interact(() -> robot.lookup("#stageChoice").queryComboBox().getSelectionModel().select("head"));
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals(PipelineParams.defaults().with(ParamKeys.ALIGNMENT_EPOCHS, 18).with(ParamKeys.ALIGNMENT_LR, 2e-3)
                .with(ParamKeys.COMPRESSION_DIM, 16).with(ParamKeys.BUCKETS, 15).with(ParamKeys.BASES_COUNT, 30),
                pipeline.lastParams);
        // paper defaults, then "load parameters from run N" again
        robot.clickOn("#resetParams");
        assertEquals(List.of(), view.changedFromPaper());
        assertTrue(view.formSource().startsWith("Paper defaults"), view.formSource());
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 4);
        RunItem three = view.runs().getItems().stream().filter(r -> r.id() == 3).findFirst().orElseThrow();
        robot.interact(() -> view.loadParams(three));
        assertEquals(16, view.params().get(ParamKeys.COMPRESSION_DIM));
        assertEquals(PipelineParams.defaults().get(ParamKeys.BASES_COUNT), view.params().get(ParamKeys.BASES_COUNT),
                "run 3's value, not the edit made for run 4");
        assertTrue(view.formSource().startsWith("From run 3 (pipeline, done)"), view.formSource());
    }

    @Test
    void theFormSkipsNewerAblationsAndSweepPointsAndSaysWhichRunItCameFrom(FxRobot robot) throws Exception {
        Path file = projectWithRun(); // run 3: the demo's full settings
        long sweepId;
        long sweepRun;
        try (ProjectStore store = ProjectStore.open(file)) {
            // as on the demo project: the Table 4 ablations run after the full model, the last one newest
            try (RunRecords run = RunRecords.begin(store, "pipeline",
                    PipelineParams.ablation("no_score_definition").toJson(), 42L)) {
                run.finish(RunRecords.DONE, "ablation");
            }
            try (RunRecords run = RunRecords.begin(store, "pipeline",
                    PipelineParams.defaults().with(ParamKeys.BASES_COUNT, 7).toJson(), 42L)) {
                sweepRun = run.runId();
                run.finish(RunRecords.DONE, "sweep point");
            }
            var sweeps = new dev.rali.engine.project.SweepRecords(store);
            sweepId = sweeps.create("bases", "grid", "{}", List.of(new dev.rali.engine.project.SweepRecords.NewPoint(
                    0, 42L, "{\"bases.count\":7}", PipelineParams.defaults().with(ParamKeys.BASES_COUNT, 7).toJson())));
            sweeps.linkRun(sweeps.points(sweepId).get(0).id(), sweepRun);
        }
        PipelineView view = open(robot, file);
        FxTestSupport.waitFor(() -> view.formSource().startsWith("From run"));
        assertTrue(view.formSource().startsWith("From run 3 (pipeline, done) — the newest full run (run 5, a sweep "
                + "point is newer)"), view.formSource());
        assertEquals("full", view.params().run().ablation());
        assertEquals(18, view.params().get(ParamKeys.ALIGNMENT_EPOCHS));
        assertEquals(PipelineParams.defaults().get(ParamKeys.BASES_COUNT), view.params().get(ParamKeys.BASES_COUNT),
                "not the sweep point's value");
        // the sweep's run names its sweep and point in Past runs' Parent column
        FxTestSupport.waitFor(() -> view.runs().getItems().stream().anyMatch(r -> r.id() == sweepRun));
        TableColumn<RunItem, ?> parent = view.runs().getColumns().stream().filter(c -> c.getText().equals("Parent"))
                .findFirst().orElseThrow();
        RunItem point = view.runs().getItems().stream().filter(r -> r.id() == sweepRun).findFirst().orElseThrow();
        assertEquals("sweep " + sweepId + " · point 1", parent.getCellData(point));
    }

    @Test
    void withOnlyAnAblationRecordedTheFormStartsFromItAndSaysSo(FxRobot robot) throws Exception {
        Path file = Fixtures.project(dir); // runs 1, 2 carry no pipeline parameters
        try (ProjectStore store = ProjectStore.open(file);
             RunRecords run = RunRecords.begin(store, "pipeline", PipelineParams.ablation("no_pca").toJson(), 1L)) {
            run.finish(RunRecords.DONE, "ablation");
        }
        PipelineView view = open(robot, file);
        FxTestSupport.waitFor(() -> view.formSource().startsWith("From run"));
        assertTrue(view.formSource().startsWith("From run 3 (pipeline, done) — run 3, ablation no_pca; no full run "
                + "yet"), view.formSource());
        assertFalse(view.params().rali().compression.enabled);
    }

    @Test
    void theProgressBarStopsWhenARunFails(FxRobot robot) throws Exception {
        PipelineView view = open(robot, Fixtures.project(dir));
        pipeline.failWith = new IllegalStateException("the aligned encoder for these parameters does not exist yet");
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals("failed", robot.lookup("#runStatus").queryAs(Label.class).getText());
        assertFalse(view.progress().isIndeterminate(), "a failed run must not leave the bar animating");
        assertEquals(0.0, view.progress().getProgress());
        pipeline.failWith = null;
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals("succeeded", robot.lookup("#runStatus").queryAs(Label.class).getText());
        assertEquals(1.0, view.progress().getProgress());
    }

    @Test
    void aCancelledRunShowsCancelledAndTheResumedRunLinksToIt(FxRobot robot) throws Exception {
        PipelineView view = open(robot, Fixtures.project(dir));
        CountDownLatch release = new CountDownLatch(1);
        pipeline.gate = release;
        robot.interact(() -> robot.lookup("#stageChoice").queryComboBox().getSelectionModel().select("align"));
        robot.clickOn("#runStage");
        // while it runs, the poll shows the run as running in Past runs
        FxTestSupport.waitFor(() -> "running".equals(status(view.runs().getItems(), 3)));
        robot.clickOn("#cancelStage");
        release.countDown();
        fx.settle();
        assertEquals("cancelled", robot.lookup("#runStatus").queryAs(Label.class).getText());
        assertFalse(view.progress().isIndeterminate());
        FxTestSupport.waitFor(() -> "cancelled".equals(status(view.runs().getItems(), 3)));
        pipeline.gate = null;
        robot.clickOn("#runStage");
        fx.settle();
        FxTestSupport.waitFor(() -> "done".equals(status(view.runs().getItems(), 4)));
        RunItem resumed = view.runs().getItems().get(0);
        assertEquals(4, resumed.id());
        assertEquals(3L, resumed.parentRun());
        assertEquals("↳ run 3", view.runs().getColumns().stream().filter(c -> c.getText().equals("Parent"))
                .findFirst().orElseThrow().getCellData(0));
    }

    @Test
    void aRunWrittenByAnotherProcessShowsUpAndItsPlotFollowsNewSteps(FxRobot robot) throws Exception {
        Path project = Fixtures.project(dir);
        PipelineView view = open(robot, project);
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 2);
        // what `rali run` in a terminal does: its own connection, committing metric batches as it goes
        try (ProjectStore cli = ProjectStore.open(project);
             RunRecords run = RunRecords.begin(cli, "align", PipelineParams.defaults().toJson(), 1L)) {
            run.metric("align/train_loss", 1, 0.8);
            run.metric("align/train_loss", 2, 0.7);
            run.flush();
            FxTestSupport.waitFor(() -> "running".equals(status(view.runs().getItems(), run.runId())));
            String label = "run " + run.runId();
            FxTestSupport.waitFor(() -> view.plots().points(label, "align/train_loss").size() == 2);
            run.metric("align/train_loss", 3, 0.6);
            run.metric("align/val_loss", 3, 0.65);
            run.flush();
            FxTestSupport.waitFor(() -> view.plots().points(label, "align/train_loss").size() == 3);
            assertEquals(0.65, view.plots().points(label, "align/val_loss").get(3L), 1e-12);
            long before = fx.model.runsRevisionProperty().get();
            run.finish(RunRecords.DONE, "ok");
            FxTestSupport.waitFor(() -> "done".equals(status(view.runs().getItems(), run.runId())));
            // the views that list runs (Results, Sweeps, Bases) are told: the status changed
            FxTestSupport.waitFor(() -> fx.model.runsRevisionProperty().get() > before);
        }
    }

    @Test
    void eachMetricGroupGetsItsOwnPanelAxisAndStepUnit(FxRobot robot) throws Exception {
        PipelineView view = open(robot, Fixtures.project(dir));
        List<String[]> ms = new ArrayList<>();
        for (int s = 1; s <= 40; s++) {
            ms.add(new String[] {"align/train_loss", "" + s, "" + (2.0 / s + (s % 2) * 0.3)});
        }
        for (int e = 1; e <= 5; e++) {
            ms.add(new String[] {"score_definition/val_plcc", "" + e, "" + (0.1 * e - 0.2)});
            ms.add(new String[] {"score_definition/val_loss", "" + e, "" + (1.0 / e)});
        }
        ms.add(new String[] {"bases/count", "0", "30"});
        ms.add(new String[] {"pca/explained_variance_ratio", "0", "0.93"});
        pipeline.metrics = ms;
        robot.clickOn("#runStage");
        fx.settle();
        MetricPlots plots = view.plots();
        assertEquals(List.of("alignment-loss", "head-epoch-loss", "validation"), plots.panelIds(),
                "bases/count and the variance ratio are final values, not curves on a loss axis");
        assertEquals("alignment step", plots.chart("alignment-loss").getXYPlot().getDomainAxis().getLabel());
        assertEquals("score-definition epoch", plots.chart("validation").getXYPlot().getDomainAxis().getLabel());
        assertEquals("30", robot.lookup("#final-0-bases-count").queryAs(Label.class).getText());
        assertEquals("0.9300", robot.lookup("#final-0-pca-explained_variance_ratio").queryAs(Label.class).getText());
        // smoothing: the shown curve is the EMA of the raw one, raw stays behind it
        XYSeriesCollection shown = (XYSeriesCollection) plots.chart("alignment-loss").getXYPlot().getDataset(0);
        double[] raw = plots.points(PipelineView.LIVE, "align/train_loss").values().stream()
                .mapToDouble(Double::doubleValue).toArray();
        robot.interact(() -> plots.smoothing().setValue(0.9));
        shown = (XYSeriesCollection) plots.chart("alignment-loss").getXYPlot().getDataset(0);
        assertEquals(MetricPlots.ema(raw, 0.9)[39], shown.getSeries(0).getY(39).doubleValue(), 1e-12);
        assertEquals(1, ((XYSeriesCollection) plots.chart("alignment-loss").getXYPlot().getDataset(1)).getSeriesCount());
        robot.interact(() -> plots.smoothing().setValue(0));
        shown = (XYSeriesCollection) plots.chart("alignment-loss").getXYPlot().getDataset(0);
        assertEquals(raw[39], shown.getSeries(0).getY(39).doubleValue(), 1e-12);
        // log scale: the losses get a log axis, the correlations (negative values) stay linear
        robot.interact(() -> plots.logScale().setSelected(true));
        assertTrue(plots.chart("alignment-loss").getXYPlot().getRangeAxis() instanceof LogAxis);
        assertTrue(plots.chart("validation").getXYPlot().getRangeAxis() instanceof NumberAxis);
        // toggles: hiding val_plcc removes its panel
        robot.interact(() -> plots.setVisible("score_definition/val_plcc", false));
        assertEquals(List.of("alignment-loss", "head-epoch-loss"), plots.panelIds());
        robot.interact(() -> plots.setVisible("score_definition/val_plcc", true));
        assertEquals(3, plots.panelIds().size());
    }

    @Test
    void emaIsTensorBoardsDebiasedMovingAverage() {
        double[] s = MetricPlots.ema(new double[] {1, 1, 1}, 0.6);
        assertEquals(1.0, s[0], 1e-12, "debiased: a constant stays constant from the first point");
        assertEquals(1.0, s[2], 1e-12);
        double[] t = MetricPlots.ema(new double[] {0, 10}, 0.5);
        assertEquals(0.0, t[0], 1e-12);
        assertEquals((0.5 * 0.5 * 0 + 0.5 * 10) / (1 - 0.25), t[1], 1e-12);
        assertEquals(3.0, MetricPlots.ema(new double[] {3}, 0)[0]);
    }

    @Test
    void runsGetTheNameAndTagsTypedForThemAndCanBeRenamed(FxRobot robot) throws Exception {
        PipelineView view = open(robot, Fixtures.project(dir));
        robot.interact(() -> {
            robot.lookup("#runName").queryAs(TextField.class).setText("lr sweep");
            robot.lookup("#runTags").queryAs(TextField.class).setText("sweep, koniq");
        });
        robot.clickOn("#runStage");
        fx.settle();
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 3);
        RunItem r = view.runs().getItems().get(0);
        assertEquals("lr sweep", r.name());
        assertEquals(List.of("sweep", "koniq"), r.tags());
        robot.interact(() -> view.labelRun(r, "baseline", "paper"));
        FxTestSupport.waitFor(() -> "baseline".equals(view.runs().getItems().get(0).name()));
        assertEquals(List.of("paper"), view.runs().getItems().get(0).tags());
        assertEquals("full", view.runs().getColumns().stream().filter(c -> c.getText().equals("Ablation"))
                .findFirst().orElseThrow().getCellData(0));
    }

    @Test
    void exportBundleWritesTheChosenRunWhereTheUserSaysStartingInTheProjectFolder(FxRobot robot) throws Exception {
        Path project = projectWithRun();
        PipelineView view = open(robot, project);
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 3);
        List<String> asked = new CopyOnWriteArrayList<>();
        Path out = dir.resolve("exports/run-3.rali-model");
        PipelineView.headlessChooserForTests((kind, initial) -> {
            asked.add(kind + " in " + initial);
            return out;
        });
        robot.interact(() -> view.runs().getSelectionModel().select(0));
        robot.clickOn("#exportBundle");
        fx.settle();
        assertEquals(List.of("bundle:run-3.rali-model in " + project.toAbsolutePath().getParent()), asked);
        assertEquals(List.of("3 → " + out), exported);
        assertTrue(fx.dialogs.get(0).startsWith("Bundle exported: run 3 → " + out), fx.dialogs.toString());
        // the encoder picker fills the base encoder field
        Path clip = dir.resolve("clip");
        PipelineView.headlessChooserForTests((kind, initial) -> kind.equals("encoder") ? clip : null);
        FxTestSupport.waitFor(() -> robot.lookup("#browseEncoder").tryQuery().isPresent());
        robot.interact(() -> robot.lookup("#browseEncoder").queryButton().fire());
        assertEquals(clip.toString(), view.params().get(ParamKeys.ENCODER_BASE));
        assertTrue(view.changedFromPaper().contains("encoder.base"));
    }

    @Test
    void comparingThreeRunsShowsAColumnPerRunAndTheirCurvesInTheSamePanels(FxRobot robot) throws Exception {
        PipelineView view = open(robot, Fixtures.project(dir));
        for (int i = 0; i < 2; i++) {
            pipeline.metrics = List.of(new String[] {"align/train_loss", "1", "" + (0.9 - i * 0.1)},
                    new String[] {"score_definition/val_srcc", "1", "0." + (5 + i)});
            int n = i;
            robot.interact(() -> robot.lookup("#param-bases-count").queryAs(TextField.class).setText("" + (20 + n)));
            robot.clickOn("#runStage");
            fx.settle();
        }
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 4);
        robot.interact(() -> view.runs().getSelectionModel().selectRange(0, 3));
        assertFalse(robot.lookup("#compareRuns").queryButton().isDisabled());
        List<RunItem> three = List.copyOf(view.runs().getSelectionModel().getSelectedItems());
        assertEquals(3, three.size());
        List<Map<String, List<dev.rali.engine.project.Runs.MetricPoint>>> metrics = new ArrayList<>();
        for (RunItem r : three) {
            metrics.add(fx.model.queries().runs().metrics(r.id()));
        }
        javafx.scene.control.SplitPane content = WaitForAsyncUtils.asyncFx(() -> RunCompareDialog.content(three,
                metrics)).get();
        MetricPlots plots = (MetricPlots) content.getUserData();
        assertEquals(List.of("run 4", "run 3", "run 2"), plots.runs());
        assertEquals(List.of("alignment-loss", "validation", "other-loss"), plots.panelIds());
        javafx.scene.control.TableView<?> table = (javafx.scene.control.TableView<?>)
                ((javafx.scene.layout.VBox) content.getItems().get(0)).getChildren().get(1);
        assertEquals(4, table.getColumns().size(), "the parameter column and one per run");
        assertNotNull(plots.chart("alignment-loss"));
        assertNotEquals(0, plots.points("run 4", "align/train_loss").size());
    }

    @Test
    void aProjectOpensOnTheCurvesOfTheRunItsFormStartsFrom(FxRobot robot) throws Exception {
        Path file = Fixtures.project(dir);
        try (ProjectStore store = ProjectStore.open(file);
             RunRecords run = RunRecords.begin(store, "pipeline", PipelineParams.defaults().toJson(), 42L)) {
            for (int step = 1; step <= 5; step++) {
                run.metric("align/train_loss", step, 2.0 / step);
            }
            run.finish(RunRecords.DONE, "average PLCC 0.8");
        }
        PipelineView view = open(robot, file);
        FxTestSupport.waitFor(() -> !view.plots().runs().isEmpty());
        String label = view.plots().runs().get(0);
        assertEquals(5, view.plots().points(label, "align/train_loss").size(), label);
    }

    @Test
    void openingAnotherProjectShowsNothingOfThePreviousOne(FxRobot robot) throws Exception {
        PipelineView view = open(robot, projectWithRun());
        FxTestSupport.waitFor(() -> view.formSource().startsWith("From run 3"));
        pipeline.failWith = new IllegalStateException("no base encoder");
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals("failed", robot.lookup("#runStatus").queryAs(Label.class).getText());
        assertTrue(view.logText().contains("failed: no base encoder"), view.logText());
        java.nio.file.Path other = java.nio.file.Files.createDirectories(dir.resolve("other"));
        fx.open(robot, other.resolve("empty.rali"));
        FxTestSupport.waitFor(() -> view.runs().getItems().isEmpty());
        assertEquals("", robot.lookup("#runStatus").queryAs(Label.class).getText());
        assertEquals("", view.logText());
        assertEquals(List.of(), view.plots().runs());
        assertEquals(0.0, view.progress().getProgress());
        assertTrue(view.formSource().startsWith("Paper defaults"), view.formSource());
        assertEquals(PipelineParams.defaults(), view.params());
    }
}
