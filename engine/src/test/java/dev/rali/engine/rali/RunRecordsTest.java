package dev.rali.engine.rali;

import dev.rali.engine.project.ProjectStore;
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
            try (RunRecords run = RunRecords.begin(store, "score_definition", params)) {
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
}
