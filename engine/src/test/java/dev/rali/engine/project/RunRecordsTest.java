package dev.rali.engine.project;

import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RunRecordsTest {

    @Test
    void recordsRunMetricsAndArtifacts(@TempDir Path tmp) throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p.rali"))) {
            RaliParams params = RaliParams.ablation("no_pca");
            long id;
            List<String> forwarded = new ArrayList<>();
            try (RunRecords run = RunRecords.begin(store, "score_definition", params.toJson(), params.seed)) {
                id = run.runId();
                TaskContext ctx = run.context(new TaskContext() {
                    @Override public void progress(String phase, long done, long total, String message) { }
                    @Override public void log(String line) { }
                    @Override public void metric(String name, long step, double value) {
                        forwarded.add(name + "@" + step);
                    }
                    @Override public boolean isCancelled() { return false; }
                });
                for (int i = 0; i < 1234; i++) { // more than one batch
                    ctx.metric("loss", i, 1.0 / (i + 1));
                }
                ctx.metric("val_plcc", 1, Double.NaN); // skipped, not an error
                run.metric("loss", 5, 42.0);        // replaces
                Path f = store.artifactDir().resolve("runs/1/bases.safetensors");
                Files.createDirectories(f.getParent());
                Files.writeString(f, "abc");
                run.artifact("bases", f);
                run.finish(RunRecords.DONE, "ok");
            }
            assertEquals(1235, forwarded.size());
            try (Statement s = store.connection().createStatement()) {
                ResultSet rs = s.executeQuery("SELECT stage, params_json, seed, code_version, status, message, ended_at "
                        + "FROM runs WHERE id=" + id);
                assertTrue(rs.next());
                assertEquals("score_definition", rs.getString(1));
                assertEquals(params, RaliParams.fromJson(rs.getString(2)));
                assertEquals(42, rs.getLong(3));
                assertEquals(dev.rali.engine.Version.CODE, rs.getString(4));
                assertEquals("done", rs.getString(5));
                assertEquals("ok", rs.getString(6));
                assertNotNull(rs.getString(7));
                rs = s.executeQuery("SELECT count(*), sum(name='val_plcc') FROM run_metrics WHERE run_id=" + id);
                assertEquals(1234, rs.getInt(1));
                assertEquals(0, rs.getInt(2));
                rs = s.executeQuery("SELECT value FROM run_metrics WHERE run_id=" + id + " AND name='loss' AND step=5");
                assertEquals(42.0, rs.getDouble(1));
                rs = s.executeQuery("SELECT kind, path, sha256 FROM artifacts WHERE run_id=" + id);
                assertTrue(rs.next());
                assertEquals("bases", rs.getString(1));
                assertEquals("runs/1/bases.safetensors", rs.getString(2));
                assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", rs.getString(3));
            }
        }
    }

    @Test
    void unfinishedRunIsRecordedAsFailedAndCancelAsCancelled(@TempDir Path tmp) throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p.rali"))) {
            long a;
            try (RunRecords run = RunRecords.begin(store, "pca", "{}", null)) {
                a = run.runId();
                run.metric("x", 0, 1);
            }
            long b;
            try (RunRecords run = RunRecords.begin(store, "bases", "{}", 1L, a)) {
                b = run.runId();
                run.finish(RunRecords.statusOf(new CancelledException()), "cancelled by the user");
            }
            try (Statement s = store.connection().createStatement()) {
                ResultSet rs = s.executeQuery("SELECT status FROM runs WHERE id=" + a);
                assertEquals("failed", rs.getString(1));
                rs = s.executeQuery("SELECT status, parent_run FROM runs WHERE id=" + b);
                assertEquals("cancelled", rs.getString(1));
                assertEquals(a, rs.getLong(2));
                rs = s.executeQuery("SELECT count(*) FROM run_metrics WHERE run_id=" + a);
                assertEquals(1, rs.getInt(1));
            }
            try (RunRecords run = RunRecords.begin(store, "x", "{}", null)) {
                assertThrows(IllegalArgumentException.class, () -> run.finish("weird", ""));
                assertThrows(java.io.IOException.class, () -> run.artifact("k", tmp.resolve("missing.bin")));
                run.finish(RunRecords.DONE, null);
            }
        }
    }

    @Test
    void predictionsAndArtifactsReadBackThroughRuns(@TempDir Path tmp) throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p.rali"))) {
            try (Statement s = store.connection().createStatement()) {
                s.execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'koniq', 'koniq')");
                s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split) VALUES "
                        + "(10, 1, '/x/a.png', 'a.png', 'h1', 'test'), (11, 1, '/x/b.png', 'b.png', 'h2', 'test')");
                s.execute("INSERT INTO mos(image_id, raw, normalised) VALUES (10, 25, 2.0), (11, 80, 4.2)");
            }
            Path head = store.artifactDir().resolve("work/head/rali.safetensors");
            Files.createDirectories(head.getParent());
            Files.writeString(head, "abc");
            long id;
            try (RunRecords run = RunRecords.begin(store, "evaluate", "{}", 7L)) {
                id = run.runId();
                run.predictions(java.util.Map.of(10L, 1.5, 11L, 3.0));
                run.predictions(java.util.Map.of(11L, 3.5)); // replaces the earlier score of b.png
                run.artifact("head", head);
                run.finish(RunRecords.DONE, "ok");
            }
            Runs runs = new Runs(store);
            var byDataset = runs.predictions(id);
            assertEquals(List.of(new Runs.Prediction(10, "a.png", "test", 1.5, 2.0),
                    new Runs.Prediction(11, "b.png", "test", 3.5, 4.2)), byDataset.get("koniq"));
            List<Runs.Artifact> artifacts = runs.artifacts(id);
            assertEquals(1, artifacts.size());
            assertEquals("head", artifacts.get(0).kind());
            assertEquals(head.toAbsolutePath().normalize(), artifacts.get(0).path().toAbsolutePath().normalize());
            assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                    artifacts.get(0).sha256());
            Runs.RunItem item = runs.get(id);
            assertEquals("done", item.status());
            assertEquals(7L, item.seed());
            assertEquals(List.of(id), runs.withPredictions().stream().map(Runs.RunItem::id).toList());
        }
    }

    @Test
    void aRerunOfAnUnfinishedRunRecordsItAsParent(@TempDir Path tmp) throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p.rali"))) {
            Runs runs = new Runs(store);
            long first;
            try (RunRecords run = RunRecords.resume(store, "pipeline", "{\"k\":1}", 3L)) {
                first = run.runId();
                run.finish(RunRecords.CANCELLED, "cancelled");
            }
            assertNull(runs.get(first).parentRun(), "nothing to resume the first time");
            long second;
            try (RunRecords run = RunRecords.resume(store, "pipeline", "{\"k\":1}", 3L)) {
                second = run.runId();
            } // closed unfinished: failed
            assertEquals(first, runs.get(second).parentRun());
            long third;
            try (RunRecords run = RunRecords.resume(store, "pipeline", "{\"k\":1}", 3L)) {
                third = run.runId();
                run.finish(RunRecords.DONE, "ok");
            }
            assertEquals(second, runs.get(third).parentRun(), "the latest unfinished attempt is the parent");
            try (RunRecords other = RunRecords.resume(store, "pipeline", "{\"k\":2}", 3L);
                 RunRecords after = RunRecords.resume(store, "pipeline", "{\"k\":1}", 3L)) {
                assertNull(runs.get(other.runId()).parentRun(), "other parameters: a new run");
                assertNull(runs.get(after.runId()).parentRun(), "the latest run with these parameters finished");
                other.finish(RunRecords.DONE, null);
                after.finish(RunRecords.DONE, null);
            }
        }
    }

    @Test
    void aRunHoldsTheProjectLockUntilItsEndIsRecorded(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("p.rali");
        try (ProjectStore store = ProjectStore.open(file)) {
            RunRecords run = RunRecords.begin(store, "align", "{}", 1L);
            ProjectLock.BusyException busy = assertThrows(ProjectLock.BusyException.class,
                    () -> ProjectLock.acquireProject(file, "rali run"));
            assertTrue(busy.getMessage().contains("run " + run.runId() + " (run align) by PID"), busy.getMessage());
            run.finish(RunRecords.CANCELLED, "cancelled; re-run to resume");
            try (ProjectLock free = ProjectLock.acquireProject(file, "rali run")) {
                assertTrue(free.stale().isEmpty());
            }
            run.close();
        }
    }

    @Test
    void aRunLeftRunningByADeadProcessIsMarkedInterruptedOnTheNextOpen(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("p.rali");
        try (ProjectStore store = ProjectStore.open(file); Statement s = store.connection().createStatement()) {
            // what a killed process leaves: a running row and nobody holding the lock
            s.execute("INSERT INTO runs(id, stage, params_json, code_version, status) VALUES (5, 'pipeline', '{}', 'x', 'running')");
        }
        try (ProjectLock other = ProjectLock.acquireProject(file, "rali run")) {
            try (ProjectStore store = ProjectStore.open(file)) {
                assertEquals("running", new Runs(store).get(5).status(), "a live writer's run is left alone");
            }
        }
        try (ProjectStore store = ProjectStore.open(file)) {
            Runs.RunItem r = new Runs(store).get(5);
            assertEquals(RunRecords.INTERRUPTED, r.status());
            assertTrue(r.message().contains("re-run to resume"), r.message());
            assertNotNull(r.endedAt());
        }
    }

    @Test
    void runsCarryANameAndTagsTheResearcherSets(@TempDir Path tmp) throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p.rali"))) {
            long id;
            try (RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L)) {
                id = run.runId();
                run.finish(RunRecords.DONE, "ok");
            }
            Runs runs = new Runs(store);
            assertEquals(null, runs.get(id).name());
            assertEquals(List.of(), runs.get(id).tags());
            assertEquals("run " + id, runs.get(id).label());
            new ProjectQueries(store).labelRun(id, "  lr sweep ", List.of(" a ", "", "b", "a"));
            assertEquals("lr sweep", runs.get(id).name());
            assertEquals(List.of("a", "b"), runs.get(id).tags());
            assertEquals("run " + id + " · lr sweep", runs.get(id).label());
            RunRecords.label(store, id, " ", List.of());
            assertEquals(null, runs.get(id).name());
            IllegalArgumentException comma = assertThrows(IllegalArgumentException.class,
                    () -> RunRecords.label(store, id, "x", List.of("a,b")));
            assertTrue(comma.getMessage().contains("'a,b' contains a comma"), comma.getMessage());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> RunRecords.label(store, 99, "x", List.of()));
            assertTrue(missing.getMessage().endsWith("no run 99"), missing.getMessage());
        }
    }

    @Test
    void dataVersionMovesWhenAnotherConnectionCommits(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("p.rali");
        try (ProjectStore reads = ProjectStore.open(file); ProjectStore writes = ProjectStore.open(file)) {
            Runs runs = new Runs(reads);
            long before = runs.dataVersion();
            assertEquals(before, runs.dataVersion(), "nothing committed: unchanged");
            try (RunRecords run = RunRecords.begin(writes, "align", "{}", null)) {
                long started = runs.dataVersion();
                assertNotEquals(before, started);
                run.metric("align/train_loss", 1, 0.5);
                run.flush();
                assertNotEquals(started, runs.dataVersion(), "a metric batch is a change too");
                run.finish(RunRecords.DONE, "ok");
            }
        }
    }
}
