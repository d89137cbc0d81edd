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
        List<DatasetSummary> out = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = store.connection().prepareStatement("SELECT id FROM datasets ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        for (long id : ids) {
            out.add(summary(store, id));
        }
        return out;
    }

    /** The dataset's summary; an IOException naming the dataset and the known ones when absent. */
    public static DatasetSummary get(ProjectStore store, String name) throws SQLException, IOException {
        return summary(store, idOf(store, name));
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

    private static DatasetSummary summary(ProjectStore store, long id) throws SQLException {
        var c = store.connection();
        String name;
        String layout;
        String source;
        double min;
        double max;
        boolean lower;
        Long seed;
        try (PreparedStatement ps = c.prepareStatement("SELECT name, layout, source_path, score_min, score_max, "
                + "lower_is_better, split_seed FROM datasets WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                name = rs.getString(1);
                layout = rs.getString(2);
                source = rs.getString(3);
                min = rs.getDouble(4);
                max = rs.getDouble(5);
                lower = rs.getInt(6) != 0;
                long s = rs.getLong(7);
                seed = rs.wasNull() ? null : s;
            }
        }
        Map<String, Integer> splits = new TreeMap<>();
        int count = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT split, COUNT(*) FROM images WHERE dataset_id = ? GROUP BY split")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    splits.put(rs.getString(1), rs.getInt(2));
                    count += rs.getInt(2);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MIN(m.raw), MAX(m.raw), MIN(m.normalised), "
                + "MAX(m.normalised) FROM mos m JOIN images i ON i.id = m.image_id WHERE i.dataset_id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int labelled = rs.getInt(1);
                return new DatasetSummary(id, name, layout, source, count, labelled, splits, min, max, lower, seed,
                        labelled == 0 ? null : rs.getDouble(2), labelled == 0 ? null : rs.getDouble(3),
                        labelled == 0 ? null : rs.getDouble(4), labelled == 0 ? null : rs.getDouble(5));
            }
        }
    }

    /** The dataset's images in import order; split null = all splits. */
    public static List<ImageRow> images(ProjectStore store, String datasetName, String split)
            throws SQLException, IOException {
        long id = idOf(store, datasetName);
        String sql = "SELECT i.id, i.name, i.path, i.content_hash, i.split, m.normalised, i.reference, i.distortion "
                + "FROM images i LEFT JOIN mos m ON m.image_id = i.id WHERE i.dataset_id = ?"
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
