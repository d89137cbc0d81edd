package dev.rali.engine.traces;

import dev.rali.engine.project.ProjectStore;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Resolves the image reference written in a trace file (an absolute path, the dataset's relative name, or a bare
 * file name) to an {@code images.id} of the project, optionally limited to one dataset. Order: exact path, exact
 * name, the longest unique path-suffix match (e.g. "koniq/1024x768/123.jpg" against name "1024x768/123.jpg" or
 * vice versa), then the bare basename if unique. Ambiguous references are reported, never guessed.
 */
public final class ImageIndex {

    /** A resolution: imageId &gt; 0 on success, otherwise a reason. */
    public record Resolution(long imageId, String reason) {
        public boolean ok() {
            return imageId > 0;
        }
    }

    private record Entry(long id, String name, String path, String dataset) { }

    private final Map<String, Entry> byPath = new HashMap<>();
    private final Map<String, List<Entry>> byName = new HashMap<>();
    private final Map<String, List<Entry>> byBase = new HashMap<>();
    private final Map<String, Resolution> cache = new HashMap<>();
    private final int size;

    private ImageIndex(List<Entry> entries) {
        for (Entry e : entries) {
            byPath.put(norm(e.path), e);
            byName.computeIfAbsent(norm(e.name), k -> new ArrayList<>()).add(e);
            byBase.computeIfAbsent(base(norm(e.name)), k -> new ArrayList<>()).add(e);
        }
        size = entries.size();
    }

    /** Loads the index for all images of the project (dataset null) or of one dataset. */
    public static ImageIndex load(ProjectStore store, String datasetName) throws IOException {
        String sql = "SELECT i.id, i.name, i.path, d.name FROM images i JOIN datasets d ON d.id = i.dataset_id"
                + (datasetName == null ? "" : " WHERE d.name = ?");
        try (PreparedStatement ps = store.connection().prepareStatement(sql)) {
            if (datasetName != null) {
                ps.setString(1, datasetName);
            }
            List<Entry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            if (datasetName != null && entries.isEmpty()) {
                throw new IOException(store.file() + ": dataset '" + datasetName + "' has no images (or does not exist)");
            }
            return new ImageIndex(entries);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": cannot read images: " + e.getMessage(), e);
        }
    }

    public int size() {
        return size;
    }

    public Resolution resolve(String reference) {
        if (reference == null || reference.isBlank()) {
            return new Resolution(-1, "empty image reference");
        }
        return cache.computeIfAbsent(reference, this::doResolve);
    }

    private Resolution doResolve(String reference) {
        String ref = norm(reference);
        Entry p = byPath.get(ref);
        if (p != null) {
            return new Resolution(p.id, null);
        }
        List<Entry> named = byName.get(ref);
        if (named != null && named.size() == 1) {
            return new Resolution(named.get(0).id, null);
        }
        if (named != null) {
            return ambiguous(reference, named);
        }
        // Path suffix: the reference ends with a stored name, or a stored name/path ends with the reference.
        Set<Entry> suffix = new LinkedHashSet<>();
        for (Entry e : byBase.getOrDefault(base(ref), List.of())) {
            String n = norm(e.name);
            String path = norm(e.path);
            if (ref.endsWith("/" + n) || (ref.contains("/") && (n.endsWith("/" + ref) || path.endsWith("/" + ref)))) {
                suffix.add(e);
            }
        }
        if (suffix.size() == 1) {
            return new Resolution(suffix.iterator().next().id, null);
        }
        if (suffix.size() > 1) {
            return ambiguous(reference, new ArrayList<>(suffix));
        }
        List<Entry> base = byBase.get(base(ref));
        if (base != null && base.size() == 1) {
            return new Resolution(base.get(0).id, null);
        }
        if (base != null) {
            return ambiguous(reference, base);
        }
        return new Resolution(-1, "image '" + reference + "' is not in the project" + (size == 0 ? " (no images)" : ""));
    }

    private static Resolution ambiguous(String ref, List<Entry> matches) {
        StringBuilder sb = new StringBuilder("image '" + ref + "' is ambiguous: matches " + matches.size() + " images (");
        for (int i = 0; i < Math.min(3, matches.size()); i++) {
            sb.append(i > 0 ? ", " : "").append(matches.get(i).dataset).append(':').append(matches.get(i).name);
        }
        return new Resolution(-1, sb.append(matches.size() > 3 ? ", …)" : ")").append("; use the dataset's name or --dataset").toString());
    }

    static String norm(String s) {
        String n = s.strip().replace('\\', '/');
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        try {
            if (n.startsWith("/")) {
                n = Path.of(n).normalize().toString().replace('\\', '/');
            }
        } catch (RuntimeException ignored) {
            // not a valid path on this OS: compare as text
        }
        return n;
    }

    private static String base(String normalised) {
        int slash = normalised.lastIndexOf('/');
        return (slash >= 0 ? normalised.substring(slash + 1) : normalised).toLowerCase(Locale.ROOT);
    }
}
