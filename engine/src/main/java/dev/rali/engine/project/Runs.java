package dev.rali.engine.project;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Read side of a project's run records ({@code runs}, {@code run_metrics}, {@code artifacts}, {@code predictions}):
 * what {@code rali runs}, {@code rali export} and the app's pipeline and results views show. {@link RunRecords} writes
 * them. Every method is one SQL round trip.
 */
public final class Runs {
    private static final String RUN_COLUMNS = "id, stage, params_json, seed, code_version, parent_run, started_at, "
            + "ended_at, status, message, name, tags";

    private final ProjectStore store;

    public Runs(ProjectStore store) {
        this.store = store;
    }

    /**
     * One row of {@code runs}; seed, parentRun, endedAt, message and name may be null; tags are the researcher's
     * labels (empty list when none).
     */
    public record RunItem(long id, String stage, String paramsJson, Long seed, String codeVersion, Long parentRun,
                          String startedAt, String endedAt, String status, String message, String name,
                          List<String> tags) {
        public RunItem {
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        /** A run without a name or tags. */
        public RunItem(long id, String stage, String paramsJson, Long seed, String codeVersion, Long parentRun,
                       String startedAt, String endedAt, String status, String message) {
            this(id, stage, paramsJson, seed, codeVersion, parentRun, startedAt, endedAt, status, message, null,
                    List.of());
        }

        /** "run 12" or "run 12 · lr sweep": how views and tables name this run. */
        public String label() {
            return name == null || name.isBlank() ? "run " + id : "run " + id + " · " + name;
        }
    }

    public record MetricPoint(long step, double value) { }

    /** A run's prediction for one labelled image next to its normalised MOS. */
    public record Prediction(long imageId, String name, String split, double predicted, double mos) { }

    /** An output file of a run; {@code path} is resolved against the project's artifact folder. */
    public record Artifact(long id, String kind, Path path, String sha256) { }

    /** All runs, newest first. */
    public List<RunItem> list() throws SQLException {
        return query("SELECT " + RUN_COLUMNS + " FROM runs ORDER BY id DESC", List.of());
    }

    /** The {@code limit} most recent runs, newest first. */
    public List<RunItem> recent(int limit) throws SQLException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        return query("SELECT " + RUN_COLUMNS + " FROM runs ORDER BY id DESC LIMIT ?", List.of(limit));
    }

    public Optional<RunItem> find(long runId) throws SQLException {
        return query("SELECT " + RUN_COLUMNS + " FROM runs WHERE id = ?", List.of(runId)).stream().findFirst();
    }

    /** The run, or an error naming the project and how to list its runs. */
    public RunItem get(long runId) throws SQLException {
        return find(runId).orElseThrow(() -> new IllegalArgumentException(store.file() + ": no run " + runId
                + " (see `rali runs --project " + store.file() + "`)"));
    }

    /**
     * The latest run with this stage and exactly these parameters, when it is not done: the run a new one with the
     * same settings continues (its work folder and checkpoints are keyed by the same inputs). Empty when there is no
     * such run or the latest one finished.
     */
    public Optional<Long> unfinishedPredecessor(String stage, String paramsJson) throws SQLException {
        return query("SELECT " + RUN_COLUMNS + " FROM runs WHERE stage = ? AND params_json = ? ORDER BY id DESC LIMIT 1",
                List.of(stage, paramsJson)).stream()
                .filter(r -> !RunRecords.DONE.equals(r.status()))
                .map(RunItem::id)
                .findFirst();
    }

