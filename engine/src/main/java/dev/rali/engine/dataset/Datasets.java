package dev.rali.engine.dataset;

import dev.rali.engine.project.ProjectStore;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Read side of the imported datasets: what the CLI's list/show, the app's dataset view and the pipeline use. */
public final class Datasets {
    private Datasets() { }

    /** Every dataset of the project, by name. */
    public static List<DatasetSummary> list(ProjectStore store) throws SQLException {
        return summaries(store, null);
    }

    /** The dataset's summary; an IOException naming the dataset and the known ones when absent. */
    public static DatasetSummary get(ProjectStore store, String name) throws SQLException, IOException {
        return summaries(store, idOf(store, name)).get(0);
    }

    static long idOf(ProjectStore store, String name) throws SQLException, IOException {
        try (PreparedStatement ps = store.connection().prepareStatement("SELECT id FROM datasets WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (DatasetSummary s : list(store)) {
            names.add(s.name());
        }
        throw new IOException(store.file() + ": no dataset named '" + name + "' (datasets: "
                + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }

    /** Summaries of every dataset (id null) or of one, in name order: two queries however many datasets. */
    private static List<DatasetSummary> summaries(ProjectStore store, Long id) throws SQLException {
        var c = store.connection();
        Map<Long, Map<String, Integer>> splits = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT dataset_id, split, COUNT(*) FROM images"
                + (id == null ? "" : " WHERE dataset_id = ?") + " GROUP BY dataset_id, split")) {
            if (id != null) {
                ps.setLong(1, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    splits.computeIfAbsent(rs.getLong(1), k -> new TreeMap<>()).put(rs.getString(2), rs.getInt(3));
                }
            }
        }
        String sql = """
                SELECT d.id, d.name, d.layout, d.source_path, d.score_min, d.score_max, d.lower_is_better, d.split_seed,
                       (SELECT COUNT(*) FROM images i JOIN traces t ON t.image_id = i.id WHERE i.dataset_id = d.id),
                       m.n, m.raw_min, m.raw_max, m.norm_min, m.norm_max, m.norm_mean
                FROM datasets d LEFT JOIN (
                    SELECT i.dataset_id AS dataset_id, COUNT(*) AS n, MIN(m.raw) AS raw_min, MAX(m.raw) AS raw_max,
                           MIN(m.normalised) AS norm_min, MAX(m.normalised) AS norm_max, AVG(m.normalised) AS norm_mean
                    FROM mos m JOIN images i ON i.id = m.image_id GROUP BY i.dataset_id) m ON m.dataset_id = d.id
                """ + (id == null ? "" : " WHERE d.id = ?") + " ORDER BY d.name";
        List<DatasetSummary> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (id != null) {
                ps.setLong(1, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long dsId = rs.getLong(1);
                    long s = rs.getLong(8);
                    Long seed = rs.wasNull() ? null : s;
                    Map<String, Integer> sp = splits.getOrDefault(dsId, Map.of());
                    int count = sp.values().stream().mapToInt(Integer::intValue).sum();
                    int labelled = rs.getInt(10);
                    out.add(new DatasetSummary(dsId, rs.getString(2), rs.getString(3), rs.getString(4), count, labelled,
                            rs.getInt(9), sp, rs.getDouble(5), rs.getDouble(6), rs.getInt(7) != 0, seed,
                            dbl(rs, 11, labelled), dbl(rs, 12, labelled), dbl(rs, 13, labelled), dbl(rs, 14, labelled),
                            dbl(rs, 15, labelled)));
                }
            }
        }
        return out;
    }

    private static Double dbl(ResultSet rs, int col, int labelled) throws SQLException {
        double v = rs.getDouble(col);
        return labelled == 0 || rs.wasNull() ? null : v;
    }

    /**
     * The dataset's images in import order; split null = all splits. Excluded images (unreadable, or excluded by
     * the user: {@link dev.rali.engine.project.ImageExclusions}) are left out — this is what the stages see.
     */
    public static List<ImageRow> images(ProjectStore store, String datasetName, String split)
            throws SQLException, IOException {
        long id = idOf(store, datasetName);
        String sql = "SELECT i.id, i.name, i.path, i.content_hash, i.split, m.normalised, i.reference, i.distortion "
                + "FROM images i LEFT JOIN mos m ON m.image_id = i.id WHERE i.dataset_id = ? AND i.excluded IS NULL"
                + (split == null ? "" : " AND i.split = ?") + " ORDER BY i.id";
        List<ImageRow> out = new ArrayList<>();
        try (PreparedStatement ps = store.connection().prepareStatement(sql)) {
            ps.setLong(1, id);
            if (split != null) {
                ps.setString(2, split);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double mos = rs.getDouble(6);
                    Double m = rs.wasNull() ? null : mos;
                    out.add(new ImageRow(rs.getLong(1), rs.getString(2), Path.of(rs.getString(3)), rs.getString(4),
                            rs.getString(5), m, rs.getString(7), rs.getString(8)));
                }
            }
        }
        return out;
    }

    /**
     * Removes a dataset with its images, MOS, traces and predictions (foreign keys cascade); image files on disk
     * are untouched. Returns the number of images removed.
     */
    public static int delete(ProjectStore store, String name) throws SQLException, IOException {
        long id = idOf(store, name);
        return store.inTransaction(c -> {
            int n;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM images WHERE dataset_id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM datasets WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return n;
        });
    }

    /** Detail for {@code rali dataset show}: the summary plus a histogram of normalised MOS over [1, 5]. */
    public record DatasetDetail(DatasetSummary summary, double[] binEdges, int[] histogram) {
        /** The histogram as text bars, one line per bin. */
        public String histogramText(int width) {
            StringBuilder sb = new StringBuilder();
            int max = 0;
            for (int h : histogram) {
                max = Math.max(max, h);
            }
            for (int i = 0; i < histogram.length; i++) {
                int len = max == 0 ? 0 : (int) Math.round((double) histogram[i] * width / max);
                sb.append(String.format("  [%.2f, %.2f%s %6d %s%n", binEdges[i], binEdges[i + 1],
                        i == histogram.length - 1 ? "]" : ")", histogram[i], "#".repeat(len)));
            }
            return sb.toString();
        }
    }

    public static DatasetDetail show(ProjectStore store, String name, int bins) throws SQLException, IOException {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1");
        }
        DatasetSummary s = get(store, name);
        double[] edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            edges[i] = 1 + 4.0 * i / bins;
        }
        int[] hist = new int[bins];
        try (PreparedStatement ps = store.connection().prepareStatement(
                "SELECT m.normalised FROM mos m JOIN images i ON i.id = m.image_id WHERE i.dataset_id = ?")) {
            ps.setLong(1, s.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    double v = rs.getDouble(1);
                    int b = (int) Math.floor((v - 1) / 4 * bins);
                    hist[Math.max(0, Math.min(bins - 1, b))]++;
                }
            }
        }
        return new DatasetDetail(s, edges, hist);
    }
}
