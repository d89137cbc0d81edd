package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.SweepsView;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.project.Runs;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.sweep.SweepReport;
import dev.rali.engine.sweep.SweepRunner;
import dev.rali.engine.sweep.SweepService;
import dev.rali.engine.sweep.SweepSpec;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import javafx.scene.control.TableColumn;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The Sweeps view over the engine's sweep rows with a fake-fast runner: curves of the points appear and grow while
 * the sweep runs, then the table (sortable), parallel coordinates (brushable), importance and the best-preset buttons.
 */
@ExtendWith(ApplicationExtension.class)
class SweepsViewFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    /** Released by the test to let the fake sweep continue after point 0. */
    final Semaphore next = new Semaphore(0);
    final List<PipelineParams> pipelineRuns = new CopyOnWriteArrayList<>();
    final FakeFastSweeps sweeps = new FakeFastSweeps();

    /** The engine's sweep service, except that run() fakes each point: 10 epochs of curve, then figures. */
    final class FakeFastSweeps implements SweepService {
        final SweepService engine = SweepService.engine();
        /** Points that train nothing (their head was found finished): no live metrics, a head hit recorded. */
        volatile java.util.Set<Integer> reusedHead = java.util.Set.of();
        /** What curves() returns: the recorded series (the engine fills in a reused head's trainer's curve). */
        volatile Map<Integer, Map<String, List<Runs.MetricPoint>>> recorded = Map.of();
        /** Points at a time each run() was asked for. */
        final List<Integer> asked = new CopyOnWriteArrayList<>();
        /** When > 0: run() says (as the engine does when the heap is short) that it ran only this many at a time. */
        volatile int heapAllows;

        @Override public long create(ProjectStore s, SweepSpec spec) throws Exception { return engine.create(s, spec); }
        @Override public void cancel(ProjectStore s, long id, Integer p) throws Exception { engine.cancel(s, id, p); }
        @Override public List<SweepRecords.Sweep> list(ProjectStore s) throws Exception { return engine.list(s); }
        @Override public SweepReport report(ProjectStore s, long id) throws Exception { return engine.report(s, id); }
        @Override public Map<Integer, Map<String, List<Runs.MetricPoint>>> curves(ProjectStore s, long id) {
            return recorded;
        }
        @Override public String saveBestPreset(ProjectStore s, long id, String n, String m) throws Exception {
            return engine.saveBestPreset(s, id, n, m);
        }
        @Override public PipelineParams preset(ProjectStore s, String n) throws Exception { return engine.preset(s, n); }

        @Override
        public SweepRunner.Summary run(ProjectStore store, long id, int parallel, boolean resume, TaskContext ctx)
                throws Exception {
            SweepRecords rec = new SweepRecords(store);
            asked.add(parallel);
            int used = heapAllows > 0 ? Math.min(parallel, heapAllows) : parallel;
            if (parallel > 1) {
                ctx.log(String.format("sweep: %d point(s) at a time (asked %d; heap allows %d: 900 MiB free / 400 MiB "
                        + "per point)", used, parallel, used));
            }
            rec.requeueUnfinished(id); // as the engine's runner: points a dead process left
            rec.setStatus(id, SweepRecords.RUNNING, null);
            Optional<SweepRecords.Point> p;
            int ran = 0;
            while ((p = rec.takeNext(id)).isPresent()) {
                SweepRecords.Point pt = p.get();
                int k = PipelineParams.fromJson(pt.paramsJson()).get(ParamKeys.BASES_COUNT);
                double target = 0.3 + 0.1 * (k - 5); // bases.count 5, 6, 7 → 0.3, 0.4, 0.5
                boolean reused = reusedHead.contains(pt.index());
                for (int e = 0; e < (reused ? 0 : 10); e++) {
                    ctx.metric(SweepService.pointMetric(pt.index(), SweepRunner.VAL_METRIC), e, target * (e + 1) / 10);
                    Thread.sleep(15);
                }
                if (pt.index() == 0) {
                    next.acquire(); // the test looks at the curves while the sweep is still running
                }
                rec.finishPoint(pt.id(), SweepRecords.DONE, target, target + 0.05, target - 0.05, reused
                        ? "{\"align_hits\":1,\"align_misses\":0,\"embed_hits\":6,\"embed_misses\":0,\"head_hits\":1,"
                        + "\"head_misses\":0}" : null, 0.2, "fake");
                ctx.log("sweep " + id + ": point " + pt.index() + " done in 0.2 s (fake)");
                ran++;
            }
            rec.setStatus(id, SweepRecords.DONE, "fake");
            return new SweepRunner.Summary(id, ran, ran, 0, 0, 0, 0, null, used, SweepRecords.DONE);
        }
    }

    final class RecordingPipeline implements PipelineService {
        @Override public List<String> stages() { return List.of("align", "embed", "head", "evaluate"); }
        @Override public long run(ProjectStore store, String stage, PipelineParams params, TaskContext ctx) {
            pipelineRuns.add(params);
            return 99;
        }
    }

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(SweepService.class, sweeps)
                .with(PipelineService.class, new RecordingPipeline()).build());
    }

    @AfterEach
    void stop() throws Exception {
        next.release(10);
        fx.stop();
    }

    @Test
    void aKeyASettingLeavesUnassignedShowsAsTheBaseValueNotNull() {
        assertEquals("base", dev.rali.app.views.SweepsView.valueText(null));
        assertEquals("16", dev.rali.app.views.SweepsView.valueText(16));
        assertEquals("false", dev.rali.app.views.SweepsView.valueText(false));
    }

    @Test
    void curvesGrowWhileAFakeFastSweepRunsThenTableParallelCoordinatesImportanceAndBestPresetWork(FxRobot robot)
            throws Exception {
        Path project = dir.resolve("p.rali");
        SweepsView view = startGridSweep(robot, project, "bases.count=5,6,7");
        // point 0's curve is drawn while the sweep is still running (it waits for the test)
        FxTestSupport.waitFor(() -> view.curves().getSeriesCount() == 1 && view.curves().getItemCount(0) == 10);
        assertTrue(robot.lookup("#startSweep").queryButton().isDisabled(), "one sweep at a time");
        assertFalse(fx.tasks.running().isEmpty(), "the sweep is still running");
        next.release();
        FxTestSupport.waitFor(() -> view.curves().getSeriesCount() == 3);
        fx.settle();
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 3
                && view.table().getItems().stream().allMatch(s -> s.done() == 1));
        // sortable by any metric: test PLCC, descending → bases.count 7 first
        robot.interact(() -> {
            @SuppressWarnings("unchecked")
            TableColumn<SweepReport.SettingRow, ?> col = (TableColumn<SweepReport.SettingRow, ?>) view.table()
                    .getColumns().stream().filter(c -> "col-test_plcc".equals(c.getId())).findFirst().orElseThrow();
            col.setSortType(TableColumn.SortType.DESCENDING);
            view.table().getSortOrder().setAll(List.of(col));
            view.table().sort();
        });
        assertEquals(7, view.table().getItems().get(0).assignment().get("bases.count"));
        assertEquals("0.550", view.table().getItems().get(0).testPlcc().format());
        // parallel coordinates: one axis per swept key and metric; a brush filters the table
        assertEquals(List.of("bases.count", "val_plcc", "test_plcc", "test_srcc"), view.parallel().axes());
        robot.interact(() -> view.parallel().brush("bases.count", 4.5, 5.5));
        assertEquals(1, view.table().getItems().size());
        assertEquals(5, view.table().getItems().get(0).assignment().get("bases.count"));
        robot.interact(() -> view.parallel().clearBrush());
        assertEquals(3, view.table().getItems().size());
        // importance: the only swept key explains all the variance
        assertEquals(1.0, view.importance().get("bases.count"), 1e-9);
        // best → preset → run with one click
        robot.clickOn("#runBest");
        fx.settle();
        FxTestSupport.waitFor(() -> pipelineRuns.size() == 1);
        assertEquals(7, pipelineRuns.get(0).get(ParamKeys.BASES_COUNT));
        try (ProjectStore store = ProjectStore.open(project)) {
            SweepRecords.Preset p = new SweepRecords(store).preset("best");
            assertTrue(p.source().contains("bases.count=7"), p.source());
        }
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void pointsThatReusedAFinishedHeadShowTheTrainersCurveOrAMarker(FxRobot robot) throws Exception {
        // points 2 and 3 find their heads finished and send no live metrics; the recorded curves (the engine's
        // curves(): the run that trained the head) have point 2's, while point 3's trainer is gone
        sweeps.reusedHead = java.util.Set.of(2, 3);
        List<Runs.MetricPoint> trainer = new java.util.ArrayList<>();
        for (int e = 0; e < 10; e++) {
            trainer.add(new Runs.MetricPoint(e, 0.05 * (e + 1)));
        }
        sweeps.recorded = Map.of(2, Map.of(SweepRunner.VAL_METRIC, trainer));
        next.release(10);
        Path project = dir.resolve("r.rali");
        SweepsView view = startGridSweep(robot, project, "bases.count=5,6,7,8");
        fx.settle();
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 4
                && view.table().getItems().stream().allMatch(s -> s.done() == 1));
        FxTestSupport.waitFor(() -> view.curves().getSeriesCount() == 4);
        Map<String, Integer> items = new java.util.TreeMap<>();
        for (int i = 0; i < view.curves().getSeriesCount(); i++) {
            items.put(String.valueOf(view.curves().getSeriesKey(i)), view.curves().getItemCount(i));
        }
        assertEquals(Map.of("p0 " + SweepRunner.VAL_METRIC, 10, "p1 " + SweepRunner.VAL_METRIC, 10,
                "p2 " + SweepRunner.VAL_METRIC, 10, "p3 final", 1), items, "every point is drawn");
        var marker = view.curves().getSeries("p3 final");
        assertEquals(0.6, marker.getY(0).doubleValue(), 1e-9, "point 3 at its final validation PLCC");
        assertEquals(9.0, marker.getX(0).doubleValue(), 1e-9, "at the last epoch of the curves");
        assertEquals(0.5, view.curves().getSeries("p2 " + SweepRunner.VAL_METRIC).getY(9).doubleValue(), 1e-9,
                "point 2 shows its head's trainer's curve");
        assertTrue(view.curveNote().isVisible());
        assertTrue(view.curveNote().getText().contains("dashed: a point that found its head already trained"),
                view.curveNote().getText());
        assertTrue(view.curveNote().getText().contains("■: 1 point(s) without a recorded curve"),
                view.curveNote().getText());
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void anUnknownKeyInTheGridIsReportedAndNothingIsQueued(FxRobot robot) throws Exception {
        Path project = dir.resolve("q.rali");
        startGridSweep(robot, project, "bases.cuont=5,6");
        fx.settle();
        FxTestSupport.waitFor(() -> !fx.dialogs.isEmpty());
        assertTrue(fx.dialogs.get(0).contains("did you mean 'bases.count'"), fx.dialogs.toString());
        try (ProjectStore store = ProjectStore.open(project)) {
            assertTrue(new SweepRecords(store).list().isEmpty());
        }
    }

    /** The points of the project's only sweep, in order, once all are finished. */
    private static List<SweepRecords.Point> finishedPoints(Path project, int count) throws Exception {
        List<List<SweepRecords.Point>> out = new java.util.ArrayList<>();
        FxTestSupport.waitFor(() -> {
            try (ProjectStore store = ProjectStore.open(project)) {
                var rec = new SweepRecords(store);
                if (rec.list().isEmpty()) {
                    return false;
                }
                List<SweepRecords.Point> pts = rec.points(rec.list().get(0).id());
                out.clear();
                out.add(pts);
                return pts.size() == count && pts.stream().allMatch(SweepRecords.Point::finished);
            }
        });
        return out.get(0);
    }

    private static void pipelineRun(ProjectStore store, PipelineParams p) throws Exception {
        try (RunRecords run = RunRecords.begin(store, "pipeline", p.toJson(), p.get(ParamKeys.SEED))) {
            run.finish(RunRecords.DONE, "test run");
        }
    }

    /** The demo's recipe scale (PCA 16, 20 bases, 15 buckets), as the project's full run. */
    static final PipelineParams FULL = PipelineParams.defaults().with(ParamKeys.COMPRESSION_DIM, 16)
            .with(ParamKeys.BASES_COUNT, 20).with(ParamKeys.BUCKETS, 15);

    /** Creates the empty project, opens it, shows the Sweeps view and starts a grid sweep over {@code grid}. */
    private SweepsView startGridSweep(FxRobot robot, Path project, String grid) throws Exception {
        ProjectStore.open(project).close();
        fx.open(robot, project);
        robot.clickOn("Sweeps");
        SweepsView view = fx.window.view(SweepsView.TITLE);
        robot.interact(() -> view.gridField().setText(grid));
        robot.clickOn("#startSweep");
        return view;
    }

    private void chooseKind(FxRobot robot, String kind) {
        robot.interact(() -> robot.lookup("#sweepKind").<String>queryComboBox().setValue(kind));
    }

    @Test
    void table4PresetStartsFromTheNewestFullRunNotANewerAblationSoItsFullRowKeepsTheScoreDefinition(FxRobot robot)
            throws Exception {
        Path project = dir.resolve("t4.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            pipelineRun(store, FULL); // run 1: the researcher's full recipe
            // run 2, newest: the demo's last ablation (score definition off), at the same scale
            pipelineRun(store, PipelineParams.ablation("no_score_definition").with(ParamKeys.COMPRESSION_DIM, 16)
                    .with(ParamKeys.BASES_COUNT, 20).with(ParamKeys.BUCKETS, 15));
        }
        next.release(10);
        fx.open(robot, project);
        robot.clickOn("Sweeps");
        FxTestSupport.waitFor(() -> robot.lookup("#sweepBase").queryAs(javafx.scene.control.Label.class).getText()
                .contains("run 1"));
        chooseKind(robot, "Table 4 ablations");
        robot.clickOn("#startSweep");
        List<SweepRecords.Point> pts = finishedPoints(project, 6);
        Map<String, PipelineParams> byCase = new java.util.HashMap<>();
        for (SweepRecords.Point p : pts) {
            PipelineParams params = PipelineParams.fromJson(p.paramsJson());
            byCase.put(params.run().ablation(), params);
            assertEquals(20, params.get(ParamKeys.BASES_COUNT), "every row keeps the full run's scale");
        }
        assertTrue(byCase.get("full").get(ParamKeys.SCORE_DEFINITION_ENABLED), "the full row has the score definition");
        assertFalse(byCase.get("no_score_definition").get(ParamKeys.SCORE_DEFINITION_ENABLED));
        assertTrue(byCase.get("no_pca").get(ParamKeys.SCORE_DEFINITION_ENABLED), "only its own ablation is off");
        SweepsView view = fx.window.view(SweepsView.TITLE);
        FxTestSupport.waitFor(() -> view.paperTable() != null && view.paperTable().header().contains(
                "paper PLCC / SRCC"));
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void tableA5PresetCapsPcaAtTheEncodersEmbeddingWidthAsTheCliDoes(FxRobot robot) throws Exception {
        Path project = dir.resolve("a5.rali");
        Path enc = java.nio.file.Files.createDirectories(dir.resolve("clip"));
        java.nio.file.Files.writeString(enc.resolve("config.json"), "{\"model_type\": \"clip\", \"projection_dim\": 12}");
        try (ProjectStore store = ProjectStore.open(project)) {
            new ProjectSettings(store).put(ProjectSettings.BASE_ENCODER, enc.toString());
            pipelineRun(store, FULL);
        }
        next.release(10);
        fx.open(robot, project);
        robot.clickOn("Sweeps");
        chooseKind(robot, "Table A.5 sweep");
        robot.clickOn("#startSweep");
        List<SweepRecords.Point> pts = finishedPoints(project, 10);
        // case 10 (M 700) scales to 22 at PCA 16 and is capped at the encoder's 12 dimensions; case 1 (M 256) is 8
        assertEquals(12, PipelineParams.fromJson(pts.get(9).paramsJson()).get(ParamKeys.COMPRESSION_DIM));
        assertEquals(8, PipelineParams.fromJson(pts.get(0).paramsJson()).get(ParamKeys.COMPRESSION_DIM));
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void pointsAtATimeIsPassedToTheRunnerAndALowerCountTheHeapAllowsIsShown(FxRobot robot) throws Exception {
        Path project = dir.resolve("par.rali");
        ProjectStore.open(project).close();
        sweeps.heapAllows = 2;
        next.release(10);
        fx.open(robot, project);
        robot.clickOn("Sweeps");
        SweepsView view = fx.window.view(SweepsView.TITLE);
        robot.interact(() -> {
            view.gridField().setText("bases.count=5,6,7");
            robot.lookup("#sweepParallel").<javafx.scene.control.Spinner<Integer>>query().getValueFactory().setValue(3);
        });
        robot.clickOn("#startSweep");
        finishedPoints(project, 3);
        fx.settle();
        assertEquals(List.of(3), sweeps.asked);
        javafx.scene.control.Label note = robot.lookup("#sweepParallelNote").queryAs(javafx.scene.control.Label.class);
        FxTestSupport.waitFor(() -> note.getText().contains("2 at a time (asked 3"));
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void cancellingOnePointFromTheTablesMenuLeavesItCancelledAndTheOthersRun(FxRobot robot) throws Exception {
        Path project = dir.resolve("cp.rali");
        SweepsView view = startGridSweep(robot, project, "bases.count=5,6,7");
        // point 0 runs (and waits for the test); points 1 and 2 are queued
        FxTestSupport.waitFor(() -> view.curves().getSeriesCount() == 1 && view.table().getItems().size() == 3);
        robot.interact(() -> view.table().getSelectionModel().select(view.table().getItems().stream()
                .filter(r -> r.setting() == 1).findFirst().orElseThrow()));
        javafx.scene.control.ContextMenu menu = view.table().getContextMenu();
        robot.interact(() -> menu.show(view.table(), javafx.geometry.Side.BOTTOM, 0, 0));
        assertEquals(1, menu.getItems().size(), "one unfinished point in setting 1");
        assertTrue(menu.getItems().get(0).getText().startsWith("Cancel point 1 "), menu.getItems().get(0).getText());
        robot.interact(() -> {
            menu.getItems().get(0).fire();
            menu.hide();
        });
        FxTestSupport.waitFor(() -> {
            try (ProjectStore store = ProjectStore.open(project)) {
                return new SweepRecords(store).points(1).get(1).status().equals("cancelled");
            }
        });
        next.release(); // point 0 finishes; the queue goes on without point 1
        List<SweepRecords.Point> pts = finishedPoints(project, 3);
        assertEquals(List.of("done", "cancelled", "done"), pts.stream().map(SweepRecords.Point::status).toList());
        assertEquals("point cancelled", pts.get(1).message());
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void aSweepWhoseProcessDiedOffersResumeOnOpeningAndRunsOnlyWhenAsked(FxRobot robot) throws Exception {
        Path project = dir.resolve("int.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            long id = SweepService.engine().create(store, SweepSpec.grid("g", FULL, "bases.count=5,6,7", 1,
                    SweepSpec.EarlyStop.OFF));
            SweepRecords rec = new SweepRecords(store);
            rec.setStatus(id, SweepRecords.RUNNING, null);
            SweepRecords.Point p0 = rec.takeNext(id).orElseThrow();
            rec.finishPoint(p0.id(), SweepRecords.DONE, 0.3, 0.35, 0.25, null, 0.1, "fake");
            rec.takeNext(id).orElseThrow(); // point 1 was running when the process died (kill -9): rows left as they are
        }
        next.release(10);
        fx.open(robot, project); // its writer lock is free: the sweep and point 1 become interrupted
        robot.clickOn("Sweeps");
        javafx.scene.control.Label banner = robot.lookup("#resumeBannerText").queryAs(javafx.scene.control.Label.class);
        FxTestSupport.waitFor(() -> banner.isVisible() && banner.getText().contains("Sweep 1 (g) was interrupted: 2 of "
                + "3 points left"));
        fx.settle();
        assertTrue(sweeps.asked.isEmpty(), "no work starts without the user");
        robot.clickOn("#resumeBannerButton");
        List<SweepRecords.Point> pts = finishedPoints(project, 3);
        assertEquals(List.of("done", "done", "done"), pts.stream().map(SweepRecords.Point::status).toList());
        assertEquals(1, sweeps.asked.size());
        fx.settle();
        FxTestSupport.waitFor(() -> !robot.lookup("#resumeBanner").query().isVisible());
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }

    @Test
    void randomSearchFromASpaceFileQueuesNDrawsAndABadFileIsNamedInADialog(FxRobot robot) throws Exception {
        Path project = dir.resolve("rnd.rali");
        ProjectStore.open(project).close();
        Path typo = java.nio.file.Files.writeString(dir.resolve("typo.json"), "{\"bases.cuont\": [5, 6]}");
        Path broken = java.nio.file.Files.writeString(dir.resolve("broken.json"), "{\"bases.count\": [5, ");
        Path good = java.nio.file.Files.writeString(dir.resolve("space.json"), "{\"bases.count\": {\"min\": 5, "
                + "\"max\": 7}}");
        next.release(10);
        fx.open(robot, project);
        robot.clickOn("Sweeps");
        chooseKind(robot, "Random…");
        javafx.scene.control.TextField space = robot.lookup("#sweepSpace").queryAs(javafx.scene.control.TextField.class);
        assertTrue(space.isVisible() && !robot.lookup("#sweepGrid").query().isVisible(), "the space replaces the grid");
        robot.interact(() -> space.setText(typo.toString()));
        robot.clickOn("#startSweep");
        FxTestSupport.waitFor(() -> fx.dialogs.size() == 1);
        assertTrue(fx.dialogs.get(0).contains(typo.toString()) && fx.dialogs.get(0).contains(
                "did you mean 'bases.count'"), fx.dialogs.toString());
        robot.interact(() -> space.setText(broken.toString()));
        robot.clickOn("#startSweep");
        FxTestSupport.waitFor(() -> fx.dialogs.size() == 2);
        assertTrue(fx.dialogs.get(1).contains(broken.toString()), fx.dialogs.toString());
        robot.interact(() -> space.setText(dir.resolve("nowhere.json").toString()));
        robot.clickOn("#startSweep");
        FxTestSupport.waitFor(() -> fx.dialogs.size() == 3);
        assertTrue(fx.dialogs.get(2).contains("nowhere.json: no such space file"), fx.dialogs.toString());
        try (ProjectStore store = ProjectStore.open(project)) {
            assertTrue(new SweepRecords(store).list().isEmpty(), "nothing queued for a bad space");
        }
        robot.interact(() -> {
            space.setText(good.toString());
            robot.lookup("#sweepDraws").queryAs(javafx.scene.control.TextField.class).setText("4");
        });
        robot.clickOn("#startSweep");
        List<SweepRecords.Point> pts = finishedPoints(project, 4);
        for (SweepRecords.Point p : pts) {
            int k = PipelineParams.fromJson(p.paramsJson()).get(ParamKeys.BASES_COUNT);
            assertTrue(k >= 5 && k <= 7, "drawn within the space: " + k);
        }
        try (ProjectStore store = ProjectStore.open(project)) {
            assertEquals("random", new SweepRecords(store).list().get(0).kind());
        }
        assertEquals(3, fx.dialogs.size(), fx.dialogs.toString());
        // the draw seed (the CLI's --draw-seed): the same seed draws the same settings, another seed others
        java.util.function.LongFunction<List<String>> drawn = s -> {
            try {
                return SweepsView.random(good.toString(), PipelineParams.defaults(), 6, 1,
                        dev.rali.engine.sweep.SweepSpec.EarlyStop.OFF, s).points().stream()
                        .map(SweepRecords.NewPoint::assignmentJson).toList();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertEquals(drawn.apply(0), drawn.apply(0));
        assertTrue(!drawn.apply(0).equals(drawn.apply(7)), "another draw seed, other settings: " + drawn.apply(7));
        robot.interact(() -> robot.lookup("#sweepDrawSeed").queryAs(javafx.scene.control.TextField.class)
                .setText("x"));
        robot.clickOn("#startSweep");
        FxTestSupport.waitFor(() -> fx.dialogs.size() == 4);
        assertTrue(fx.dialogs.get(3).contains("draw seed: 'x'"), fx.dialogs.toString());
    }

    @Test
    void thePaperTableTabShowsTheSweepAsRaliSweepShowPrintsItAndExportsMarkdownCsvLatex(FxRobot robot)
            throws Exception {
        next.release(10);
        Path project = dir.resolve("pt.rali");
        SweepsView view = startGridSweep(robot, project, "bases.count=5,6,7");
        finishedPoints(project, 3);
        FxTestSupport.waitFor(() -> view.paperTable() != null && view.paperTable().rows().size() == 3
                && view.paperTable().texts().stream().allMatch(r -> r.get(r.size() - 1).equals("1/1")));
        assertEquals(List.of("2", "7", "0.500", "0.550", "0.450", "1/1"), view.paperTable().texts().get(2));
        robot.clickOn("Paper table");
        @SuppressWarnings("unchecked")
        javafx.scene.control.TableView<List<?>> shown = robot.lookup("#sweepPaperTable").queryAs(
                javafx.scene.control.TableView.class);
        assertEquals(3, shown.getItems().size());
        assertEquals(view.paperTable().header().size(), shown.getColumns().size());
        for (String ext : List.of("md", "csv", "tex")) {
            Path out = dir.resolve("sweep." + ext);
            robot.interact(() -> view.exportPaperTable(out));
            FxTestSupport.waitFor(() -> java.nio.file.Files.exists(out));
            try (ProjectStore store = ProjectStore.open(project)) {
                // the same text `rali sweep show --format md|csv|latex` prints
                String cli = SweepReport.of(store, 1).table(store).render(ext.equals("tex") ? "latex" : ext);
                assertEquals(cli, java.nio.file.Files.readString(out), ext);
            }
        }
        assertTrue(java.nio.file.Files.readString(dir.resolve("sweep.md")).contains("| setting | bases.count |"));
        assertTrue(java.nio.file.Files.readString(dir.resolve("sweep.tex")).contains("\\begin{tabular}"));
    }

    @Test
    void aNewSweepSkipsANewerSweepPointAndWithOnlyAnAblationRecordedUndoesItsSwitches(FxRobot robot)
            throws Exception {
        Path project = dir.resolve("base.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            pipelineRun(store, PipelineParams.ablation("no_pca").with(ParamKeys.BASES_COUNT, 20)); // run 1
        }
        next.release(10);
        fx.open(robot, project);
        robot.clickOn("Sweeps");
        javafx.scene.control.Label base = robot.lookup("#sweepBase").queryAs(javafx.scene.control.Label.class);
        FxTestSupport.waitFor(() -> base.getText().contains("run 1 with its ablation 'no_pca' undone"));
        chooseKind(robot, "Table 4 ablations");
        robot.clickOn("#startSweep");
        List<SweepRecords.Point> pts = finishedPoints(project, 6);
        PipelineParams full = pts.stream().map(p -> PipelineParams.fromJson(p.paramsJson()))
                .filter(p -> p.run().ablation().equals("full")).findFirst().orElseThrow();
        assertTrue(full.get(ParamKeys.COMPRESSION_ENABLED), "the ablation's switch is back on in the full row");
        assertEquals(20, full.get(ParamKeys.BASES_COUNT), "the run's other settings are kept");
        // a full run, then one of the sweep's points (bases.count 5) as the newest run: the full run is the base
        try (ProjectStore store = ProjectStore.open(project)) {
            pipelineRun(store, FULL);
            SweepRecords rec = new SweepRecords(store);
            long pointRun;
            try (RunRecords run = RunRecords.begin(store, "pipeline", FULL.with(ParamKeys.BASES_COUNT, 5).toJson(), 42L)) {
                pointRun = run.runId();
                run.finish(RunRecords.DONE, "sweep point");
            }
            long other = SweepService.engine().create(store, SweepSpec.grid("g", FULL, "bases.count=5", 1,
                    SweepSpec.EarlyStop.OFF)); // the run belongs to this sweep's point
            rec.linkRun(rec.points(other).get(0).id(), pointRun);
        }
        robot.interact(() -> fx.window.select(SweepsView.TITLE));
        robot.interact(() -> fx.window.view(SweepsView.TITLE).shown());
        FxTestSupport.waitFor(() -> base.getText().equals("Base parameters: those of run 2 — the newest full run (run "
                + "3, a sweep point is newer); the sweep changes only the swept keys"));
        assertTrue(fx.dialogs.isEmpty(), fx.dialogs.toString());
    }
}
