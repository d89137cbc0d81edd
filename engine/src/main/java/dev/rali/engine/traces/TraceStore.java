package dev.rali.engine.traces;

import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.CsvTable;
import dev.rali.engine.project.ProjectStore;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code traces} and {@code trace_audit} tables of a project. A trace is keyed by (image, source, seed):
 * writing the same key again replaces its text and parse (the row id, and with it the audit, is kept), so imports
 * and generation runs are idempotent and resumable.
 */
public final class TraceStore {
    private TraceStore() { }

    /** A trace to write; parsed on write with the given parser. */
    public record NewTrace(long imageId, String source, long seed, String rawText) { }

    /** A stored trace with its image and dataset names. */
    public record TraceRow(long id, long imageId, String imageName, String dataset, String source, long seed,
                           String rawText, String think, String answer, Double score, ParseStatus status,
                           String createdAt) { }

    /** The key of a trace. */
    public record Key(long imageId, String source, long seed) { }

    /** A filter for {@link #list}; null fields do not filter. limit &lt;= 0: no limit. */
    public record Query(String dataset, String source, ParseStatus status, Long imageId, int limit, int offset) {
        public static Query all() {
            return new Query(null, null, null, null, 0, 0);
        }
    }

    /** Verdicts a reviewer gives a trace in the audit view. */
    public enum Verdict { OK, WRONG, UNSURE }

    public record Audit(long traceId, Verdict verdict, String note, String updatedAt) { }

    /** How a batch write went. */
    public record WriteResult(int inserted, int updated, int unchanged) {
        public int total() {
            return inserted + updated + unchanged;
        }
    }

    /** Inserts or replaces one trace; returns its id. */
    public static long upsert(ProjectStore store, NewTrace t, TraceParser parser) throws IOException {
        long[] id = new long[1];
        upsertAll(store, List.of(t), parser, id);
        return id[0];
    }

    /** Writes a batch in one transaction. */
    public static WriteResult upsertAll(ProjectStore store, List<NewTrace> traces, TraceParser parser) throws IOException {
        return upsertAll(store, traces, parser, null);
    }

    private static WriteResult upsertAll(ProjectStore store, List<NewTrace> traces, TraceParser parser, long[] lastId)
            throws IOException {
        try {
            return store.inTransaction(c -> {
                int ins = 0, upd = 0, same = 0;
                try (PreparedStatement find = c.prepareStatement(
                        "SELECT id, raw_text FROM traces WHERE image_id = ? AND source = ? AND seed = ?");
                     PreparedStatement insert = c.prepareStatement(
                             "INSERT INTO traces(image_id, seed, source, raw_text, think, answer, score, parse_status)"
                                     + " VALUES (?,?,?,?,?,?,?,?)");
                     PreparedStatement update = c.prepareStatement(
                             "UPDATE traces SET raw_text=?, think=?, answer=?, score=?, parse_status=? WHERE id=?")) {
                    for (NewTrace t : traces) {
                        if (t.source() == null || t.source().isBlank()) {
                            throw new IllegalArgumentException("trace for image " + t.imageId() + " has no source");
                        }
                        String raw = t.rawText() == null ? "" : t.rawText();
                        ParsedTrace p = parser.parse(raw);
                        find.setLong(1, t.imageId());
                        find.setString(2, t.source());
                        find.setLong(3, t.seed());
                        Long existing = null;
                        String oldRaw = null;
                        try (ResultSet rs = find.executeQuery()) {
                            if (rs.next()) {
                                existing = rs.getLong(1);
                                oldRaw = rs.getString(2);
                            }
                        }
                        if (existing == null) {
                            insert.setLong(1, t.imageId());
                            insert.setLong(2, t.seed());
                            insert.setString(3, t.source());
                            insert.setString(4, raw);
                            bindParsed(insert, 5, p);
                            insert.executeUpdate();
                            ins++;
                            if (lastId != null) {
                                try (var s = c.createStatement(); var rs = s.executeQuery("SELECT last_insert_rowid()")) {
                                    lastId[0] = rs.getLong(1);
                                }
                            }
                        } else {
                            if (raw.equals(oldRaw)) {
                                same++;
                            } else {
                                upd++;
                            }
                            // Re-parse even when unchanged so a newer parser fixes old rows.
                            update.setString(1, raw);
                            bindParsed(update, 2, p);
                            update.setLong(6, existing);
                            update.executeUpdate();
                            if (lastId != null) {
                                lastId[0] = existing;
                            }
                        }
                    }
                }
                return new WriteResult(ins, upd, same);
            });
        } catch (SQLException e) {
            throw new IOException(store.file() + ": cannot write traces: " + e.getMessage(), e);
        }
    }

