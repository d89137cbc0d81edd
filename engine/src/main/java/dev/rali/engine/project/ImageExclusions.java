package dev.rali.engine.project;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Images the stages leave out ({@code images.excluded}, schema v3): files a stage could not decode ("unreadable:
 * reason") and images the user excluded in the app. The dataset queries the stages use skip them; they stay listed
 * (with the reason) until included again or removed with {@code rali dataset remove-image}.
 */
public final class ImageExclusions {
    /** The reason recorded when the user excludes an image. */
    public static final String BY_USER = "excluded by the user";
    /** The prefix of the reason recorded for a file a stage could not decode. */
    public static final String UNREADABLE = "unreadable: ";

    private ImageExclusions() { }

    /** One excluded image. */
    public record Excluded(long imageId, String dataset, String name, Path path, String reason) { }

    /**
     * Marks every image stored with one of these files (in any dataset) as unreadable, with the decoder's reason;
     * images already excluded keep their reason. Returns how many rows were marked.
     */
    public static int markUnreadable(ProjectStore store, Map<Path, String> reasons) throws IOException {
        if (reasons.isEmpty()) {
            return 0;
        }
        return sql(store, c -> {
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE images SET excluded = ? WHERE path = ? AND excluded IS NULL")) {
                for (Map.Entry<Path, String> e : reasons.entrySet()) {
                    ps.setString(1, UNREADABLE + e.getValue());
                    ps.setString(2, e.getKey().toString());
                    n += ps.executeUpdate();
                }
            }
            return n;
        });
    }

    /** Excludes an image (reason {@link #BY_USER}) or includes it again. */
    public static void setExcluded(ProjectStore store, long imageId, boolean excluded) throws IOException {
        int n = sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE images SET excluded = ? WHERE id = ?")) {
                ps.setString(1, excluded ? BY_USER : null);
                ps.setLong(2, imageId);
                return ps.executeUpdate();
            }
        });
        if (n == 0) {
            throw new IOException(store.file() + ": no image with id " + imageId);
        }
    }

    /** The excluded images of one dataset (null = all datasets), by dataset then name. */
    public static List<Excluded> list(ProjectStore store, String dataset) throws IOException {
        return sql(store, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT i.id, d.name, i.name, i.path, i.excluded "
                    + "FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.excluded IS NOT NULL"
                    + (dataset == null ? "" : " AND d.name = ?") + " ORDER BY d.name, i.name")) {
                if (dataset != null) {
                    ps.setString(1, dataset);
                }
                List<Excluded> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Excluded(rs.getLong(1), rs.getString(2), rs.getString(3), Path.of(rs.getString(4)),
                                rs.getString(5)));
                    }
                }
                return out;
            }
        });
    }

    /**
     * Deletes images of a dataset by name, with their MOS, traces, audit verdicts and predictions, in one
     * transaction; an IOException naming the names the dataset does not have (nothing is deleted then).
     */
    public static int remove(ProjectStore store, String dataset, Collection<String> names) throws IOException {
        Set<String> wanted = new LinkedHashSet<>(names);
        return sql(store, c -> {
            long datasetId;
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM datasets WHERE name = ?")) {
                ps.setString(1, dataset);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IOException(store.file() + ": no dataset named '" + dataset + "'");
                    }
                    datasetId = rs.getLong(1);
                }
            }
            List<String> missing = new ArrayList<>();
            int n = 0;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM images WHERE dataset_id = ? AND name = ?")) {
                for (String name : wanted) {
                    ps.setLong(1, datasetId);
                    ps.setString(2, name);
                    int k = ps.executeUpdate();
                    if (k == 0) {
                        missing.add(name);
                    }
                    n += k;
                }
            }
            if (!missing.isEmpty()) {
                throw new IOException(store.file() + ": dataset '" + dataset + "' has no image named "
                        + String.join(", ", missing) + "; nothing removed");
            }
            return n;
        });
    }

    private static <T> T sql(ProjectStore store, ProjectStore.SqlWork<T> work) throws IOException {
        try {
            return store.inTransaction(work);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }
}
