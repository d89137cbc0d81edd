package dev.rali.engine.sweep;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.sample.SampleProjectBuilder;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sweeps on a tiny synthetic project (3 photos × distortions, 48-px images, a 1-layer CLIP): every point recorded
 * with its parameters and figures, reuse asserted on counters, cancel and resume, and a SIGKILL mid-sweep.
 */
class SweepRunnerTest {
    @TempDir
    static Path dir;
    static Path sample;
    static Path encoder;

    @BeforeAll
    static void tinyProjectData() throws Exception {
        Path photos = SampleProjectBuilder.findPhotosDir(Path.of(""));
        Path few = SampleProjectBuilder.copySubset(photos, dir.resolve("photos"), Set.of("astronaut.png", "brick.png",
                "camera.png", "chelsea.png"));
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

    static PipelineParams base() {
        RaliParams p = RaliParams.ablation("full");
        p.alignment.epochs = 2;
        p.alignment.batchSize = 16;
        p.alignment.lr = 1e-3;
        p.alignment.warmupSteps = 2;
        p.compression.dim = 8;
        p.bases.count = 8;
        p.bases.buckets = 6;
        p.scoreDefinition.epochs = 5;
        return PipelineParams.defaults().withRali(p).with(ParamKeys.BOOTSTRAP, 0);
    }

    /** Records the metrics forwarded for each point. */
    static final class Recorder implements TaskContext {
        final List<String> metrics = new CopyOnWriteArrayList<>();
        final List<String> logs = new CopyOnWriteArrayList<>();

        @Override public void progress(String phase, long done, long total, String message) { }
        @Override public void log(String line) { logs.add(line); }
        @Override public void metric(String name, long step, double value) { metrics.add(name); }
        @Override public boolean isCancelled() { return false; }
    }

    @Test
    void aSmallGridRecordsEveryPointAndReusesTheEncoderAndEmbeddingsWhereOnlyTheHeadDiffers() throws Exception {
        try (ProjectStore store = project(dir.resolve("grid.rali"))) {
            SweepSpec spec = SweepSpec.grid("g", base(), "compression.dim=4,8;bases.count=6,8", 1,
                    SweepSpec.EarlyStop.OFF);
            long id = SweepRunner.create(store, spec);
            Recorder rec = new Recorder();
            SweepRunner.Summary s = new SweepRunner().run(store, id, 1, false, rec);
            assertEquals(4, s.done(), rec.logs.toString());
            assertEquals(SweepRecords.DONE, s.status());
            SweepReport r = SweepReport.of(store, id);
            Runs runs = new Runs(store);
            for (SweepReport.PointRow p : r.points()) {
                assertEquals(SweepRecords.DONE, p.status());
                assertNotNull(p.runId());
                assertNotNull(p.testPlcc());
                assertNotNull(p.valPlcc());
                PipelineParams recorded = PipelineParams.fromJson(runs.get(p.runId()).paramsJson());
                assertEquals(p.assignment().get("compression.dim"), recorded.get(ParamKeys.COMPRESSION_DIM));
                assertEquals(p.assignment().get("bases.count"), recorded.get(ParamKeys.BASES_COUNT));
                assertTrue(runs.metrics(p.runId()).containsKey(SweepRunner.VAL_METRIC), "curves recorded per run");
            }
            // point 0 aligns and embeds; the other three differ only in the head: encoder and embeddings reused
            RaliPipeline.Counts first = r.points().get(0).reuse();
            assertEquals(1, first.alignMisses());
            assertEquals(0, first.alignHits());
            assertTrue(first.embedMisses() > 0);
            for (SweepReport.PointRow p : r.points().subList(1, 4)) {
                assertEquals(1, p.reuse().alignHits(), "point " + p.index());
                assertEquals(0, p.reuse().alignMisses(), "point " + p.index());
                assertEquals(0, p.reuse().embedMisses(), "point " + p.index());
                assertTrue(p.reuse().embedHits() > 0);
                assertEquals(1, p.reuse().headMisses(), "a new head per setting");
            }
            // the live metrics name their point
            assertTrue(rec.metrics.contains(SweepRunner.pointMetric(3, SweepRunner.VAL_METRIC)), rec.metrics.toString());
            // the same grid again: every head is found finished
            long again = SweepRunner.create(store, spec);
            SweepRunner.Summary s2 = new SweepRunner().run(store, again, 1, false, TaskContext.silent());
            assertEquals(4, s2.reuse().headHits());
            assertEquals(0, s2.reuse().headMisses());
            assertEquals(0, s2.reuse().embedMisses());
            // a point whose head was found finished still gets the head's validation PLCC (it trained none)
            SweepReport r2 = SweepReport.of(store, again);
            for (int i = 0; i < 4; i++) {
                Long firstRun = r.points().get(i).runId();
                List<Runs.MetricPoint> headVal = runs.metrics(firstRun).get(SweepRunner.HEAD_VAL_METRIC);
                assertNotNull(headVal, "the trained head reported its validation PLCC");
                assertEquals(headVal.get(headVal.size() - 1).value(), r2.points().get(i).valPlcc(), 1e-9,
                        "point " + i + " of the rerun");
            }
            // nothing trained in the second sweep, yet every point has the curve of the run that trained its head
            Runs again2 = new Runs(store);
            var firstCurves = SweepService.engine().curves(store, id);
            var againCurves = SweepService.engine().curves(store, again);
            for (SweepRecords.Point p : new SweepRecords(store).points(again)) {
                assertFalse(again2.metrics(p.runId()).containsKey(SweepRunner.VAL_METRIC), "its run trained nothing");
                assertEquals(firstCurves.get(p.index()).get(SweepRunner.VAL_METRIC),
                        againCurves.get(p.index()).get(SweepRunner.VAL_METRIC), "point " + p.index());
                assertEquals(firstCurves.get(p.index()).get("align/val_loss"),
                        againCurves.get(p.index()).get("align/val_loss"), "the encoder's curve too");
            }
            // importance, best and preset
            assertEquals(2, r.importance("test_plcc").size());
            String src = SweepPresets.saveBest(store, id, "best-g", null, "val_plcc");
            assertTrue(src.startsWith("sweep " + id + ", setting "), src);
            assertEquals(r.bestParams("val_plcc").orElseThrow(), SweepPresets.load(store, "best-g"));
            assertTrue(r.table(store).toMarkdown().contains("| compression.dim | bases.count |"),
                    r.table(store).toMarkdown());
        }
    }

    @Test
    void aGridOverAnUpstreamKeyAlignsAndEmbedsAgainForEachEncoderInsteadOfReusingTheFirst() throws Exception {
        try (ProjectStore store = project(dir.resolve("upstream.rali"))) {
            // alignment.epochs changes the aligned encoder: the second point must miss the align cache and embed
            // every image with its own encoder (a hit here would score it with the first point's embeddings)
            long id = SweepRunner.create(store, SweepSpec.grid("u", base(), "alignment.epochs=1,2", 1,
                    SweepSpec.EarlyStop.OFF));
            SweepRunner.Summary s = new SweepRunner().run(store, id, 1, false, TaskContext.silent());
            assertEquals(2, s.done());
            SweepReport r = SweepReport.of(store, id);
            RaliPipeline.Counts first = r.points().get(0).reuse();
            RaliPipeline.Counts second = r.points().get(1).reuse();
            for (RaliPipeline.Counts c : List.of(first, second)) {
                assertEquals(1, c.alignMisses(), c.toString());
                assertEquals(0, c.alignHits(), c.toString());
                assertEquals(0, c.embedHits(), "no embeddings of another encoder reused: " + c);
                assertEquals(1, c.headMisses(), c.toString());
            }
            assertTrue(first.embedMisses() > 0, first.toString());
            assertEquals(first.embedMisses(), second.embedMisses(), "the same images, embedded again: " + second);
            // each point's run records its own encoder
            Runs runs = new Runs(store);
            assertEquals(1, PipelineParams.fromJson(runs.get(r.points().get(0).runId()).paramsJson())
                    .get(ParamKeys.ALIGNMENT_EPOCHS));
            assertEquals(2, PipelineParams.fromJson(runs.get(r.points().get(1).runId()).paramsJson())
                    .get(ParamKeys.ALIGNMENT_EPOCHS));
        }
    }

    @Test
    void cancelledPointsStayCancelledAndAResumedSweepRunsOnlyWhatIsLeft() throws Exception {
        try (ProjectStore store = project(dir.resolve("cancel.rali"))) {
            long id = SweepRunner.create(store, SweepSpec.grid("c", base(), "bases.count=5,6,7", 1,
                    SweepSpec.EarlyStop.OFF));
            SweepRecords rec = new SweepRecords(store);
            rec.cancelPoint(id, 1);
            rec.cancelSweep(id);
            assertEquals(SweepRecords.CANCELLED, rec.get(id).status());
            assertEquals(List.of("cancelled", "cancelled", "cancelled"), rec.points(id).stream()
                    .map(SweepRecords.Point::status).toList());
            SweepRunner.Summary plain = new SweepRunner().run(store, id, 1, false, TaskContext.silent());
            assertEquals(0, plain.ran(), "a plain run leaves a cancelled sweep's points alone");
            SweepRunner.Summary resumed = new SweepRunner().run(store, id, 1, true, TaskContext.silent());
            assertEquals(2, resumed.ran());
            assertEquals(List.of("done", "cancelled", "done"), rec.points(id).stream()
                    .map(SweepRecords.Point::status).toList());
            assertEquals("point cancelled", rec.points(id).get(1).message());
            assertEquals(0, new SweepRunner().run(store, id, 1, true, TaskContext.silent()).ran(),
                    "finished points are never repeated");
        }
    }

    @Test
    void theMedianRuleStopsAPointBelowTheMedianOfFinishedPointsAfterWarmup() {
        var rule = new SweepRunner.EarlyStopRule(true, 2, 3);
        List<Map<Long, Double>> done = List.of(Map.of(3L, 0.5, 4L, 0.6), Map.of(3L, 0.7, 4L, 0.8));
        assertFalse(rule.prune(2, 0.0, done), "warm-up epochs are never stopped");
        assertTrue(rule.prune(3, 0.59, done), "median at epoch 3 is 0.6");
        assertFalse(rule.prune(3, 0.61, done));
        assertFalse(rule.prune(5, 0.0, done), "no finished values at epoch 5");
        assertFalse(new SweepRunner.EarlyStopRule(true, 3, 0).prune(3, 0.0, done), "fewer finished than required");
        assertFalse(new SweepRunner.EarlyStopRule(false, 1, 0).prune(3, 0.0, done), "off");
    }

    @Test
    void earlyStoppedPointsArePrunedAndTheirRunsAreNotCountedAsDone() throws Exception {
        try (ProjectStore store = project(dir.resolve("prune.rali"))) {
            // The first two points fit the score definition and set the median; the third's learning rate of 1e-7
            // keeps μ and f where k-means put them, so its validation curve stays flat at the unfitted bases' value
            // and is below the fitted heads' median at the first epoch after warm-up (measured: 0.065 against 0.23 / 0.24
            // at epoch 2; training is repeatable, so this is the same on every run): always pruned.
            PipelineParams b = base().with(ParamKeys.SCORE_DEFINITION_EPOCHS, 12);
            long id = SweepRunner.create(store, SweepSpec.grid("p", b, "scoreDefinition.lr=0.03,0.05,0.0000001", 1,
                    new SweepSpec.EarlyStop(true, 2, 2)));
            new SweepRunner().run(store, id, 1, false, TaskContext.silent());
            List<SweepRecords.Point> pts = new SweepRecords(store).points(id);
            Runs runs = new Runs(store);
            StringBuilder curves = new StringBuilder();
            for (SweepRecords.Point p : pts) {
                curves.append(p.index()).append(' ').append(p.status()).append(' ')
                        .append(runs.metrics(p.runId()).get(SweepRunner.VAL_METRIC).stream()
                                .map(m -> String.format("%d:%.4f", m.step(), m.value())).toList()).append('\n');
            }
            assertEquals(List.of(SweepRecords.DONE, SweepRecords.DONE, SweepRecords.PRUNED),
                    pts.stream().map(SweepRecords.Point::status).toList(), curves.toString());
            SweepRecords.Point last = pts.get(2);
            assertTrue(last.message().contains("median"), last.message());
            assertEquals("cancelled", runs.get(last.runId()).status());
            assertEquals(null, last.testPlcc(), "a pruned point has no test figures");
            assertTrue(runs.metrics(last.runId()).get(SweepRunner.VAL_METRIC).size() < 12,
                    "stopped before its last epoch: " + curves);
        }
    }

    @Test
    void aSweepKilledWithSigkillResumesWithoutRepeatingFinishedPointsOrCountingTheHalfWrittenRun() throws Exception {
        Path project = dir.resolve("killed.rali");
        project(project).close();
        // slow heads, so the kill lands inside a point
        PipelineParams b = base().with(ParamKeys.SCORE_DEFINITION_EPOCHS, 2000);
        Path params = Files.writeString(dir.resolve("killed.json"), b.toString());
        try (var child = dev.rali.engine.testing.ChildJvm.start(dev.rali.engine.cli.RaliCli.class,
                dir.resolve("killed.log"), "sweep", "run", "--project", project.toString(), "--params",
                params.toString(), "--grid", "bases.count=5,6,7")) {
            child.awaitOutput(o -> o.contains(": point 0 done in"), Duration.ofMinutes(5));
            child.awaitOutput(o -> o.contains("point 1: "), Duration.ofMinutes(2));
            child.kill();
        }
        Map<Integer, Long> doneBefore = new HashMap<>();
        long sweepId;
        try (ProjectStore store = ProjectStore.open(project)) { // the next open finds the dead process's rows
            SweepRecords rec = new SweepRecords(store);
            sweepId = rec.list().get(0).id();
            assertEquals(SweepRecords.INTERRUPTED, rec.get(sweepId).status());
            List<SweepRecords.Point> pts = rec.points(sweepId);
            List<Long> interruptedRuns = new ArrayList<>();
            for (SweepRecords.Point p : pts) {
                if (p.status().equals(SweepRecords.DONE)) {
                    doneBefore.put(p.index(), p.runId());
                    assertEquals("done", new Runs(store).get(p.runId()).status());
                } else if (p.status().equals(SweepRecords.INTERRUPTED)) {
                    assertNotNull(p.runId());
                    assertEquals("interrupted", new Runs(store).get(p.runId()).status(), "the half-written run");
                    interruptedRuns.add(p.runId());
                }
            }
            assertTrue(doneBefore.containsKey(0));
            assertTrue(doneBefore.size() < 3, "killed before the end: " + pts);
            assertEquals(1, interruptedRuns.size(), "the point that was running: " + pts);
            SweepRunner.Summary s = new SweepRunner().run(store, sweepId, 1, true, TaskContext.silent());
            assertEquals(3 - doneBefore.size(), s.ran(), "only the unfinished points ran again");
            List<SweepRecords.Point> after = rec.points(sweepId);
            for (SweepRecords.Point p : after) {
                assertEquals(SweepRecords.DONE, p.status());
                if (doneBefore.containsKey(p.index())) {
                    assertEquals(doneBefore.get(p.index()), p.runId(), "finished point " + p.index() + " not repeated");
                } else {
                    assertFalse(interruptedRuns.contains(p.runId()), "the interrupted run is not the point's result");
                    assertEquals("done", new Runs(store).get(p.runId()).status());
                }
            }
        }
    }

    @Test
    void sweepRunWithParallelTwoRunsEveryPointOnceAndLeavesTheQueueDone() throws Exception {
        Path project = dir.resolve("parallel.rali");
        project(project).close();
        Path params = Files.writeString(dir.resolve("parallel.json"), base().toString());
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stderr = System.err;
        int code;
        System.setErr(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
        try { // the command's progress and log lines go to the console (System.err), its report to out
            picocli.CommandLine cl = dev.rali.engine.cli.RaliCli.commandLine();
            cl.setOut(new java.io.PrintWriter(out));
            cl.setErr(new java.io.PrintWriter(err));
            code = cl.execute("sweep", "run", "--project", project.toString(), "--params", params.toString(),
                    "--grid", "bases.count=5,6,7", "--parallel", "2", "--json");
        } finally {
            System.setErr(stderr);
        }
        String log = console.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code, err + log);
        assertTrue(log.contains("sweep: 2 point(s) at a time (asked 2;"), log);
        var json = SweepSpec.JSON.readTree(out.toString());
        assertEquals(SweepRecords.DONE, json.get("status").asText(), out.toString());
        assertEquals(3, json.get("points").size());
        try (ProjectStore store = ProjectStore.open(project)) {
            SweepRecords rec = new SweepRecords(store);
            long id = rec.list().get(0).id();
            assertEquals(1, rec.list().size());
            assertEquals(SweepRecords.DONE, rec.get(id).status());
            assertEquals("3 done, 0 pruned, 0 failed, 0 cancelled", rec.get(id).message());
            List<SweepRecords.Point> pts = rec.points(id);
            assertEquals(List.of(0, 1, 2), pts.stream().map(SweepRecords.Point::index).toList());
            assertTrue(pts.stream().allMatch(p -> p.status().equals(SweepRecords.DONE) && p.runId() != null
                    && p.valMetric() != null && p.testPlcc() != null), pts.toString());
            // each point recorded once: one run per point, no run left over from a point started twice
            List<Long> pointRuns = pts.stream().map(SweepRecords.Point::runId).sorted().toList();
            Runs runs = new Runs(store);
            assertEquals(pointRuns, runs.list().stream().map(Runs.RunItem::id).sorted().toList());
            for (long r : pointRuns) {
                assertEquals("done", runs.get(r).status());
            }
            // point 0 had a new upstream and ran alone; the two after it reused its encoder and embeddings
            SweepReport report = SweepReport.of(store, id);
            RaliPipeline.Counts total = report.reuse();
            assertEquals(1, total.alignMisses());
            assertEquals(2, total.alignHits());
            assertEquals(3, total.headMisses(), "a head per setting");
            for (SweepReport.PointRow p : report.points().subList(1, 3)) {
                assertEquals(0, p.reuse().embedMisses(), "point " + p.index());
            }
            String table = report.table(store).toMarkdown();
            store.close(); // the commands below open the project themselves
            // the queue is empty: resuming finds nothing to do; resume and show print the same results block
            java.io.StringWriter resumed = new java.io.StringWriter();
            picocli.CommandLine resume = dev.rali.engine.cli.RaliCli.commandLine();
            resume.setOut(new java.io.PrintWriter(resumed));
            assertEquals(0, resume.execute("sweep", "resume", "--project", project.toString(), Long.toString(id)));
            String r = resumed.toString();
            assertTrue(r.startsWith("sweep " + id + " done: 3 done, 0 pruned, 0 failed, 0 cancelled, 0 left"), r);
            assertTrue(r.contains("reuse in this run: aligned encoder 0 hit / 0 computed, head 0 / 0"), r);
            java.io.StringWriter shown = new java.io.StringWriter();
            picocli.CommandLine show = dev.rali.engine.cli.RaliCli.commandLine();
            show.setOut(new java.io.PrintWriter(shown));
            assertEquals(0, show.execute("sweep", "show", "--project", project.toString(), Long.toString(id)));
            String sh = shown.toString();
            assertTrue(sh.contains("reuse over all points: aligned encoder 2 hit / 1 computed, head 0 / 3"), sh);
            for (String text : List.of(r, sh)) {
                assertTrue(text.contains(table), text);
                assertTrue(text.contains("\nbest by val_plcc: setting "), text);
                assertTrue(text.contains("parameter importance (η²"), text);
            }
        }
    }
}
