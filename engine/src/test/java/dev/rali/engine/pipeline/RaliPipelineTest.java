package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectLock;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.sample.SampleProjectBuilder;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pipeline end to end on a tiny synthetic project (4 photos × distortions, 48-px images, a 1-layer CLIP):
 * run records, artifacts, predictions, reuse of finished stages, cancel + resume, export and scoring through the
 * same code path as {@code rali score}.
 */
class RaliPipelineTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static Path sample;
    static Path encoder;

    @BeforeAll
    static void buildTinyProjectData() throws Exception {
        Path photos = SampleProjectBuilder.findPhotosDir(Path.of(""));
        Path few = SampleProjectBuilder.copySubset(photos, dir.resolve("photos"), Set.of("astronaut.png", "brick.png", "camera.png", "chelsea.png"));
        sample = dir.resolve("sample");
        SampleProjectBuilder.build(sample, new SampleProjectBuilder.Options(few, 48, 2, 0L, Set.of("brick"),
                Set.of("camera"), false, 1), TaskContext.silent());
        encoder = DemoClipFactory.create(dir.resolve("clip"), new DemoClipFactory.Config(32, 48, 8, 32, 1, 2, 64, 32,
                1, 2, 64, 16, 77, 49408, Math.log(100)), 3);
    }

    static ProjectStore project(Path file) throws Exception {
        ProjectStore store = ProjectStore.open(file);
        Demo.importSample(store, sample, "sample", TaskContext.silent());
        new ProjectSettings(store).put(ProjectSettings.BASE_ENCODER, encoder.toString());
        return store;
    }

    static PipelineParams params(String ablation) {
        RaliParams p = RaliParams.ablation(ablation);
        p.alignment.epochs = 2;
        p.alignment.batchSize = 16;
        p.alignment.lr = 1e-3;
        p.alignment.warmupSteps = 2;
        p.alignment.cropAugmentation = true;
        p.compression.dim = 8;
        p.bases.count = 8;
        p.bases.buckets = 6;
        p.scoreDefinition.epochs = 5;
        return PipelineParams.defaults().withRali(p).with(ParamKeys.BOOTSTRAP, 20);
    }

    @Test
    void scoreDatasetIsEvaluatedOnItsTestSplitAndEveryOtherDatasetWhole() throws Exception {
        try (ProjectStore store = project(dir.resolve("cross.rali"))) {
            Demo.importSample(store, sample, "other", TaskContext.silent());
            RaliPipeline pipeline = new RaliPipeline();
            PipelineParams p = params("full").with(ParamKeys.SCORE_DATASET, "sample");
            List<RaliPipeline.EvalSet> sets = RaliPipeline.evaluationSets(store, pipeline.setup(store, p));
            assertEquals(Set.of("sample", "other"), sets.stream().map(RaliPipeline.EvalSet::dataset)
                    .collect(java.util.stream.Collectors.toSet()));
            Map<String, RaliPipeline.EvalSet> by = new HashMap<>();
            sets.forEach(e -> by.put(e.dataset(), e));
            assertEquals("test split", by.get("sample").images());
            assertEquals(Datasets.images(store, "sample", "test").size(), by.get("sample").rows().size());
            int otherAll = Datasets.images(store, "other", null).size();
            assertEquals("all", by.get("other").images());
            assertEquals(otherAll, by.get("other").rows().size(), "the out-of-domain dataset is tested whole");
            assertTrue(otherAll > Datasets.images(store, "other", "test").size());

            var split = RaliPipeline.evaluationSets(store, pipeline.setup(store,
                    p.with(ParamKeys.CROSS_DATASET_SPLIT, true)));
            var otherSplit = split.stream().filter(e -> e.dataset().equals("other")).findFirst().orElseThrow();
            assertEquals("test split", otherSplit.images());
            assertEquals(Datasets.images(store, "other", "test").size(), otherSplit.rows().size());

            var only = RaliPipeline.evaluationSets(store, pipeline.setup(store,
                    p.with(ParamKeys.EVAL_DATASETS, List.of("other"))));
            assertEquals(List.of("other"), only.stream().map(RaliPipeline.EvalSet::dataset).toList());
            var bad = assertThrows(IllegalArgumentException.class, () -> RaliPipeline.evaluationSets(store,
                    pipeline.setup(store, p.with(ParamKeys.EVAL_DATASETS, List.of("KonIQ")))));
            assertTrue(bad.getMessage().contains("evaluate.datasets names 'KonIQ'"), bad.getMessage());
        }
    }

    @Test
    void fullPipelineRecordsRunsPredictionsAndExportsABundleThatScoresLikeTheProject() throws Exception {
        try (ProjectStore store = project(dir.resolve("full.rali"))) {
            RaliPipeline pipeline = new RaliPipeline();
            RaliPipeline.Outcome o = pipeline.execute(store, "all", params("full"), TaskContext.silent());
            // where the numbers were computed, recorded with the run
            List<dev.rali.engine.project.RunEnvironment> env = new dev.rali.engine.project.Runs(store)
                    .environments(o.runId());
            assertEquals(1, env.size());
            assertEquals("cpu()", env.get(0).device(), "no GPU here");
            assertTrue(env.get(0).libtorch().endsWith("(bundled)"), env.get(0).libtorch());
            assertEquals(dev.rali.engine.Version.CODE, env.get(0).rali());
            assertTrue(List.of("fp32", "bf16", "bf16-mlp").contains(env.get(0).encoderPrecision()),
                    "the resolved encoder precision, not the setting: " + env.get(0).encoderPrecision());

            var row = o.results().rows().stream().filter(r -> r.dataset().equals("sample")).findFirst().orElseThrow();
            List<ImageRow> test = Datasets.images(store, "sample", "test");
            assertEquals(test.size(), row.report().n());
            assertTrue(Double.isFinite(row.report().plcc()) && Double.isFinite(row.report().srcc()));
            try (Statement s = store.connection().createStatement()) {
                ResultSet rs = s.executeQuery("SELECT status, stage FROM runs WHERE id=" + o.runId());
                assertEquals("done", rs.getString(1));
                assertEquals("pipeline", rs.getString(2));
                assertEquals(test.size(), s.executeQuery("SELECT COUNT(*) FROM predictions WHERE run_id="
                        + o.runId()).getInt(1));
                assertTrue(s.executeQuery("SELECT COUNT(*) FROM run_metrics WHERE run_id=" + o.runId()
                        + " AND name='align/train_loss'").getInt(1) > 0, "alignment losses are recorded");
                assertEquals(5, s.executeQuery("SELECT COUNT(DISTINCT kind) FROM artifacts WHERE run_id="
                        + o.runId()).getInt(1), "environment, alignment traces, encoder, head and table artifacts");
                // The exact traces that aligned the encoder: their ids in a file whose sha256 the run records.
                ResultSet art = s.executeQuery("SELECT path, sha256 FROM artifacts WHERE kind='alignment_traces' AND"
                        + " run_id=" + o.runId());
                Path ids = store.artifactDir().resolve(art.getString(1));
                assertEquals(dev.rali.engine.io.FileHashes.sha256(ids), art.getString(2));
                List<String> lines = Files.readAllLines(ids);
                assertEquals("trace_id,image_id,split,source,seed", lines.get(0));
                assertEquals(lines.size() - 1, s.executeQuery("SELECT value FROM run_metrics WHERE run_id="
                        + o.runId() + " AND name='align/traces_used'").getDouble(1));
                assertEquals(0, s.executeQuery("SELECT value FROM run_metrics WHERE run_id=" + o.runId()
                        + " AND name='align/traces_truncated'").getDouble(1), "the sample's traces are short");
                var recorded = PipelineParams.fromJson(s.executeQuery("SELECT params_json FROM runs WHERE id="
                        + o.runId()).getString(1));
                assertEquals(dev.rali.engine.traces.TraceStore.sources(store), recorded.get(ParamKeys.TRACE_SOURCES),
                        "an empty data.traceSources is recorded as the sources it used");
            }
            Map<Long, Double> predicted = new HashMap<>();
            try (Statement s = store.connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT image_id, score FROM predictions WHERE run_id=" + o.runId())) {
                while (rs.next()) {
                    predicted.put(rs.getLong(1), rs.getDouble(2));
                }
            }

            // which images the evaluation used, as the GUI's Results table shows it (from the run's results.json)
            assertEquals(Map.of("sample", dev.rali.engine.eval.ResultsTable.TEST_SPLIT),
                    dev.rali.engine.eval.PaperTables.imagesUsed(new dev.rali.engine.project.Runs(store), o.runId()));
            ModelBundle bundle = BundleExport.export(store, o.runId(), dir.resolve("m.rali-model"), false);
            // Scores are not clamped to [1, 5] (as the released scorer): what holds is that each is a softmax-weighted
            // mean of the bases' f, so it is finite and lies within [min f, max f] of the run's head.
            double fMin = Double.POSITIVE_INFINITY;
            double fMax = Double.NEGATIVE_INFINITY;
            for (float fi : bundle.head().f()) {
                fMin = Math.min(fMin, fi);
                fMax = Math.max(fMax, fi);
            }
            assertFalse(predicted.isEmpty());
            for (Map.Entry<Long, Double> e : predicted.entrySet()) {
                double v = e.getValue();
                assertTrue(Double.isFinite(v) && v >= fMin - 1e-6 && v <= fMax + 1e-6,
                        "image " + e.getKey() + ": " + v + " outside the bases' f range [" + fMin + ", " + fMax + "]");
            }
            assertEquals("sample", bundle.manifest().path("training_data").path("score_dataset").asText());
            assertEquals("cpu()", bundle.manifest().path("environment").path("device").asText(),
                    "the bundle says where its run computed");
            assertEquals("sample", bundle.manifest().path("params").path("data").path("scoreDataset").asText());
            // A run recorded by an older version (snake_case data keys) exports the same way: migrated on read.
            try (Statement s = store.connection().createStatement()) {
                s.executeUpdate("UPDATE runs SET params_json = '{\"data\":{\"score_dataset\":\"sample\","
                        + "\"align_datasets\":[\"sample\"]},\"encoder\":{\"embed_batch\":16},\"seed\":42}' "
                        + "WHERE id=" + o.runId());
            }
            ModelBundle old = BundleExport.export(store, o.runId(), dir.resolve("old.rali-model"), false);
            assertEquals("sample", old.manifest().path("training_data").path("score_dataset").asText());
            assertEquals("[\"sample\"]", old.manifest().path("training_data").path("align_datasets").toString());
            assertEquals(16, old.manifest().path("params").path("encoder").path("embedBatch").asInt());
            List<ScoreResult> scored = new ArrayList<>();
            try (BundleScorer scorer = BundleScorer.open(bundle.dir(), "cpu", 7)) {
                scorer.scoreAll(test.stream().map(ImageRow::path).toList(), scored::add, TaskContext.silent());
            }
            assertEquals(test.size(), scored.size());
            for (int i = 0; i < test.size(); i++) {
                assertTrue(scored.get(i).isOk(), scored.get(i).error());
                assertEquals(predicted.get(test.get(i).id()), scored.get(i).score(), 1e-4,
                        "the exported bundle scores " + test.get(i).name() + " as the project run did");
            }

            // A second run with the same parameters trains nothing: it reuses the aligned encoder and the head.
            List<String> logs = new ArrayList<>();
            RaliPipeline.Outcome again = pipeline.execute(store, "all", params("full"), logging(logs));
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("alignment: reusing")), String.join("\n", logs));
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("head: reusing")), String.join("\n", logs));
            assertEquals(row.report().plcc(), again.results().rows().get(0).report().plcc(), 1e-12);
        }
    }

    @Test
    void alignmentTakesOnlyListedSourcesLeavesOutWrongVerdictsAndCountsTheTextsItCuts() throws Exception {
        try (ProjectStore store = project(dir.resolve("sources.rali"))) {
            RaliPipeline pipeline = new RaliPipeline();
            List<String> teacher = dev.rali.engine.traces.TraceStore.sources(store);
            // A second source (a baseline model for Fig. 2, say): every third of its texts is longer than 77 tokens.
            List<dev.rali.engine.traces.TraceStore.NewTrace> baseline = new ArrayList<>();
            List<ImageRow> train = Datasets.images(store, "sample", "train");
            int longOnes = 0;
            for (int i = 0; i < train.size(); i++) {
                boolean cut = i % 3 == 0;
                longOnes += cut ? 1 : 0;
                String think = cut ? "blurry ".repeat(80) + "image" : "a sharp image number " + i;
                baseline.add(new dev.rali.engine.traces.TraceStore.NewTrace(train.get(i).id(), "baseline", 0,
                        "<think>" + think + "</think><answer>{\"rating\": 3}</answer>"));
            }
            dev.rali.engine.traces.TraceStore.upsertAll(store, baseline, new dev.rali.engine.traces.TraceParser());

            var teacherOnly = RaliPipeline.alignmentInput(store, pipeline.setup(store, params("full")
                    .with(ParamKeys.TRACE_SOURCES, teacher)));
            assertFalse(teacherOnly.idsCsv().contains(",baseline,"), "an unlisted source stays out");
            var everything = pipeline.setup(store, params("full"));
            assertEquals(new java.util.TreeSet<>(List.of("baseline", teacher.get(0))),
                    new java.util.TreeSet<>(everything.params.get(ParamKeys.TRACE_SOURCES)), "empty = every source");

            PipelineParams onlyBaseline = params("full").with(ParamKeys.TRACE_SOURCES, List.of("baseline"))
                    .with(ParamKeys.TEXT_CONTEXT, 300); // above the tower's 77 positions: the tower's limit applies
            var in = RaliPipeline.alignmentInput(store, pipeline.setup(store, onlyBaseline));
            assertEquals(train.size(), in.used());
            assertEquals(new AlignmentStage.Truncation(train.size(), longOnes, 77), in.truncation());
            assertNotEquals(teacherOnly.tracesId(), in.tracesId());

            long wrongId = Long.parseLong(in.idsCsv().split("\n")[1].split(",")[0]);
            dev.rali.engine.traces.TraceStore.setAudit(store, wrongId, dev.rali.engine.traces.TraceStore.Verdict.WRONG,
                    "describes another image");
            var audited = RaliPipeline.alignmentInput(store, pipeline.setup(store, onlyBaseline));
            assertEquals(train.size() - 1, audited.used());
            assertEquals(1, audited.excludedWrong());
            assertFalse(audited.idsCsv().contains("\n" + wrongId + ","), "the wrong trace is not used");
            var kept = RaliPipeline.alignmentInput(store, pipeline.setup(store,
                    onlyBaseline.with(ParamKeys.EXCLUDE_WRONG_TRACES, false)));
            assertEquals(train.size(), kept.used());

            var bad = assertThrows(IllegalArgumentException.class, () -> pipeline.setup(store,
                    params("full").with(ParamKeys.TRACE_SOURCES, List.of("qinsight"))));
            assertTrue(bad.getMessage().contains("data.traceSources names 'qinsight'"), bad.getMessage());
        }
    }

    @Test
    void cancelledAlignmentIsRecordedAndResumesFromItsCheckpoint() throws Exception {
        try (ProjectStore store = project(dir.resolve("cancel.rali"))) {
            RaliPipeline pipeline = new RaliPipeline();
            AtomicInteger steps = new AtomicInteger();
            TaskContext cancelAfterFirstEpoch = new TaskContext() {
                @Override public void progress(String phase, long done, long total, String message) { }
                @Override public void log(String line) { }
                @Override public void metric(String name, long step, double value) {
                    if (name.equals("align/val_loss")) {
                        steps.incrementAndGet();
                    }
                }
                @Override public boolean isCancelled() { return steps.get() >= 1; }
            };
            assertThrows(CancelledException.class,
                    () -> pipeline.execute(store, "align", params("full"), cancelAfterFirstEpoch));
            try (Statement s = store.connection().createStatement()) {
                assertEquals("cancelled", s.executeQuery("SELECT status FROM runs ORDER BY id DESC LIMIT 1").getString(1));
            }
            long cancelled = new dev.rali.engine.project.Runs(store).recent(1).get(0).id();
            List<String> logs = new ArrayList<>();
            RaliPipeline.Outcome resumed = pipeline.execute(store, "align", params("full"), logging(logs));
            assertTrue(logs.stream().anyMatch(l -> l.contains("resuming after epoch 1 of 2")), String.join("\n", logs));
            assertEquals(cancelled, new dev.rali.engine.project.Runs(store).get(resumed.runId()).parentRun(),
                    "the resumed run names the cancelled one as its parent");
        }
    }

    @Test
    void anUnreadableTrainingImageIsSkippedListedAndMarkedInsteadOfAbortingAlignment() throws Exception {
        try (ProjectStore store = project(dir.resolve("unreadable.rali"))) {
            ImageRow victim = Datasets.images(store, "sample", "train").get(0);
            Path broken = Files.writeString(dir.resolve("broken.png"), "not a png");
            try (var ps = store.connection().prepareStatement("UPDATE images SET path = ? WHERE id = ?")) {
                ps.setString(1, broken.toString());
                ps.setLong(2, victim.id());
                ps.executeUpdate();
            }
            PipelineParams p = params("full").with(ParamKeys.ALIGNMENT_EPOCHS, 1);
            List<String> logs = new ArrayList<>();
            RaliPipeline.Outcome o = new RaliPipeline().execute(store, "align", p, logging(logs));
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("alignment: skipped " + broken)), String.join("\n", logs));
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("alignment: 1 unreadable image(s) left out; 1 image "
                    + "row(s) marked excluded")), String.join("\n", logs));
            var excluded = dev.rali.engine.project.ImageExclusions.list(store, "sample");
            assertEquals(List.of(victim.name()), excluded.stream().map(e -> e.name()).toList());
            assertTrue(excluded.get(0).reason().startsWith("unreadable: "), excluded.get(0).reason());
            assertTrue(Datasets.images(store, "sample", "train").stream().noneMatch(r -> r.id() == victim.id()),
                    "later stages and runs leave it out");
            try (Statement s = store.connection().createStatement()) {
                assertEquals("done", s.executeQuery("SELECT status FROM runs WHERE id=" + o.runId()).getString(1));
            }
        }
    }

    /**
     * Epochs for the child-JVM tests: enough that a quiet machine (an epoch of the tiny project takes well under a
     * second) cannot finish the run before the test has killed or stopped it.
     */
    private static final int CHILD_EPOCHS = 30;

    /** `rali run --stage align` in a second JVM on a fresh copy of the tiny project. */
    private dev.rali.engine.testing.ChildJvm childRun(Path project, String log) throws Exception {
        project(project).close();
        PipelineParams p = params("full").with(ParamKeys.ALIGNMENT_EPOCHS, CHILD_EPOCHS);
        Path params = Files.writeString(dir.resolve(log + ".json"), p.toString());
        return dev.rali.engine.testing.ChildJvm.start(dev.rali.engine.cli.RaliCli.class, dir.resolve(log + ".log"),
                "run", "--project", project.toString(), "--params", params.toString(), "--stage", "align");
    }

    private static String lastRun(Path project, String column) throws Exception {
        try (ProjectStore store = ProjectStore.open(project); Statement s = store.connection().createStatement()) {
            return s.executeQuery("SELECT " + column + " FROM runs ORDER BY id DESC LIMIT 1").getString(1);
        }
    }

    @Test
    void aRunKilledWithKill9IsMarkedInterruptedOnTheNextOpenAndARerunResumesAndCompletes() throws Exception {
        Path project = dir.resolve("killed.rali");
        try (var child = childRun(project, "killed")) {
            // epoch 2's log line comes after epoch 1's checkpoint is on disk (epoch 1's own line comes before it); the
            // progress bar is no signal here: without a terminal it is drawn at most every 2 s
            child.awaitOutput(o -> o.contains("alignment epoch 2:"), java.time.Duration.ofMinutes(4));
            child.kill(); // destroyForcibly: no shutdown hook, no finally, the run row stays "running"
        }
        assertEquals("interrupted", lastRun(project, "status"));
        assertTrue(lastRun(project, "message").contains("re-run to resume"), lastRun(project, "message"));
        try (ProjectStore store = ProjectStore.open(project)) {
            List<String> logs = new ArrayList<>();
            PipelineParams p = params("full").with(ParamKeys.ALIGNMENT_EPOCHS, CHILD_EPOCHS);
            RaliPipeline.Outcome o = new RaliPipeline().execute(store, "align", p, logging(logs));
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("alignment: resuming after epoch")), String.join("\n", logs));
            try (Statement s = store.connection().createStatement()) {
                assertEquals("done", s.executeQuery("SELECT status FROM runs WHERE id=" + o.runId()).getString(1));
            }
        }
    }

    @Test
    void ctrlCOrSigtermRecordsTheRunAsCancelledAndSaysHowToResume() throws Exception {
        Path project = dir.resolve("sigterm.rali");
        try (var child = childRun(project, "sigterm")) {
            child.awaitOutput(o -> o.contains("alignment epoch 1:"), java.time.Duration.ofMinutes(4));
            child.process().destroy(); // SIGTERM: the same shutdown path as Ctrl-C
            int code = child.waitFor(java.time.Duration.ofSeconds(90));
            assertNotEquals(0, code);
            String out = child.output();
            assertTrue(out.contains("rali run: cancelled — re-run the same command to resume"), out);
        }
        assertEquals("cancelled", lastRun(project, "status"));
        try (ProjectLock free = ProjectLock.acquireProject(project, "test")) {
            assertTrue(free.stale().isEmpty(), "the cancelled command released its lock cleanly");
        }
    }

    @Test
    void noAlignmentAblationScoresWithTheBaseEncoderAndHeadStageNeedsAlignmentFirst() throws Exception {
        try (ProjectStore store = project(dir.resolve("ablation.rali"))) {
            RaliPipeline pipeline = new RaliPipeline();
            RaliPipeline.Outcome o = pipeline.execute(store, "all", params("no_alignment"), TaskContext.silent());
            assertEquals(encoder, o.encoderDir());
            try (Stream<Path> work = Files.list(store.artifactDir().resolve("work"))) {
                assertTrue(work.noneMatch(p -> p.getFileName().toString().startsWith("align-")));
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pipeline.execute(store, "head", params("full"), TaskContext.silent()));
            assertTrue(e.getMessage().contains("run the align stage first"), e.getMessage());
        }
    }

    @Test
    void ractModeAlignsOnTracesOfSeveralDatasetsButTakesScoresFromOne() throws Exception {
        try (ProjectStore store = project(dir.resolve("ract.rali"))) {
            Demo.importSample(store, sample, "second", TaskContext.silent());
            PipelineParams p = params("full").with(ParamKeys.SCORE_DATASET, "sample")
                    .with(ParamKeys.ALIGN_DATASETS, List.of("sample", "second"));
            List<String> logs = new ArrayList<>();
            RaliPipeline.Outcome o = new RaliPipeline().execute(store, "all", p, logging(logs));
            int trainPerDataset = Datasets.images(store, "sample", "train").size();
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("alignment: " + 2 * trainPerDataset
                    + " training") && l.endsWith("[sample, second]")), String.join("\n", logs));
            assertTrue(logs.stream().anyMatch(l -> l.startsWith("head: " + trainPerDataset + " training")
                    && l.endsWith("from 'sample'")), String.join("\n", logs));
            assertEquals(List.of("sample", "second"), o.results().rows().stream().map(r -> r.dataset()).toList(),
                    "every dataset's test split is evaluated");
        }
    }

    @Test
    void unknownStageAndDatasetGiveClearErrors() throws Exception {
        try (ProjectStore store = project(dir.resolve("errors.rali"))) {
            RaliPipeline pipeline = new RaliPipeline();
            var e1 = assertThrows(IllegalArgumentException.class,
                    () -> pipeline.execute(store, "bogus", params("full"), TaskContext.silent()));
            assertTrue(e1.getMessage().contains("unknown stage 'bogus'"));
            PipelineParams p = params("full").with(ParamKeys.SCORE_DATASET, "koniq");
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> pipeline.execute(store, "all", p, TaskContext.silent()));
            assertTrue(e2.getMessage().contains("no dataset 'koniq'"), e2.getMessage());
        }
    }

    @Test
    void cliRunExportScoreAndEmbedWorkTogether() throws Exception {
        Path project = dir.resolve("cli.rali");
        project(project).close();
        Path params = dir.resolve("params.json");
        Files.writeString(params, params("full").toString());
        var cli = dev.rali.engine.cli.RaliCli.commandLine();
        String out = capture(() -> assertEquals(0, cli.execute("run", "--project", project.toString(), "--params",
                params.toString(), "--set", "evaluate.bootstrap=0", "--name", "cli baseline", "--tag", "smoke",
                "--tag", "bs0")));
        assertTrue(out.contains("| sample"), out);
        long run;
        try (ProjectStore store = ProjectStore.open(project); Statement s = store.connection().createStatement()) {
            run = s.executeQuery("SELECT MAX(id) FROM runs WHERE status='done'").getLong(1);
        }
        Path bundle = dir.resolve("cli.rali-model");
        out = capture(() -> assertEquals(0, cli.execute("export", "--project", project.toString(), "--run",
                Long.toString(run), "--out", bundle.toString())));
        assertTrue(out.contains("bundle: " + bundle.toAbsolutePath()), out);

        // A folder with two good images and one corrupt file: exit 0, the bad file listed with its reason.
        Path folder = dir.resolve("to-score");
        Files.createDirectories(folder);
        Files.copy(sample.resolve("images").resolve(Files.list(sample.resolve("images")).sorted().findFirst()
                .orElseThrow().getFileName()), folder.resolve("a.png"));
        Files.copy(folder.resolve("a.png"), folder.resolve("b.png"));
        Files.writeString(folder.resolve("broken.jpg"), "not a jpeg");
        Path csv = dir.resolve("scores.csv");
        capture(() -> assertEquals(0, cli.execute("score", "--model", bundle.toString(), "--out", csv.toString(),
                folder.toString())));
        List<String> rows = Files.readAllLines(csv);
        assertEquals("file,score,status", rows.get(0));
        assertEquals(4, rows.size(), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.contains("broken.jpg") && r.contains("error:")), rows.toString());
        String a = rows.stream().filter(r -> r.contains("a.png")).findFirst().orElseThrow().split(",")[1];
        String b = rows.stream().filter(r -> r.contains("b.png")).findFirst().orElseThrow().split(",")[1];
        assertEquals(a, b, "identical images score identically");
        double score = Double.parseDouble(a);
        assertTrue(score >= 1 && score <= 5);

        Path emb = dir.resolve("emb.safetensors");
        capture(() -> assertEquals(0, cli.execute("embed", "--model", bundle.toString(), "--out", emb.toString(),
                folder.toString())));
        try (var r = dev.rali.engine.io.Safetensors.open(emb)) {
            assertArrayEquals(new long[] {2, 16}, r.info("embeddings").shape());
        }
        out = capture(() -> assertEquals(0, cli.execute("runs", "list", "--project", project.toString())));
        assertTrue(out.contains("pipeline") && out.contains("done"), out);
        assertTrue(out.contains("cli baseline") && out.contains("smoke,bs0"), "the run's name and tags: " + out);
    }

    static String capture(Runnable r) {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    static TaskContext logging(List<String> lines) {
        return new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) { }
            @Override public void log(String line) { lines.add(line); }
            @Override public boolean isCancelled() { return false; }
        };
    }
}
