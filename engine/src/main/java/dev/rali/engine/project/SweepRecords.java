package dev.rali.engine.project;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The project's sweeps ({@code sweeps}, {@code sweep_points}) and named parameter presets ({@code presets}): the only
 * SQL for those tables. A point is one setting × one seed; its status moves queued → running → done | failed |
 * cancelled | pruned (stopped early by the median rule). A point becomes {@code done} in the same statement that
 * stores its figures, so a process killed mid-point leaves it {@code running}; when the project is next opened with
 * its writer lock free such points become {@code interrupted}, and {@link #requeueUnfinished} queues them again.
 */
public final class SweepRecords {
    public static final String QUEUED = "queued";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";
    public static final String PRUNED = "pruned";
    public static final String INTERRUPTED = "interrupted";
    /** Sweep status while a cancel waits for the running point to reach a safe point. */
    public static final String CANCELLING = "cancelling";

    private static final String SWEEP_COLUMNS = "id, name, kind, spec_json, status, created_at, ended_at, message";
    private static final String POINT_COLUMNS = "id, sweep_id, idx, setting, seed, assignment_json, params_json, "
            + "status, cancel_requested, run_id, val_metric, test_plcc, test_srcc, reuse_json, seconds, started_at, "
            + "ended_at, message";

    private final ProjectStore store;

    public SweepRecords(ProjectStore store) {
        this.store = store;
    }

    /** A sweep as stored. */
    public record Sweep(long id, String name, String kind, String specJson, String status, String createdAt,
                        String endedAt, String message) { }

    /** A point as stored; the figures, run and timings are null until known. */
    public record Point(long id, long sweepId, int index, int setting, long seed, String assignmentJson,
                        String paramsJson, String status, boolean cancelRequested, Long runId, Double valMetric,
                        Double testPlcc, Double testSrcc, String reuseJson, Double seconds, String startedAt,
                        String endedAt, String message) {
        public boolean finished() {
            return !status.equals(QUEUED) && !status.equals(RUNNING) && !status.equals(INTERRUPTED);
        }
    }

    /** A point to queue. */
    public record NewPoint(int setting, long seed, String assignmentJson, String paramsJson) { }

    /** A named parameter set ("best of sweep 3"), runnable with {@code rali run --preset NAME}. */
    public record Preset(String name, String paramsJson, String source, String createdAt) { }

    /** Stores a sweep and queues its points, in one transaction; returns the sweep's id. */
    public long create(String name, String kind, String specJson, List<NewPoint> points) throws IOException {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one point");
        }
        return sql(c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sweeps(name, kind, spec_json) VALUES (?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, name);
                ps.setString(2, kind);
                ps.setString(3, specJson);
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sweep_points(sweep_id, idx, setting, seed, "
                    + "assignment_json, params_json) VALUES (?,?,?,?,?,?)")) {
                for (int i = 0; i < points.size(); i++) {
                    NewPoint p = points.get(i);
                    ps.setLong(1, id);
                    ps.setInt(2, i);
                    ps.setInt(3, p.setting());
                    ps.setLong(4, p.seed());
                    ps.setString(5, p.assignmentJson());
                    ps.setString(6, p.paramsJson());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return id;
        });
    }

    /** All sweeps, newest first. */
    public List<Sweep> list() throws IOException {
        return sweeps("SELECT " + SWEEP_COLUMNS + " FROM sweeps ORDER BY id DESC", null);
    }

    public Optional<Sweep> find(long id) throws IOException {
        return sweeps("SELECT " + SWEEP_COLUMNS + " FROM sweeps WHERE id = ?", id).stream().findFirst();
    }

    /** The sweep, or an error naming the project and how to list its sweeps. */
    public Sweep get(long id) throws IOException {
        return find(id).orElseThrow(() -> new IllegalArgumentException(store.file() + ": no sweep " + id
                + " (see `rali sweep list --project " + store.file() + "`)"));
    }

    /** The sweep's points in queue order. */
    public List<Point> points(long sweepId) throws IOException {
        return points("SELECT " + POINT_COLUMNS + " FROM sweep_points WHERE sweep_id = ? ORDER BY idx", sweepId);
    }

    public Point point(long pointId) throws IOException {
        return points("SELECT " + POINT_COLUMNS + " FROM sweep_points WHERE id = ?", pointId).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException(store.file() + ": no sweep point " + pointId));
    }

    /**
     * Takes the next queued point of the sweep (lowest index) and marks it running, atomically; empty when none is
     * left.
     */
    public synchronized Optional<Point> takeNext(long sweepId) throws IOException {
        Optional<Point> next = points("SELECT " + POINT_COLUMNS + " FROM sweep_points WHERE sweep_id = ? AND status = '"
                + QUEUED + "' ORDER BY idx LIMIT 1", sweepId).stream().findFirst();
        if (next.isPresent()) {
            update("UPDATE sweep_points SET status = '" + RUNNING + "', started_at = strftime('%Y-%m-%dT%H:%M:%fZ',"
                    + "'now'), ended_at = NULL, message = NULL WHERE id = ?", next.get().id());
            return Optional.of(point(next.get().id()));
        }
        return next;
    }

    /** Records which pipeline run a running point is. */
    public void linkRun(long pointId, long runId) throws IOException {
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sweep_points SET run_id = ? WHERE id = ?")) {
                ps.setLong(1, runId);
                ps.setLong(2, pointId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Ends a point: its status, figures (null when unknown), what it reused, its duration and a message. */
    public void finishPoint(long pointId, String status, Double valMetric, Double testPlcc, Double testSrcc,
                            String reuseJson, double seconds, String message) throws IOException {
        if (!List.of(DONE, FAILED, CANCELLED, PRUNED).contains(status)) {
            throw new IllegalArgumentException("point status must be done, failed, cancelled or pruned, got " + status);
        }
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sweep_points SET status = ?, val_metric = ?, "
                    + "test_plcc = ?, test_srcc = ?, reuse_json = ?, seconds = ?, message = ?, cancel_requested = 0, "
                    + "ended_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?")) {
                ps.setString(1, status);
                ps.setObject(2, finite(valMetric));
                ps.setObject(3, finite(testPlcc));
                ps.setObject(4, finite(testSrcc));
                ps.setString(5, reuseJson);
                ps.setDouble(6, seconds);
                ps.setString(7, message);
                ps.setLong(8, pointId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Queues again the points a dead process left {@code running} or {@code interrupted} (their half-written runs
     * stay in {@code runs} as interrupted and are never counted); returns how many. Finished points are untouched.
     */
    public int requeueUnfinished(long sweepId) throws IOException {
        return update("UPDATE sweep_points SET status = '" + QUEUED + "', cancel_requested = 0 WHERE sweep_id = ? "
                + "AND status IN ('" + RUNNING + "','" + INTERRUPTED + "')", sweepId);
    }

    /** Queues again the points that were cancelled with the whole sweep (not ones cancelled one by one). */
    public int requeueCancelledWithSweep(long sweepId) throws IOException {
        return update("UPDATE sweep_points SET status = '" + QUEUED + "', message = NULL WHERE sweep_id = ? AND status = '"
                + CANCELLED + "' AND message = 'sweep cancelled'", sweepId);
    }

    public void setStatus(long sweepId, String status, String message) throws IOException {
        boolean ended = List.of(DONE, CANCELLED, FAILED, INTERRUPTED).contains(status);
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sweeps SET status = ?, message = ?, ended_at = "
                    + (ended ? "strftime('%Y-%m-%dT%H:%M:%fZ','now')" : "NULL") + " WHERE id = ?")) {
                ps.setString(1, status);
                ps.setString(2, message);
                ps.setLong(3, sweepId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Asks a sweep to stop: its queued points become cancelled ("sweep cancelled"; {@code resume} queues them again)
     * and a running point is asked to stop at its next safe point. Works from another process than the one running
     * the sweep (it only writes rows; the runner polls them).
     */
    public void cancelSweep(long sweepId) throws IOException {
        Sweep s = get(sweepId);
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE sweep_points SET status = '" + CANCELLED + "', "
                    + "message = 'sweep cancelled' WHERE sweep_id = ? AND status IN ('" + QUEUED + "','" + INTERRUPTED
                    + "')")) {
                ps.setLong(1, sweepId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE sweep_points SET cancel_requested = 1 WHERE "
                    + "sweep_id = ? AND status = '" + RUNNING + "'")) {
                ps.setLong(1, sweepId);
                ps.executeUpdate();
            }
            return null;
        });
        boolean running = s.status().equals(RUNNING) || s.status().equals(CANCELLING);
        setStatus(sweepId, running ? CANCELLING : CANCELLED, "cancelled by the user");
    }

    /** Cancels one point by its index: a queued point at once, a running one at its next safe point. */
    public void cancelPoint(long sweepId, int index) throws IOException {
        Point p = points(sweepId).stream().filter(x -> x.index() == index).findFirst().orElseThrow(() ->
                new IllegalArgumentException("sweep " + sweepId + " has no point " + index));
        if (p.status().equals(RUNNING)) {
            update("UPDATE sweep_points SET cancel_requested = 1 WHERE id = ?", p.id());
        } else if (p.status().equals(QUEUED) || p.status().equals(INTERRUPTED)) {
            update("UPDATE sweep_points SET status = '" + CANCELLED + "', message = 'point cancelled' WHERE id = ?",
                    p.id());
        } else {
            throw new IllegalArgumentException("point " + index + " of sweep " + sweepId + " is already " + p.status());
        }
    }

    /** Whether the running point should stop: it was cancelled, or its whole sweep was. */
    public boolean cancelRequested(long pointId) throws IOException {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT p.cancel_requested, s.status FROM sweep_points p "
                    + "JOIN sweeps s ON s.id = p.sweep_id WHERE p.id = ?")) {
                ps.setLong(1, pointId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && (rs.getInt(1) != 0 || rs.getString(2).equals(CANCELLING)
                            || rs.getString(2).equals(CANCELLED));
                }
            }
        });
    }

    /** Saves (or replaces) a named preset. */
    public void savePreset(String name, String paramsJson, String source) throws IOException {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a preset needs a name");
        }
        sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO presets(name, params_json, source) VALUES "
                    + "(?,?,?) ON CONFLICT(name) DO UPDATE SET params_json = excluded.params_json, "
                    + "source = excluded.source, created_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')")) {
                ps.setString(1, name.strip());
                ps.setString(2, paramsJson);
                ps.setString(3, source);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Presets by name. */
    public List<Preset> presets() throws IOException {
        return sql(c -> {
            List<Preset> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT name, params_json, source, created_at FROM presets ORDER BY name")) {
                while (rs.next()) {
                    out.add(new Preset(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        });
    }

    /** The preset, or an error listing the project's presets. */
    public Preset preset(String name) throws IOException {
        List<Preset> all = presets();
        return all.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(store.file() + ": no preset '" + name + "' (have "
                        + all.stream().map(Preset::name).toList() + ")"));
    }

    // ---- recovery after a killed process (ProjectStore calls these with the writer lock free) ----

    static boolean anyRunning(ProjectStore store) throws IOException {
        return new SweepRecords(store).sql(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM "
                    + "sweep_points WHERE status = '" + RUNNING + "') OR EXISTS (SELECT 1 FROM sweeps WHERE status IN "
                    + "('" + RUNNING + "','" + CANCELLING + "'))")) {
                return rs.next() && rs.getInt(1) != 0;
            }
        });
    }

    /** Points and sweeps left running by a dead process: interrupted (cancelling ones: cancelled). */
    static void markInterrupted(ProjectStore store) throws IOException {
        new SweepRecords(store).sql(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE sweep_points SET status = '" + INTERRUPTED + "', message = 'the process "
                        + "running it ended; `rali sweep resume` runs it again' WHERE status = '" + RUNNING + "'");
                s.executeUpdate("UPDATE sweeps SET status = '" + CANCELLED + "' WHERE status = '" + CANCELLING + "'");
                s.executeUpdate("UPDATE sweeps SET status = '" + INTERRUPTED + "', message = 'the process running it "
                        + "ended; `rali sweep resume` continues it' WHERE status = '" + RUNNING + "'");
            }
            return null;
        });
    }

    // ---- plumbing ----

    private List<Sweep> sweeps(String sql, Long arg) throws IOException {
        return sql(c -> {
            List<Sweep> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (arg != null) {
                    ps.setLong(1, arg);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Sweep(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8)));
                    }
                }
            }
            return out;
        });
    }

    private List<Point> points(String sql, long arg) throws IOException {
        return sql(c -> {
            List<Point> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, arg);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Point(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getInt(4), rs.getLong(5),
                                rs.getString(6), rs.getString(7), rs.getString(8), rs.getInt(9) != 0, lng(rs, 10),
                                dbl(rs, 11), dbl(rs, 12), dbl(rs, 13), rs.getString(14), dbl(rs, 15), rs.getString(16),
                                rs.getString(17), rs.getString(18)));
                    }
                }
            }
            return out;
        });
    }

    private int update(String sql, long arg) throws IOException {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, arg);
                return ps.executeUpdate();
            }
        });
    }

    private <T> T sql(ProjectStore.SqlWork<T> work) throws IOException {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    private static Long lng(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : v;
    }

    private static Double dbl(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }
}
