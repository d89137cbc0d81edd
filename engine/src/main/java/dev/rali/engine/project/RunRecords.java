package dev.rali.engine.project;

import dev.rali.engine.io.FileHashes;
import dev.rali.engine.Version;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The record of one run being written to a project: a row of {@code runs} (stage, params_json, seed, code version,
 * status, end time, message), its metrics in {@code run_metrics} (buffered, inserted in batches) and its output
 * files in {@code artifacts} (kind, path relative to the project's artifact folder, sha256) and its scores in
 * {@code predictions}. {@link Runs} is the read side.
 * <pre>
 *   try (RunRecords run = RunRecords.begin(store, "train_head", params.toJson(), params.seed)) {
 *       TaskContext ctx = run.context(uiContext);   // metrics go to the UI and into run_metrics
 *       ... work ...
 *       run.artifact("bundle", file);
 *       run.finish(RunRecords.DONE, "val PLCC 0.91");
 *   }                                               // not finished → recorded as failed
 * </pre>
 * Thread-safe.
 */
public final class RunRecords implements AutoCloseable {
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    /** Set on the next open for a run whose process died without recording an end (kill -9, power loss). */
    public static final String INTERRUPTED = "interrupted";

    private static final int BATCH = 500;

    private final ProjectStore store;
    private final long runId;
    private final ProjectStore.Hold lock;
    private final List<Object[]> pending = new ArrayList<>();
    private boolean finished;

    private RunRecords(ProjectStore store, long runId, ProjectStore.Hold lock) {
        this.store = store;
        this.runId = runId;
        this.lock = lock;
    }

    /** Starts a run (status running). params: the settings as JSON text; seed may be null. */
    public static RunRecords begin(ProjectStore store, String stage, String paramsJson, Long seed) throws IOException {
        return begin(store, stage, paramsJson, seed, null);
    }

    /** Starts a run that belongs to a parent run (e.g. the stages of one pipeline run). */
    public static RunRecords begin(ProjectStore store, String stage, String paramsJson, Long seed, Long parentRun)
            throws IOException {
        if (stage == null || stage.isBlank()) {
            throw new IllegalArgumentException("a run needs a stage name");
        }
        // A run is `running` only while its process holds the project's writer lock, so a `running` row whose lock
        // is free belongs to a dead process (see markInterrupted). Reentrant: a command holding it shares it.
        ProjectStore.Hold lock = store.holdWriterLock("run " + stage);
        long id;
        try {
            id = insert(store, stage, paramsJson, seed, parentRun);
            store.writerLock().orElseThrow().runId(id); // the busy message names the newest run
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        return new RunRecords(store, id, lock);
    }

    private static long insert(ProjectStore store, String stage, String paramsJson, Long seed, Long parentRun)
            throws IOException {
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO runs(stage, params_json, seed, code_version, parent_run, status) VALUES (?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, stage);
                ps.setString(2, paramsJson == null ? "{}" : paramsJson);
                if (seed == null) {
                    ps.setNull(3, java.sql.Types.INTEGER);
                } else {
                    ps.setLong(3, seed);
                }
                ps.setString(4, Version.CODE);
                if (parentRun == null) {
                    ps.setNull(5, java.sql.Types.INTEGER);
                } else {
                    ps.setLong(5, parentRun);
                }
                ps.setString(6, RUNNING);
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /**
     * Marks every run still {@code running} as {@link #INTERRUPTED}: call only while holding the project's writer
     * lock, when such rows can only belong to a process that died without recording an end. {@code holder}: what
     * the dead process left in the lock file, named in the message when known. Returns how many runs were marked.
     */
    static int markInterrupted(ProjectStore store, ProjectLock.Holder holder) throws IOException {
        String who = holder == null ? "its process"
                : "its process (PID " + holder.pid() + ", " + holder.command() + ")";
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE runs SET status=?, message=?, "
                    + "ended_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE status=?")) {
                ps.setString(1, INTERRUPTED);
                ps.setString(2, "interrupted: " + who + " ended without recording an end (killed?); re-run to "
                        + "resume from the last checkpoint");
                ps.setString(3, RUNNING);
                return ps.executeUpdate();
            }
        });
    }

    /** Whether any run is recorded as running (cheap check before looking at the lock). */
    static boolean anyRunning(ProjectStore store) throws IOException {
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM runs WHERE status=? LIMIT 1")) {
                ps.setString(1, RUNNING);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Starts a run that may continue an earlier one: when the latest run with the same stage and parameters did not
     * finish (cancelled, failed, or killed while running), this run resumes its work folder and records it as
     * {@code parent_run}.
     */
    public static RunRecords resume(ProjectStore store, String stage, String paramsJson, Long seed) throws IOException {
        Long parent;
        try {
            parent = new Runs(store).unfinishedPredecessor(stage, paramsJson == null ? "{}" : paramsJson).orElse(null);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
        return begin(store, stage, paramsJson, seed, parent);
    }

    public long runId() {
        return runId;
    }

    /**
     * Sets a run's name (null or blank = none) and tags (trimmed, empty entries and repeats dropped; a tag may not
     * contain a comma, the stored separator). Any run, finished or not: naming is bookkeeping, not a result.
     */
    public static void label(ProjectStore store, long runId, String name, List<String> tags) throws IOException {
        java.util.LinkedHashSet<String> clean = new java.util.LinkedHashSet<>();
        for (String t : tags == null ? List.<String>of() : tags) {
            if (t != null && t.contains(",")) {
                throw new IllegalArgumentException("run tag '" + t + "' contains a comma (tags are separate words)");
            }
            if (t != null && !t.isBlank()) {
                clean.add(t.strip());
            }
        }
        String n = name == null || name.isBlank() ? null : name.strip();
        int updated = sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE runs SET name=?, tags=? WHERE id=?")) {
                ps.setString(1, n);
                ps.setString(2, String.join(",", clean));
                ps.setLong(3, runId);
                return ps.executeUpdate();
            }
        });
        if (updated == 0) {
            throw new IllegalArgumentException(store.file() + ": no run " + runId);
        }
    }

    /** The stored tags column as a list ("a,b" → [a, b]; empty or null → []). */
    static List<String> parseTags(String stored) {
        if (stored == null || stored.isBlank()) {
            return List.of();
        }
        return java.util.Arrays.stream(stored.split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
    }

    /** Buffers one metric value (a repeated (name, step) replaces the earlier value). NaN values are skipped. */
    public void metric(String name, long step, double value) throws IOException {
        if (Double.isNaN(value)) {
            return; // run_metrics.value is NOT NULL and SQLite stores NaN as NULL
        }
        boolean full;
        synchronized (this) {
            pending.add(new Object[] {name, step, value});
            full = pending.size() >= BATCH;
        }
        if (full) {
            flush();
        }
    }

    /** Writes buffered metrics in one transaction. */
    public void flush() throws IOException {
        List<Object[]> batch;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(pending);
            pending.clear();
        }
        sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO run_metrics(run_id, step, name, value) VALUES (?,?,?,?)")) {
                for (Object[] m : batch) {
                    ps.setLong(1, runId);
                    ps.setLong(2, (Long) m[1]);
                    ps.setString(3, (String) m[0]);
                    ps.setDouble(4, (Double) m[2]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * Records an output file: its sha256 and its path relative to the project's artifact folder (absolute when it
     * lies elsewhere). Returns the artifact id.
     */
    public long artifact(String kind, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": artifact file does not exist");
        }
        return artifact(kind, file, FileHashes.sha256(file));
    }

    /** As {@link #artifact(String, Path)} when the caller already hashed the file (a multi-GB encoder, say). */
    public long artifact(String kind, Path file, String sha) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": artifact file does not exist");
        }
        Path base = store.artifactDir().toAbsolutePath().normalize();
        Path abs = file.toAbsolutePath().normalize();
        String rel = abs.startsWith(base) ? base.relativize(abs).toString().replace('\\', '/') : abs.toString();
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO artifacts(run_id, kind, path, sha256) VALUES (?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, runId);
                ps.setString(2, kind);
                ps.setString(3, rel);
                ps.setString(4, sha);
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Stores this run's score per image id (replacing earlier ones of the same image) in one transaction. */
    public void predictions(Map<Long, Double> scoreByImage) throws IOException {
        sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO predictions(run_id, image_id, score) VALUES (?,?,?)")) {
                for (Map.Entry<Long, Double> e : scoreByImage.entrySet()) {
                    ps.setLong(1, runId);
                    ps.setLong(2, e.getKey());
                    ps.setDouble(3, e.getValue());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Flushes metrics and closes the run with a status (done, failed, cancelled) and a message. */
    public void finish(String status, String message) throws IOException {
        if (!List.of(DONE, FAILED, CANCELLED).contains(status)) {
            throw new IllegalArgumentException("run status must be done, failed or cancelled, got '" + status + "'");
        }
        flush();
        sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE runs SET status=?, message=?, ended_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?")) {
                ps.setString(1, status);
                ps.setString(2, message);
                ps.setLong(3, runId);
                ps.executeUpdate();
            }
            return null;
        });
        synchronized (this) {
            finished = true;
        }
        lock.close(); // the run's end is recorded: the project is free again (unless the command still holds it)
    }

    /** The status for an exception that ended a run: cancelled for a user cancel, failed otherwise. */
    public static String statusOf(Throwable t) {
        return t instanceof dev.rali.engine.task.CancelledException ? CANCELLED : FAILED;
    }

    /** A context that forwards everything to {@code delegate} and also stores every metric in run_metrics. */
    public TaskContext context(TaskContext delegate) {
        return new TaskContext() {
            @Override
            public void progress(String phase, long done, long total, String message) {
                delegate.progress(phase, done, total, message);
            }

            @Override
            public void log(String line) {
                delegate.log(line);
            }

            @Override
            public void metric(String name, long step, double value) {
                try {
                    RunRecords.this.metric(name, step, value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                delegate.metric(name, step, value);
            }

            @Override
            public boolean isCancelled() {
                return delegate.isCancelled();
            }
        };
    }

    /** Flushes; a run that was never finished is recorded as failed. */
    @Override
    public void close() throws IOException {
        boolean done;
        synchronized (this) {
            done = finished;
        }
        try {
            if (!done) {
                finish(FAILED, "ended without a result");
            } else {
                flush();
            }
        } finally {
            lock.close();
        }
    }

    private static <T> T sql(ProjectStore store, ProjectStore.SqlWork<T> work) throws IOException {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

}
