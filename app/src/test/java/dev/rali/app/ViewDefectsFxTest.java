package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rali.app.views.DatasetsView;
import dev.rali.app.views.ImageDetailPane;
import dev.rali.app.views.ImportWizard;
import dev.rali.app.views.ResultsView;
import dev.rali.app.views.ScoreView;
import dev.rali.app.views.TraceAuditView;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.score.ImageScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.function.Consumer;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** Issue 17's view defects (items 6, 7, 9, 10, 12), each driven the way a user meets it. */
@ExtendWith(ApplicationExtension.class)
class ViewDefectsFxTest {
    @TempDir Path dir;
    final FxTestSupport fx = new FxTestSupport();

    /** Scores every file with the number in the bundle folder's name: model "m1" gives 1.0, "m2" gives 2.0. */
    static final class PerModelScorer implements ImageScorer {
        final double value;

        PerModelScorer(Path bundle) {
            value = Double.parseDouble(bundle.getFileName().toString().replaceAll("\\D", ""));
        }

        @Override
        public String describe() {
            return "scores " + value;
        }

        @Override
        public void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx) {
            files.forEach(f -> sink.accept(ScoreResult.ok(f, value)));
        }

        @Override
        public void close() { }
    }

    volatile boolean sampleProgressSeen;

    @Start
    void start(Stage stage) {
        fx.start(stage, AppServices.builder().with(ScorerFactory.class, PerModelScorer::new)
                .with(SampleProjectSource.class, c -> {
                    // what the real one reports while it trains the sample's run
                    c.progress("align", 1, 2, "epoch 1/2");
                    sampleProgressSeen = true;
                    return Fixtures.project(dir.resolve("sample"));
                }).build());
    }

    @AfterEach
    void stop(FxRobot robot) throws Exception {
        fx.settle();
        robot.interact(() -> List.copyOf(Window.getWindows()).stream()
                .filter(w -> w != fx.ctx.window()).forEach(Window::hide));
        fx.stop();
    }

    @Test
    void choosingAnotherModelAndPressingScoreScoresTheListedFilesAgain(FxRobot robot) throws Exception {
        Fixtures.png(dir.resolve("photos/a.png"), 10);
        Fixtures.png(dir.resolve("photos/b.png"), 50);
        Path m1 = Files.createDirectories(dir.resolve("m1.rali-model"));
        Path m2 = Files.createDirectories(dir.resolve("m2.rali-model"));
        robot.interact(() -> fx.window.select(ScoreView.TITLE));
        ScoreView view = fx.window.view(ScoreView.TITLE);
        robot.interact(() -> {
            view.addFiles(List.of(dir.resolve("photos")));
            view.setBundle(m1);
        });
        fx.settle();
        robot.interact(view::startScoring);
        fx.settle();
        assertEquals(List.of(1.0, 1.0), view.rows().stream().map(ScoreView.Row::score).toList());

        robot.interact(() -> view.setBundle(m2));
        robot.interact(view::startScoring);
        fx.settle();
        assertEquals(List.of(), fx.dialogs, "no 'Nothing to score' with files listed");
        assertEquals(List.of(2.0, 2.0), view.rows().stream().map(ScoreView.Row::score).toList());

        robot.interact(view::startScoring);
        fx.settle();
        assertEquals(1, fx.dialogs.size());
        assertTrue(fx.dialogs.get(0).startsWith("Nothing to score: All 2 files are already scored with m2.rali-model"),
                fx.dialogs.get(0));
    }

    @Test
    void theImportDialogPointsAtTheDatasetsPageThatShips(FxRobot robot) {
        DatasetImportAction importer = new DatasetImportAction() {
            @Override
            public List<String> layouts() {
                return List.of("folder");
            }

            @Override
            public String importDataset(ProjectStore store, ImportSpec spec, TaskContext c) {
                return "";
            }
        };
        String[] header = new String[1];
        robot.interact(() -> header[0] = new ImportWizard(null, importer).getHeaderText());
        assertTrue(header[0].contains("docs/DATASETS.md"), header[0]);
        assertFalse(header[0].contains("FORMATS.md"), header[0]);
        // the module runs its tests from app/: the page must exist in the repository (and so in the product)
        assertTrue(Files.isRegularFile(Path.of("..", "docs", "DATASETS.md")), "docs/DATASETS.md exists");
    }

    @Test
    void aScatterPointOpensTheImageWithTheRunsPredictionAndStepsByError(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(ResultsView.TITLE));
        ResultsView view = fx.window.view(ResultsView.TITLE);
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 1);
        robot.interact(() -> view.openPoint(0, 0));
        fx.settle();
        FxTestSupport.waitFor(() -> robot.lookup("#detailPosition").tryQuery().isPresent());
        ImageDetailPane pane = robot.lookup("#imageDetail").queryAs(ImageDetailPane.class);
        // the first point plotted is a.png, predicted MOS + 0.2
        assertEquals("a.png", pane.fact("Image"));
        assertEquals("1.700", pane.fact("Prediction (run 2)"));
        assertEquals("+0.200", pane.fact("Error (prediction − MOS)"));
        Label position = robot.lookup("#detailPosition").queryAs(Label.class);
        assertTrue(position.getText().endsWith(" / 6 · largest |error| first"), position.getText());
        int at = Integer.parseInt(position.getText().substring(0, position.getText().indexOf(' ')));
        for (int i = at; i > 1; i--) {
            robot.clickOn("#detailPrevious");
            fx.settle();
        }
        assertEquals("1 / 6 · largest |error| first", position.getText());
        // a, c, e are 0.2 off, b, d, f 0.1: the large errors come first
        for (int i = 1; i <= 6; i++) {
            assertEquals(i + " / 6 · largest |error| first", position.getText());
            assertEquals(i <= 3 ? "+0.200" : "-0.100", pane.fact("Error (prediction − MOS)"), "position " + i);
            robot.type(KeyCode.RIGHT);
            fx.settle();
        }
        assertEquals("6 / 6 · largest |error| first", position.getText(), "stays at the end");
        assertTrue(robot.lookup("#detailNext").queryButton().isDisabled());
    }

    @Test
    void resultsLeadWithTheLogisticPlccLikeTheCliAndLabelTheRawOne(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        robot.interact(() -> fx.window.select(ResultsView.TITLE));
        ResultsView view = fx.window.view(ResultsView.TITLE);
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 1);
        double[] mos = {1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
        double[] pred = {1.7, 1.9, 2.7, 2.9, 3.7, 3.9};
        var report = dev.rali.engine.eval.MetricReport.compute(pred, mos);
        ResultsView.Row row = view.table().getItems().get(0);
        assertEquals(report.plccFitted(), row.plcc(), 1e-12);
        assertEquals(dev.rali.engine.eval.Metrics.plcc(pred, mos), row.plccRaw(), 1e-12);
        assertEquals(report.krcc(), row.krcc(), 1e-12);
        List<String> headers = view.table().getColumns().stream().map(c -> c.getText()).toList();
        assertEquals(List.of("Dataset", "Images", "N", "PLCC", "SRCC", "KRCC", "RMSE", "PLCC (raw)"), headers);
        assertEquals("", row.images(), "the fixture's run recorded no results table: nothing to say");
        assertTrue(robot.lookup("#resultsFooter").queryAs(Label.class).getText().contains("4-parameter logistic"));
        assertTrue(robot.lookup("#resultsEnvironment").queryAs(Label.class).getText().startsWith("Ran on: not recorded"),
                "the fixture's run has no environment record");

        robot.clickOn("#resultsIntervals");
        fx.settle();
        FxTestSupport.waitFor(() -> view.table().getItems().get(0).plccCi() != null);
        var ci = view.table().getItems().get(0).srccCi();
        assertTrue(ci.lo() <= 1.0 && ci.hi() <= 1.0 && ci.lo() <= ci.hi(), ci.toString());
    }

    @Test
    void resultsSayWhichImagesEachDatasetWasEvaluatedOnFromTheRunsResults(FxRobot robot) throws Exception {
        // the evaluate run's results as the pipeline writes them: koniq (the score dataset) on its held-out split,
        // next to its table artifact; the view reads "test split" / "all" from there, not from the predictions
        Path p = Fixtures.project(dir);
        double[] mos = {1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
        double[] pred = {1.7, 1.9, 2.7, 2.9, 3.7, 3.9};
        try (ProjectStore s = ProjectStore.open(p)) {
            Path runDir = Files.createDirectories(s.artifactDir().resolve("runs/2"));
            dev.rali.engine.eval.ResultsTable t = new dev.rali.engine.eval.ResultsTable().add("koniq",
                    dev.rali.engine.eval.ResultsTable.TEST_SPLIT, dev.rali.engine.eval.MetricReport.compute(pred, mos));
            Files.writeString(runDir.resolve("results.json"), t.toJson());
            Files.writeString(runDir.resolve("results.md"), t.toMarkdown());
            try (Statement st = s.connection().createStatement()) {
                st.execute("INSERT INTO artifacts(run_id, kind, path, sha256) VALUES (2, 'table', 'runs/2/results.md', "
                        + "'x')");
            }
        }
        fx.open(robot, p);
        robot.interact(() -> fx.window.select(ResultsView.TITLE));
        ResultsView view = fx.window.view(ResultsView.TITLE);
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 1);
        ResultsView.Row row = view.table().getItems().get(0);
        assertEquals("koniq", row.dataset());
        assertEquals("test split", row.images());
        assertEquals(6, row.n());
        // the cell the researcher sees, in the column after the dataset
        var images = view.table().getColumns().get(1);
        assertEquals("Images", images.getText());
        assertEquals("test split", String.valueOf(images.getCellData(0)));
        assertTrue(robot.lookup("#resultsFooter").queryAs(Label.class).getText().contains("\"all\" = every image"));
    }

    @Test
    void resultsSayWhereTheRunComputedItsNumbers(FxRobot robot) throws Exception {
        // a run resumed on a GPU after starting on a CPU, as RaliPipeline records it (one file per start)
        Path p = Fixtures.project(dir);
        try (ProjectStore s = ProjectStore.open(p)) {
            Path runDir = Files.createDirectories(s.artifactDir().resolve("runs/2"));
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            String[][] starts = {{"cpu()", "fp32", "2.7.1 (bundled)"}, {"gpu(0)", "bf16", "from /venv/torch/lib"}};
            for (int i = 0; i < starts.length; i++) {
                Files.writeString(runDir.resolve("environment-" + i + ".json"), json.writeValueAsString(
                        new dev.rali.engine.project.RunEnvironment("0.1.0", "Java 17", "Linux amd64", "Some CPU", 16,
                                true, starts[i][2], starts[i][0], 16, starts[i][1], "fp32")));
                try (Statement st = s.connection().createStatement()) {
                    st.execute("INSERT INTO artifacts(run_id, kind, path, sha256) VALUES (2, 'environment', "
                            + "'runs/2/environment-" + i + ".json', 'x')");
                }
            }
        }
        fx.open(robot, p);
        robot.interact(() -> fx.window.select(ResultsView.TITLE));
        ResultsView view = fx.window.view(ResultsView.TITLE);
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 1);
        Label env = robot.lookup("#resultsEnvironment").queryAs(Label.class);
        FxTestSupport.waitFor(() -> env.getText().startsWith("Ran on: cpu()"));
        assertTrue(env.getText().contains("; then gpu(0) · libtorch from /venv/torch/lib · 16 threads · encoder bf16"),
                env.getText());
    }

    /** Fixtures project with c's off trace and f's unparsable trace repaired: nothing is flagged at the defaults. */
    private Path calmProject() throws Exception {
        Path p = Fixtures.project(dir);
        try (ProjectStore s = ProjectStore.open(p)) {
            s.inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("UPDATE traces SET score = 2.6, answer = '2.6', raw_text = "
                            + "'<think>slightly soft</think><answer>2.6</answer>' WHERE score = 5.0");
                    st.execute("UPDATE traces SET score = 4.1, answer = '4.1', parse_status = 'ok', raw_text = "
                            + "'<think>looks fine</think><answer>4.1</answer>' WHERE parse_status <> 'ok'");
                    st.execute("UPDATE traces SET score = score + 0.3 WHERE image_id = 2 AND seed = 1");
                }
                return null;
            });
        }
        return p;
    }

    @Test
    void auditSaysWhyNothingIsFlaggedOffersTheWorstTracesAndEnterInTheNoteReturnsToTheList(FxRobot robot)
            throws Exception {
        fx.open(robot, calmProject());
        robot.interact(() -> fx.window.select(TraceAuditView.TITLE));
        TraceAuditView view = fx.window.view(TraceAuditView.TITLE);
        FxTestSupport.waitFor(() -> view.table().getItems().size() == 12);
        Label feedback = robot.lookup("#auditFeedback").queryAs(Label.class);
        assertTrue(feedback.getText().startsWith("No trace is flagged at these thresholds: the largest |score − MOS| "
                + "here is 0.40"), feedback.getText());
        robot.interact(() -> view.table().requestFocus());
        robot.type(KeyCode.N);
        assertEquals(0, view.table().getSelectionModel().getSelectedIndex(), "nothing to step to");
        assertTrue(feedback.getText().startsWith("No trace is flagged"), feedback.getText());

        robot.clickOn("#flagWorst");
        fx.settle();
        FxTestSupport.waitFor(() -> view.table().getItems().stream().anyMatch(a -> a.flagged()));
        // b.png's seed 1 is 0.4 from its MOS, the largest: it is among the flagged, not everything is
        assertTrue(view.table().getItems().stream().anyMatch(a -> a.flagged() && a.imageName().equals("b.png")));
        assertTrue(view.table().getItems().stream().anyMatch(a -> !a.flagged()));

        // the reasoning is shown without the model's tags
        FxTestSupport.waitFor(() -> !robot.lookup("#imageDetail .text-area").queryAll().isEmpty());
        for (var n : robot.lookup("#imageDetail .text-area").queryAll()) {
            String t = ((TextArea) n).getText();
            assertFalse(t.contains("<think>") || t.contains("</answer>"), t);
            assertTrue(t.contains("Answer: "), t);
        }

        robot.interact(() -> view.table().getSelectionModel().clearAndSelect(0));
        robot.clickOn("#auditNote").write("checked").type(KeyCode.ENTER);
        fx.settle();
        assertTrue(view.table().isFocused(), "Enter in the note hands the keys back to the list");
        int before = view.table().getSelectionModel().getSelectedIndex();
        robot.type(KeyCode.N);
        fx.settle();
        assertTrue(view.table().getSelectionModel().getSelectedIndex() > before, "N moved to the next flagged trace");
        assertEquals("checked", view.table().getItems().get(0).trace().note());
    }

    @Test
    void thumbnailsAreReachedAndOpenedWithTheKeyboard(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 6);
        robot.interact(() -> view.grid().requestFocus());
        robot.type(KeyCode.RIGHT).type(KeyCode.RIGHT);
        assertEquals(1, view.cursor(), "first → lands on the first thumbnail, the second on the next");
        robot.type(KeyCode.END);
        assertEquals(5, view.cursor());
        robot.type(KeyCode.HOME).type(KeyCode.RIGHT).type(KeyCode.ENTER);
        fx.settle();
        FxTestSupport.waitFor(() -> robot.lookup("#detailPosition").tryQuery().isPresent());
        Label position = robot.lookup("#detailPosition").queryAs(Label.class);
        assertEquals("2 / 6 · in grid order", position.getText());
        ImageDetailPane pane = robot.lookup("#imageDetail").queryAs(ImageDetailPane.class);
        assertEquals("b.png", pane.fact("Image"));
        robot.type(KeyCode.RIGHT);
        fx.settle();
        assertEquals("c.png", pane.fact("Image"));
        assertNotNull(position.getScene());
    }

    @Test
    void resultsLayTheEvaluatedRunsOutAsThePapersTables2And4AndExportThem(FxRobot robot) throws Exception {
        Path p = Fixtures.project(dir);
        double[] mos = {1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
        double[] full = {1.7, 1.9, 2.7, 2.9, 3.7, 3.9};
        double[] noPca = {2.0, 1.6, 2.9, 2.6, 3.2, 4.4};
        var fullReport = dev.rali.engine.eval.MetricReport.compute(full, mos);
        var noPcaReport = dev.rali.engine.eval.MetricReport.compute(noPca, mos);
        try (ProjectStore s = ProjectStore.open(p)) {
            // what the pipeline's evaluate stage leaves: predictions, results.json next to the 'table' artifact
            s.inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    st.execute("INSERT INTO runs(id, stage, params_json, code_version, status) VALUES "
                            + "(3, 'all', '{\"run\":{\"ablation\":\"no_pca\"}}', 'test', 'done')");
                    for (int i = 0; i < 6; i++) {
                        st.execute("INSERT INTO predictions(run_id, image_id, score) VALUES (3, " + (i + 1) + ", "
                                + noPca[i] + ")");
                    }
                    st.execute("INSERT INTO artifacts(run_id, kind, path, sha256) VALUES "
                            + "(2, 'table', 'runs/2/table.md', 'x'), (3, 'table', 'runs/3/table.md', 'x')");
                }
                return null;
            });
            for (var e : java.util.Map.of(2, fullReport, 3, noPcaReport).entrySet()) {
                Path json = s.artifactDir().resolve("runs/" + e.getKey() + "/results.json");
                Files.createDirectories(json.getParent());
                Files.writeString(json, new dev.rali.engine.eval.ResultsTable().add("koniq", "test split", e.getValue())
                        .toJson());
            }
        }
        fx.open(robot, p);
        robot.interact(() -> fx.window.select(ResultsView.TITLE));
        ResultsView view = fx.window.view(ResultsView.TITLE);
        FxTestSupport.waitFor(() -> view.paperTable4().size() == 2);
        String f = "%.3f";
        List<List<String>> t2 = view.paperTable2();
        assertEquals(List.of("run 2", "PLCC", String.format(java.util.Locale.ROOT, f, fullReport.plccFitted()),
                String.format(java.util.Locale.ROOT, f, fullReport.plccFitted())), t2.get(0));
        assertEquals(List.of("run 3 no_pca", "SRCC", String.format(java.util.Locale.ROOT, f, noPcaReport.srcc()),
                String.format(java.util.Locale.ROOT, f, noPcaReport.srcc())), t2.get(3));
        assertEquals("RALI (paper)", t2.get(4).get(0), "the paper's row for reference under KonIQ");
        assertFalse(t2.get(4).get(2).equals("–"), t2.get(4).toString());
        List<List<String>> t4 = view.paperTable4();
        assertEquals(List.of("full", "no_pca"), t4.stream().map(r -> r.get(0)).toList());
        assertEquals("6", t4.get(0).get(6));
        assertEquals("2", t4.get(1).get(6));

        robot.interact(() -> robot.lookup("#resultsTabs").queryAs(javafx.scene.control.TabPane.class)
                .getSelectionModel().select(1));
        robot.clickOn("#paperKrcc");
        FxTestSupport.waitFor(() -> view.paperTable2().size() == 8);
        assertEquals("KRCC", view.paperTable2().get(2).get(1));
        javafx.scene.control.TableView<?> shown = robot.lookup("#paperTable2").queryTableView();
        assertEquals(List.of("Method", "Metric", "koniq", "AVG."),
                shown.getColumns().stream().map(c -> c.getText()).toList());

        Path tex = dir.resolve("out/table4.tex");
        Path md = dir.resolve("out/table2.md");
        Files.createDirectories(tex.getParent());
        robot.interact(() -> {
            view.exportPaperTable("table4", tex);
            view.exportPaperTable("table2", md);
        });
        fx.settle();
        String latex = Files.readString(tex);
        assertTrue(latex.contains("\\begin{tabular}") && latex.contains("no\\_pca"), latex);
        assertTrue(Files.readString(md).startsWith("| Method | Metric | koniq | AVG. |"), Files.readString(md));
    }

    @Test
    void openSampleProjectBuildsItInTheBackgroundAndOpensItWithItsRun(FxRobot robot) throws Exception {
        String next = robot.lookup("#nextStep").queryAs(Label.class).getText();
        assertTrue(next.contains("a trained run and its results") && next.contains("a few minutes"), next);
        java.nio.file.Files.createDirectories(dir.resolve("sample"));
        robot.clickOn("#openSample");
        fx.settle();
        assertTrue(sampleProgressSeen);
        assertEquals(dir.resolve("sample/demo.rali").toAbsolutePath(), fx.model.store().file().toAbsolutePath());
        robot.interact(() -> fx.window.select(dev.rali.app.views.StartView.TITLE));
        assertFalse(robot.lookup("#openSample").queryButton().isDisabled());
        assertFalse(robot.lookup("#sampleProgress").query().isVisible(), "progress hidden once done");
        // export dialogs start in the project's folder, not where the app was launched
        assertEquals(dir.resolve("sample").toFile().getAbsoluteFile(), dev.rali.app.views.Ui.exportFolder(fx.ctx));
    }

    @Test
    void aHistogramBarFiltersTheGridWhichSortsByAField(FxRobot robot) throws Exception {
        fx.open(robot, Fixtures.project(dir));
        DatasetsView view = fx.window.view(DatasetsView.TITLE);
        FxTestSupport.waitFor(() -> view.grid().getItems().size() == 6);
        // what a click on the bar [2.4, 3.1) does
        robot.interact(() -> view.brush(2.4, 3.1));
        fx.settle();
        assertEquals(List.of("c.png", "d.png"), view.grid().getItems().stream().map(i -> i.name()).toList());
        assertEquals("2.40", robot.lookup("#minMos").queryAs(javafx.scene.control.TextField.class).getText());
        robot.interact(() -> robot.lookup("#imageSort").queryComboBox().setValue("MOS ↓"));
        assertEquals(List.of("d.png", "c.png"), view.grid().getItems().stream().map(i -> i.name()).toList());
        robot.interact(() -> {
            robot.lookup("#minMos").queryAs(javafx.scene.control.TextField.class).clear();
            robot.lookup("#maxMos").queryAs(javafx.scene.control.TextField.class).clear();
            view.brush(0, 5);
        });
        fx.settle();
        assertEquals(List.of("f.png", "e.png", "d.png", "c.png", "b.png", "a.png"),
                view.grid().getItems().stream().map(i -> i.name()).toList(), "a reload keeps the chosen order");
    }
}