    /**
     * A number that changes whenever any connection (this process's job connection, a {@code rali run} in another
     * process) commits to the project: SQLite's {@code PRAGMA data_version} on this connection. One cheap query,
     * so views can poll it and reload only when it moved.
     */
    public long dataVersion() throws SQLException {
        try (PreparedStatement ps = prepare("PRAGMA data_version", List.of()); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Ids of the runs a sweep started (its points' runs): children of the sweep, not runs of their own. */
    public java.util.Set<Long> sweepRunIds() throws SQLException {
        java.util.Set<Long> out = new java.util.HashSet<>();
        try (PreparedStatement ps = prepare("SELECT run_id FROM sweep_points WHERE run_id IS NOT NULL", List.of());
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    /** The sweep point each run was started for, as the run list shows it: run id → "sweep S · point P" (1-based). */
    public Map<Long, String> sweepPointLabels() throws SQLException {
        Map<Long, String> out = new java.util.HashMap<>();
        try (PreparedStatement ps = prepare("SELECT run_id, sweep_id, idx FROM sweep_points WHERE run_id IS NOT NULL",
                List.of()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), "sweep " + rs.getLong(2) + " · point " + (rs.getLong(3) + 1));
            }
        }
        return out;
    }

    /** Runs that stored predictions (the Results view's choices), newest first. */
    public List<RunItem> withPredictions() throws SQLException {
        return query("SELECT " + RUN_COLUMNS + " FROM runs r WHERE EXISTS (SELECT 1 FROM predictions p "
                + "WHERE p.run_id = r.id) ORDER BY id DESC", List.of());
    }

    /** A run's metric series by name (name order), each in step order. */
    public Map<String, List<MetricPoint>> metrics(long runId) throws SQLException {
        Map<String, List<MetricPoint>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare("SELECT name, step, value FROM run_metrics WHERE run_id = ? "
                + "ORDER BY name, step", List.of(runId)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                        .add(new MetricPoint(rs.getLong(2), rs.getDouble(3)));
            }
        }
        return out;
    }

    /**
     * The run that computed the {@code kind} artifact {@code runId} recorded, when {@code runId} found it finished
     * in its work folder (a sweep point or ablation whose head another run trained): the earliest other run that
     * recorded the same file and has metrics. Empty when no other run did.
     */
    public Optional<Long> producer(long runId, String kind) throws SQLException {
        try (PreparedStatement ps = prepare("SELECT b.run_id FROM artifacts a JOIN artifacts b ON b.kind = a.kind "
                + "AND b.path = a.path AND b.run_id <> a.run_id WHERE a.run_id = ? AND a.kind = ? AND EXISTS "
                + "(SELECT 1 FROM run_metrics m WHERE m.run_id = b.run_id) ORDER BY b.run_id LIMIT 1",
                List.of(runId, kind)); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
        }
    }

    /**
     * Where a run computed its numbers ({@link RunEnvironment}), oldest first, one entry per start with a different
     * environment; empty for runs from before this record existed. Records that are gone or unreadable are skipped:
     * this is a label, not a figure.
     */
    public List<RunEnvironment> environments(long runId) throws SQLException, IOException {
        return RunEnvironment.of(this, runId);
    }

    /** A run's output files in the order they were recorded. */
    public List<Artifact> artifacts(long runId) throws SQLException, IOException {
        List<Artifact> out = new ArrayList<>();
        try (PreparedStatement ps = prepare("SELECT id, kind, path, sha256 FROM artifacts WHERE run_id = ? ORDER BY id",
                List.of(runId)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Artifact(rs.getLong(1), rs.getString(2), store.artifactDir().resolve(rs.getString(3)),
                        rs.getString(4)));
            }
        }
        return out;
    }

    /**
     * A run's predictions joined with MOS, grouped by dataset name (name order). Unlabelled images are left out:
     * they cannot enter a correlation.
     */
    public Map<String, List<Prediction>> predictions(long runId) throws SQLException {
        String sql = "SELECT d.name, i.id, i.name, i.split, p.score, m.normalised FROM predictions p "
                + "JOIN images i ON i.id = p.image_id JOIN datasets d ON d.id = i.dataset_id "
                + "JOIN mos m ON m.image_id = i.id WHERE p.run_id = ? ORDER BY d.name, i.name";
        Map<String, List<Prediction>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(sql, List.of(runId)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Prediction(rs.getLong(2),
                        rs.getString(3), rs.getString(4), rs.getDouble(5), rs.getDouble(6)));
            }
        }
        return out;
    }

    private List<RunItem> query(String sql, List<Object> args) throws SQLException {
        List<RunItem> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new RunItem(rs.getLong(1), rs.getString(2), rs.getString(3), lng(rs, 4), rs.getString(5),
                        lng(rs, 6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                        rs.getString(11), RunRecords.parseTags(rs.getString(12))));
            }
        }
        return out;
    }

    private PreparedStatement prepare(String sql, List<Object> args) throws SQLException {
        PreparedStatement ps = store.connection().prepareStatement(sql);
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
        return ps;
    }

    private static Long lng(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }
}
