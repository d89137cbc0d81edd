package dev.rali.engine.project;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The project's imported attention dumps ({@code attention_dumps}): the only SQL for that table. The dump files live
 * in {@code NAME.rali.d/attention/FOLDER/}; {@code analysis.attention.AttentionImporter} writes both.
 */
public final class AttentionDumpRecords {
    /** Sub-folder of the artifact folder holding the dump folders. */
    public static final String DIR = "attention";

    private final ProjectStore store;

    public AttentionDumpRecords(ProjectStore store) {
        this.store = store;
    }

    /** One imported dump; imageId, traceId, model and image/trace names may be null. */
    public record DumpRow(long id, String folder, String sourcePath, String sha256, Long imageId, String imageName,
                          Long traceId, String model, int tokens, int layers, int heads, int queries, String importedAt) { }

    /** What an import writes for one dump. */
    public record NewDump(String folder, String sourcePath, String sha256, Long imageId, Long traceId, String model,
                          int tokens, int layers, int heads, int queries) { }

    /** A trace of an image: id, seed and its reasoning ({@code <think>}) text. */
    public record TraceText(long id, long seed, String think) { }

    /** The folder of an imported dump. */
    public Path folder(DumpRow row) throws IOException {
        return store.artifactDir().resolve(DIR).resolve(row.folder());
    }

    public long insert(NewDump d) throws IOException {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO attention_dumps(folder, source_path, sha256, "
                    + "image_id, trace_id, model, tokens, layers, heads, queries) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, d.folder());
                ps.setString(2, d.sourcePath());
                ps.setString(3, d.sha256());
                setLong(ps, 4, d.imageId());
                setLong(ps, 5, d.traceId());
                ps.setString(6, d.model());
                ps.setInt(7, d.tokens());
                ps.setInt(8, d.layers());
                ps.setInt(9, d.heads());
                ps.setInt(10, d.queries());
                ps.executeUpdate();
                try (ResultSet rs = ps.getGeneratedKeys()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** All imported dumps in import order. */
    public List<DumpRow> list() throws IOException {
        return query("", null);
    }

    public Optional<DumpRow> findBySha(String sha256) throws IOException {
        return query(" WHERE a.sha256 = ?", sha256).stream().findFirst();
    }

    public boolean folderTaken(String folder) throws IOException {
        return !query(" WHERE a.folder = ?", folder).isEmpty();
    }

    /** The traces of one image (every source and seed), for linking a dump to the trace it generated. */
    public List<TraceText> tracesOf(long imageId) throws IOException {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, seed, think FROM traces WHERE image_id = ? ORDER BY id")) {
                ps.setLong(1, imageId);
                List<TraceText> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new TraceText(rs.getLong(1), rs.getLong(2), rs.getString(3)));
                    }
                }
                return out;
            }
        });
    }

    private List<DumpRow> query(String where, String arg) throws IOException {
        return sql(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT a.id, a.folder, a.source_path, a.sha256, a.image_id, "
                    + "i.name, a.trace_id, a.model, a.tokens, a.layers, a.heads, a.queries, a.imported_at "
                    + "FROM attention_dumps a LEFT JOIN images i ON i.id = a.image_id" + where + " ORDER BY a.id")) {
                if (arg != null) {
                    ps.setString(1, arg);
                }
                List<DumpRow> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DumpRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                nullableLong(rs, 5), rs.getString(6), nullableLong(rs, 7),
                                rs.getString(8), rs.getInt(9), rs.getInt(10), rs.getInt(11), rs.getInt(12),
                                rs.getString(13)));
                    }
                }
                return out;
            }
        });
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setLong(i, v);
        }
    }

    private <T> T sql(ProjectStore.SqlWork<T> work) throws IOException {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": attention dumps: " + e.getMessage(), e);
        }
    }
}