    private static void bindParsed(PreparedStatement ps, int at, ParsedTrace p) throws SQLException {
        ps.setString(at, p.think());
        ps.setString(at + 1, p.answer());
        if (p.score() == null) {
            ps.setNull(at + 2, Types.REAL);
        } else {
            ps.setDouble(at + 2, p.score());
        }
        ps.setString(at + 3, p.status().dbValue());
    }

    /** Whether a trace with this key is stored. */
    public static boolean exists(ProjectStore store, Key key) throws IOException {
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM traces WHERE image_id = ? AND source = ? AND seed = ?")) {
                ps.setLong(1, key.imageId());
                ps.setString(2, key.source());
                ps.setLong(3, key.seed());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** All stored keys of one source (what a resumed generation run skips). */
    public static Set<Key> keys(ProjectStore store, String source) throws IOException {
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT image_id, seed FROM traces WHERE source = ?")) {
                ps.setString(1, source);
                Set<Key> out = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Key(rs.getLong(1), source, rs.getLong(2)));
                    }
                }
                return out;
            }
        });
    }

    private static final String SELECT = "SELECT t.id, t.image_id, i.name, d.name, t.source, t.seed, t.raw_text, t.think,"
            + " t.answer, t.score, t.parse_status, t.created_at FROM traces t JOIN images i ON i.id = t.image_id"
            + " JOIN datasets d ON d.id = i.dataset_id";

    /** Traces matching the query, ordered by dataset, image name, source, seed. */
    public static List<TraceRow> list(ProjectStore store, Query q) throws IOException {
        StringBuilder sql = new StringBuilder(SELECT).append(" WHERE 1=1");
        List<Object> args = new ArrayList<>();
        if (q.dataset() != null) {
            sql.append(" AND d.name = ?");
            args.add(q.dataset());
        }
        if (q.source() != null) {
            sql.append(" AND t.source = ?");
            args.add(q.source());
        }
        if (q.status() != null) {
            sql.append(" AND t.parse_status = ?");
            args.add(q.status().dbValue());
        }
        if (q.imageId() != null) {
            sql.append(" AND t.image_id = ?");
            args.add(q.imageId());
        }
        sql.append(" ORDER BY d.name, i.name, t.source, t.seed");
        if (q.limit() > 0) {
            sql.append(" LIMIT ").append(q.limit()).append(" OFFSET ").append(Math.max(0, q.offset()));
        }
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                List<TraceRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        double score = rs.getDouble(10);
                        Double boxed = rs.wasNull() ? null : score;
                        out.add(new TraceRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                boxed, ParseStatus.fromDb(rs.getString(11)), rs.getString(12)));
                    }
                }
                return out;
            }
        });
    }

    /** All traces of one image (every source and seed). */
    public static List<TraceRow> forImage(ProjectStore store, long imageId) throws IOException {
        return list(store, new Query(null, null, null, imageId, 0, 0));
    }

    /** Number of traces per parse status (every status present, zero if none), optionally for one dataset. */
    public static Map<ParseStatus, Long> countsByStatus(ProjectStore store, String dataset) throws IOException {
        return sql(store, c -> {
            Map<ParseStatus, Long> out = new EnumMap<>(ParseStatus.class);
            for (ParseStatus s : ParseStatus.values()) {
                out.put(s, 0L);
            }
            String sql = "SELECT t.parse_status, COUNT(*) FROM traces t JOIN images i ON i.id = t.image_id"
                    + " JOIN datasets d ON d.id = i.dataset_id" + (dataset == null ? "" : " WHERE d.name = ?")
                    + " GROUP BY t.parse_status";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (dataset != null) {
                    ps.setString(1, dataset);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(ParseStatus.fromDb(rs.getString(1)), rs.getLong(2));
                    }
                }
            }
            return out;
        });
    }

    /**
     * Histogram: number of traces per image → number of images with that many (images without traces count
     * under 0), optionally for one dataset. okOnly counts only OK traces.
     */
    public static Map<Integer, Long> tracesPerImage(ProjectStore store, String dataset, boolean okOnly) throws IOException {
        return sql(store, c -> {
            String sql = "SELECT n, COUNT(*) FROM (SELECT i.id, COUNT(t.id) AS n FROM images i"
                    + " JOIN datasets d ON d.id = i.dataset_id LEFT JOIN traces t ON t.image_id = i.id"
                    + (okOnly ? " AND t.parse_status = 'ok'" : "")
                    + (dataset == null ? "" : " WHERE d.name = ?") + " GROUP BY i.id) GROUP BY n ORDER BY n";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (dataset != null) {
                    ps.setString(1, dataset);
                }
                Map<Integer, Long> out = new TreeMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getInt(1), rs.getLong(2));
                    }
                }
                return out;
            }
        });
    }

    /** Trace counts per source. */
    public static Map<String, Long> countsBySource(ProjectStore store) throws IOException {
        return sql(store, c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            try (var s = c.createStatement();
                 var rs = s.executeQuery("SELECT source, COUNT(*) FROM traces GROUP BY source ORDER BY source")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return out;
        });
    }

    /**
     * Which traces may align the encoder: {@code sources} (empty = every source), {@code okOnly} (only complete
     * parses with a valid rating; otherwise every trace usable as reasoning: non-blank think, not cut off, e.g.
     * plain-text imports) and {@code excludeWrong} (leave out traces the audit marked "wrong").
     */
    public record Selection(List<String> sources, boolean okOnly, boolean excludeWrong) {
        public Selection {
            sources = List.copyOf(sources);
        }

        /** Every source, only OK parses, "wrong" verdicts excluded (the pipeline's defaults). */
        public static Selection defaults() {
            return new Selection(List.of(), true, true);
        }
    }

    /** One trace of the alignment corpus: its id (recorded by the run), source, seed and reasoning text. */
    public record CorpusTrace(long id, String source, long seed, String think) { }

    /**
     * The alignment corpus: image id → its selected traces in (source, seed) order, and how many traces the audit's
     * "wrong" verdict kept out.
     */
    public record Corpus(Map<Long, List<CorpusTrace>> byImage, int excludedWrong) { }

    /**
     * The reasoning corpus for alignment (Stage B) over one dataset or all (null), one split or all (null), as
     * {@code sel} selects. Images without a selected trace are absent. For RACT call it once per dataset or with null.
     */
    public static Corpus corpus(ProjectStore store, String datasetName, String split, Selection sel) throws IOException {
        StringBuilder sql = new StringBuilder("SELECT t.id, t.image_id, t.source, t.seed, t.think, a.verdict"
                + " FROM traces t JOIN images i ON i.id = t.image_id JOIN datasets d ON d.id = i.dataset_id"
                + " LEFT JOIN trace_audit a ON a.trace_id = t.id WHERE t.think IS NOT NULL AND TRIM(t.think) <> ''");
        List<String> args = new ArrayList<>();
        if (sel.okOnly()) {
            sql.append(" AND t.parse_status = 'ok'");
        } else {
            sql.append(" AND t.parse_status NOT IN ('unclosed_think', 'empty', 'no_think')");
        }
        if (datasetName != null) {
            sql.append(" AND d.name = ?");
            args.add(datasetName);
        }
        if (split != null) {
            sql.append(" AND i.split = ?");
            args.add(split);
        }
        if (!sel.sources().isEmpty()) {
            sql.append(" AND t.source IN (").append(String.join(",", java.util.Collections.nCopies(
                    sel.sources().size(), "?"))).append(")");
            args.addAll(sel.sources());
        }
        sql.append(" ORDER BY t.image_id, t.source, t.seed");
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                Map<Long, List<CorpusTrace>> out = new LinkedHashMap<>();
                int wrong = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (sel.excludeWrong() && "wrong".equals(rs.getString(6))) {
                            wrong++;
                            continue;
                        }
                        out.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(new CorpusTrace(rs.getLong(1),
                                rs.getString(3), rs.getLong(4), rs.getString(5)));
                    }
                }
                return new Corpus(out, wrong);
            }
        });
    }

    /**
     * The think texts of {@link #corpus(ProjectStore, String, String, Selection)} over every source, audit verdicts
     * ignored: okOnly keeps only OK traces, otherwise every trace usable as reasoning.
     */
    public static Map<Long, List<String>> corpus(ProjectStore store, String datasetName, String split, boolean okOnly)
            throws IOException {
        Map<Long, List<String>> out = new LinkedHashMap<>();
        corpus(store, datasetName, split, new Selection(List.of(), okOnly, false)).byImage().forEach((img, ts) ->
                out.put(img, ts.stream().map(CorpusTrace::think).toList()));
        return out;
    }

    /** The trace sources of the project, by name. */
    public static List<String> sources(ProjectStore store) throws IOException {
        return List.copyOf(countsBySource(store).keySet());
    }

    /** Sets (or clears, with verdict and note null) the audit of a trace. */
    public static void setAudit(ProjectStore store, long traceId, Verdict verdict, String note) throws IOException {
        sql(store, c -> {
            if (verdict == null && (note == null || note.isBlank())) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM trace_audit WHERE trace_id = ?")) {
                    ps.setLong(1, traceId);
                    ps.executeUpdate();
                }
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO trace_audit(trace_id, verdict, note) VALUES (?,?,?)"
                    + " ON CONFLICT(trace_id) DO UPDATE SET verdict = excluded.verdict, note = excluded.note,"
                    + " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')")) {
                ps.setLong(1, traceId);
                ps.setString(2, verdict == null ? null : verdict.name().toLowerCase(java.util.Locale.ROOT));
                ps.setString(3, note);
                ps.executeUpdate();
            } catch (SQLException e) {
                if (e.getMessage() != null && e.getMessage().contains("FOREIGN KEY")) {
                    throw new SQLException("trace " + traceId + " does not exist", e);
                }
                throw e;
            }
            return null;
        });
    }

    public static Optional<Audit> audit(ProjectStore store, long traceId) throws IOException {
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT verdict, note, updated_at FROM trace_audit WHERE trace_id = ?")) {
                ps.setLong(1, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    String v = rs.getString(1);
                    return Optional.of(new Audit(traceId, v == null ? null : Verdict.valueOf(v.toUpperCase(java.util.Locale.ROOT)),
                            rs.getString(2), rs.getString(3)));
                }
            }
        });
    }

    /**
     * Writes every audited trace as CSV (trace_id, dataset, image, source, seed, status, score, verdict, note,
     * updated_at, think) atomically; returns the number of rows.
     */
    public static int exportAuditCsv(ProjectStore store, Path out) throws IOException {
        List<String[]> rows = sql(store, c -> {
            List<String[]> r = new ArrayList<>();
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT t.id, d.name, i.name, t.source, t.seed,"
                    + " t.parse_status, t.score, a.verdict, a.note, a.updated_at, t.think FROM trace_audit a"
                    + " JOIN traces t ON t.id = a.trace_id JOIN images i ON i.id = t.image_id"
                    + " JOIN datasets d ON d.id = i.dataset_id ORDER BY d.name, i.name, t.source, t.seed")) {
                while (rs.next()) {
                    String[] row = new String[11];
                    for (int i = 0; i < 11; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    r.add(row);
                }
            }
            return r;
        });
        Path abs = out.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        try (AtomicFiles.Output o = AtomicFiles.open(abs)) {
            Writer w = o.writer();
            w.write("trace_id,dataset,image,source,seed,status,score,verdict,note,updated_at,think\n");
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) {
                        w.write(',');
                    }
                    w.write(CsvTable.quote(row[i]));
                }
                w.write('\n');
            }
            o.commit();
        }
        return rows.size();
    }

    private static <T> T sql(ProjectStore store, ProjectStore.SqlWork<T> work) throws IOException {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }
}
