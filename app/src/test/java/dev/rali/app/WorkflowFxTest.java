package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.PipelineView;
import dev.rali.app.views.ResultsView;
import dev.rali.app.views.ScoreView;
import dev.rali.app.views.TraceAuditView;
import dev.rali.engine.params.ParamKey;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.project.ProjectQueries;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.RaliParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The pipeline, score, trace-audit and results views driven end to end over fake services. */
@ExtendWith(ApplicationExtension.class)
class WorkflowFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();
    final Fixtures.FakePipeline pipeline = new Fixtures.FakePipeline(20);

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(ScorerFactory.class, bundle -> new Fixtures.FakeScorer())
                .with(PipelineService.class, pipeline).build());
    }

    @AfterEach
    void stop() throws Exception {
        fx.stop();
    }

    @Test
    void runningAStagePlotsItsMetricsAndRecordsTheRun(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        PipelineView view = fx.window.view(PipelineView.TITLE);
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 2);
        String tip = robot.lookup("#param-alignment-lr").queryAs(TextField.class).getTooltip().getText();
        assertTrue(tip.startsWith(ParamKeys.ALIGNMENT_LR.help()), tip);
        assertTrue(tip.endsWith("number > 0; default 1.0E-5; paper: 1e-5 (§5.1)"), tip);
        robot.interact(() -> robot.lookup("#param-bases-buckets").queryAs(TextField.class).setText("7"));
        robot.interact(() -> robot.lookup("#param-alignment-seedAugmentation").queryAs(CheckBox.class).setSelected(false));
        robot.interact(() -> robot.lookup("#param-scoreDefinition-loss").queryComboBox().setValue("L1"));
        robot.interact(() -> robot.lookup("#stageChoice").queryComboBox().getSelectionModel().select("align"));
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals(List.of(PipelineView.LIVE), view.plots().runs());
        assertEquals(20, view.plots().points(PipelineView.LIVE, "loss").size());
        assertEquals(1.0 / 20, view.plots().points(PipelineView.LIVE, "loss").get(20L), 1e-12);
        assertEquals(PipelineParams.defaults().with(ParamKeys.BUCKETS, 7).with(ParamKeys.SEED_AUGMENTATION, false)
                .with(ParamKeys.LOSS, RaliParams.Loss.L1), pipeline.lastParams, "only the edited keys changed");
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 3);
        assertEquals("align", view.runs().getItems().get(0).stage());
        assertEquals("succeeded", robot.lookup("#runStatus").queryAs(Label.class).getText());
    }

    @Test
    void aProjectAnotherWriterHoldsShowsWhoInsteadOfRunning(FxRobot robot) throws Exception {
        Path project = Fixtures.project(dir);
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        PipelineView view = fx.window.view(PipelineView.TITLE);
        FxTestSupport.waitFor(() -> view.runs().getItems().size() == 2);
        try (dev.rali.engine.project.ProjectLock other =
                     dev.rali.engine.project.ProjectLock.acquireProject(project, "rali run")) {
            other.runId(41);
            robot.clickOn("#runStage");
            fx.settle();
            assertEquals(null, pipeline.lastParams, "the pipeline must not start");
            assertEquals(1, fx.dialogs.size(), fx.dialogs.toString());
            assertTrue(fx.dialogs.get(0).startsWith("Project is busy: project " + project.getFileName()
                    + " is busy: run 41 (rali run) by PID " + ProcessHandle.current().pid() + " since "), fx.dialogs.get(0));
        }
        robot.clickOn("#runStage"); // free again: the run starts and releases the lock when it ends
        fx.settle();
        assertEquals("succeeded", robot.lookup("#runStatus").queryAs(Label.class).getText());
        try (dev.rali.engine.project.ProjectLock again =
                     dev.rali.engine.project.ProjectLock.acquireProject(project, "rali run")) {
            assertTrue(again.stale().isEmpty());
        }
    }

    @Test
    void closingDuringARunAsksAndCancelsIt(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        pipeline.gate = release;
        robot.clickOn("#runStage");
        FxTestSupport.waitFor(() -> !fx.tasks.running().isEmpty());
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Dialogs.headlessConfirm = q -> {
            asked.add(q);
            return asked.size() > 1; // first "no" keeps the window, second "yes" cancels
        };
        try {
            boolean first = WaitForAsyncUtils.asyncFx(() -> fx.window.confirmClose()).get();
            assertEquals(false, first);
            assertEquals(1, fx.tasks.running().size());
            boolean second = WaitForAsyncUtils.asyncFx(() -> fx.window.confirmClose()).get();
            assertEquals(true, second);
            release.countDown();
            fx.settle();
            assertTrue(asked.get(0).contains("Run all"), asked.toString());
            assertEquals("cancelled", robot.lookup("#runStatus").queryAs(Label.class).getText());
            assertEquals(null, pipeline.lastRunId);
        } finally {
            Dialogs.headlessConfirm = null;
            release.countDown();
        }
    }

    @Test
    void anInvalidParameterIsReportedAndNothingRuns(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        robot.interact(() -> robot.lookup("#param-alignment-epochs").queryAs(TextField.class).setText("many"));
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals(null, pipeline.lastParams);
        assertTrue(fx.dialogs.get(0).contains("alignment.epochs: 'many' is not an integer (expected integer ≥ 1)"),
                fx.dialogs.toString());
        assertTrue(robot.lookup("#param-alignment-epochs").queryAs(TextField.class).getStyleClass()
                .contains("invalid"));
        robot.interact(() -> robot.lookup("#param-alignment-epochs").queryAs(TextField.class).setText("2"));
        robot.interact(() -> robot.lookup("#param-bases-count").queryAs(TextField.class).setText("0"));
        robot.clickOn("#runStage");
        fx.settle();
        assertEquals(null, pipeline.lastParams);
        assertTrue(fx.dialogs.get(1).contains("bases.count: 0 is out of range (allowed: integer ≥ 1)"),
                fx.dialogs.toString());
    }

    @Test
    void theParameterFormHasOneFieldPerKeyWithItsDefaultAndType(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(PipelineView.TITLE));
        // the form lives in a ScrollPane inside a SplitPane: its fields join the scene graph once those are skinned
        String first = "#param-" + ParamKeys.all().get(0).name().replace('.', '-');
        FxTestSupport.waitFor(() -> robot.lookup(first).tryQuery().isPresent());
        for (ParamKey<?> k : ParamKeys.all()) {
            Node n = robot.lookup("#param-" + k.name().replace('.', '-')).query();
            Object shown = switch (k.type()) {
                case BOOLEAN -> Boolean.toString(((CheckBox) n).isSelected());
                case CHOICE -> {
                    ComboBox<?> cb = (ComboBox<?>) n;
                    assertEquals(k.choices(), List.copyOf(cb.getItems()), k.name());
                    yield cb.getValue();
                }
                default -> ((TextField) n).getText();
            };
            assertEquals(k.format(k.defaultValue()), shown, k.name());
            assertTrue(((Control) n).getTooltip().getText().contains(k.describeType()), k.name());
        }
        assertEquals(PipelineParams.defaults(), ((PipelineView) fx.window.view(PipelineView.TITLE)).params());
    }

    @Test
    void droppedFolderIsScoredAndBadFilesShowTheirReason(FxRobot robot) throws Exception {
        Path folder = dir.resolve("to-score");
        Fixtures.png(folder.resolve("one.png"), 10);
        Fixtures.png(folder.resolve("sub/three.png"), 90);
        Files.writeString(folder.resolve("broken.png"), "not an image");
        Files.writeString(folder.resolve("notes.txt"), "ignored: not an image extension");
        Path bundle = Files.createDirectories(dir.resolve("m.rali-model"));
        robot.interact(() -> fx.window.select(ScoreView.TITLE));
        ScoreView view = fx.window.view(ScoreView.TITLE);
        robot.interact(() -> {
            view.addFiles(List.of(folder));
            view.setBundle(bundle);
        });
        fx.settle();
        assertEquals(3, view.rows().size());
        robot.clickOn("#scoreButton");
        fx.settle();
        Map<String, ScoreView.Row> byName = new java.util.HashMap<>();
        view.rows().forEach(r -> byName.put(r.file().getFileName().toString(), r));
        assertEquals(Fixtures.FakeScorer.expected(Path.of("one.png")), byName.get("one.png").score());
        assertEquals("ok", byName.get("three.png").status());
        assertEquals(null, byName.get("broken.png").score());
        assertEquals("failed: broken.png: not a decodable image", byName.get("broken.png").status());
        assertTrue(Fixtures.FakeScorer.closed);
        assertEquals("3 files · 2 scored · 1 failed", robot.lookup("#scoreSummary").queryAs(Label.class).getText());

        Path csv = dir.resolve("scores.csv");
        robot.interact(() -> view.exportTo(csv));
        fx.settle();
        List<String> lines = Files.readAllLines(csv);
        assertEquals("file,score,status", lines.get(0));
        assertEquals(4, lines.size());
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("broken.png,,failed: broken.png: not a decodable image")), lines.toString());

        // filter narrows the table to failures
        robot.clickOn("#scoreFilter").write("failed");
        assertEquals(1, robot.lookup("#scoreTable").queryTableView().getItems().size());
    }

    @Test
    void auditNavigatesFlaggedTracesAndStoresVerdicts(FxRobot robot) throws Exception {
        Path project = Fixtures.project(dir);
        fx.open(robot, project);
        robot.interact(() -> fx.window.select(TraceAuditView.TITLE));
        fx.settle();
        TraceAuditView view = fx.window.view(TraceAuditView.TITLE);
        assertEquals(12, view.table().getItems().size());
        assertEquals(0, view.table().getSelectionModel().getSelectedIndex());
        // flagged: c.png seeds 0 and 1 (seed 1 far from MOS; seeds disagree), f.png seed 1 (unparsable)
        robot.clickOn("#auditTable");
        robot.interact(() -> view.table().getSelectionModel().clearAndSelect(0));
        robot.type(KeyCode.N);
        assertEquals("c.png", view.table().getSelectionModel().getSelectedItem().imageName());
        assertEquals(0L, view.table().getSelectionModel().getSelectedItem().trace().seed());
        robot.type(KeyCode.J);
        assertEquals(List.of(ProjectQueries.FLAG_MOS, ProjectQueries.FLAG_SEEDS),
                view.table().getSelectionModel().getSelectedItem().flags());
        robot.type(KeyCode.N);
        assertEquals("f.png", view.table().getSelectionModel().getSelectedItem().imageName());
        robot.type(KeyCode.P);
        assertEquals("c.png", view.table().getSelectionModel().getSelectedItem().imageName());
        long traceId = view.table().getSelectionModel().getSelectedItem().trace().id();
        robot.clickOn("#auditNote").write("answer says 5, image is mid");
        robot.clickOn("#verdict-wrong");
        fx.settle();
        try (ProjectStore store = ProjectStore.open(project)) {
            var saved = new ProjectQueries(store).auditItems(null, null, false).stream()
                    .filter(a -> a.trace().id() == traceId).findFirst().orElseThrow();
            assertEquals("wrong", saved.trace().verdict());
            assertEquals("answer says 5, image is mid", saved.trace().note());
        }
        assertEquals("wrong", view.table().getSelectionModel().getSelectedItem().trace().verdict());

        Path csv = dir.resolve("audit.csv");
        robot.interact(() -> view.exportTo(csv));
        fx.settle();
        List<String> lines = Files.readAllLines(csv);
        assertEquals(13, lines.size());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(traceId + ",koniq,c.png") && l.endsWith("wrong,"
                + "answer says 5, image is mid".replace("answer says 5, image is mid", "\"answer says 5, image is mid\""))),
                lines.toString());
    }

    @Test
    void resultsShowCorrelationsPerDatasetForTheChosenRun(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(ResultsView.TITLE));
        fx.settle();
        ResultsView view = fx.window.view(ResultsView.TITLE);
        try {
            FxTestSupport.waitFor(() -> view.table().getItems().size() == 1);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("dialogs: " + fx.dialogs, e);
        }
        ResultsView.Row row = view.table().getItems().get(0);
        assertEquals("koniq", row.dataset());
        assertEquals(6, row.n());
        // MOS 1.5..4.0, predictions alternate +0.2/-0.1: monotone except pairs → SRCC from ranks
        double[] mos = {1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
        double[] pred = {1.7, 1.9, 2.7, 2.9, 3.7, 3.9};
        // headline PLCC after the logistic fit, as `rali eval` reports it; the raw Pearson beside it
        assertEquals(dev.rali.engine.eval.MetricReport.compute(pred, mos).plccFitted(), row.plcc(), 1e-12);
        assertEquals(dev.rali.engine.eval.Metrics.plcc(pred, mos), row.plccRaw(), 1e-12);
        assertEquals(1.0, row.srcc(), 1e-12);
        assertNotNull(robot.lookup("#resultsScatter").query());
    }
}
