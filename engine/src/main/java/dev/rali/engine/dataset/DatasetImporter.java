package dev.rali.engine.dataset;

import dev.rali.engine.eval.Outliers;
import dev.rali.engine.io.FileHashes;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.image.ImageInfo;
import dev.rali.engine.image.ImageLoadException;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Imports a dataset's native layout into a project: validates every row, normalises MOS to [1, 5]
 * ({@link MosScale}), assigns the official or a seeded split, hashes and probes each image, and writes images + mos
 * in batches, each batch one transaction. Re-running the same import skips images already stored (by dataset and
 * name, and by content hash), so a cancelled or killed import is resumed by running it again; a batch is either
 * fully in the project or not at all.
 */
public final class DatasetImporter {
    /** The registered layout names ({@link DatasetLayouts}), in registration order. */
    public static final List<String> LAYOUTS = DatasetLayouts.names();

    static final int BATCH = 64;

    private DatasetImporter() { }

    public static ImportReport importDataset(ProjectStore store, ImportRequest req, TaskContext ctx)
            throws IOException, SQLException {
        if (req.name() == null || req.name().isBlank()) {
            throw new IllegalArgumentException("dataset name is empty");
        }
        String layout = req.layout().toLowerCase(java.util.Locale.ROOT);
        ImportReport report = new ImportReport(req.name(), layout);
        ctx.progress("read metadata", 0, -1, req.source().toString());
        ParsedMetadata parsed = parse(req);
        if (parsed.rows.isEmpty()) {
            // checked before the dataset row exists: a header-only file leaves nothing behind
            throw new IOException(String.join(", ", parsed.metadataFiles.stream().map(Path::toString).toList())
                    + ": no data rows" + (parsed.malformed.isEmpty() ? " (only a header?)"
                    : "; " + String.join("; ", parsed.malformed.subList(0, Math.min(5, parsed.malformed.size())))));
        }
        report.rows = parsed.rows.size();
        report.malformedRows.addAll(parsed.malformed);
        report.notes.addAll(parsed.notes);

        MosScale scale = scaleFor(req, parsed, report);
        report.scale = scale;
        report.unlabelled = parsed.rows.stream().allMatch(r -> r.raw() == null);
        Map<String, String> splits = assignSplits(req, parsed);
        Long seed = parsed.officialSplit ? null : req.seed();
        report.splitSeed = seed;

        boolean existed = datasetExists(store, req.name());
        long datasetId = datasetRow(store, req, layout, parsed, scale, seed);

        // what an earlier run already stored
        Map<String, String> existingByName = new HashMap<>();
        Map<String, String> nameByHash = new HashMap<>();
        try (PreparedStatement ps = store.connection().prepareStatement(
                "SELECT name, content_hash FROM images WHERE dataset_id = ?")) {
            ps.setLong(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    existingByName.put(rs.getString(1), rs.getString(2));
                    nameByHash.put(rs.getString(2), rs.getString(1));
                }
            }
        }

        Set<String> seenNames = new HashSet<>();
        List<Prepared> batch = new ArrayList<>();
        int done = 0;
        int total = parsed.rows.size();
        for (MetaRow row : parsed.rows) {
            done++;
            if (!seenNames.add(row.name())) {
                report.duplicates.add(row.where() + ": " + row.name() + " listed twice; later row skipped");
                continue;
            }
            if (existingByName.containsKey(row.name())) {
                report.skippedExisting++;
                continue;
            }
            if (row.file() != null && parsed.imageRoot != null && !req.allowOutsideRoot()
                    && !row.file().toAbsolutePath().normalize().startsWith(parsed.imageRoot)) {
                // checked before the file is hashed or probed: metadata must not make the importer read any file
                report.outsideRoot.add(row.where() + ": " + row.name() + ": leads outside " + parsed.imageRoot
                        + "; refused (--allow-outside-root to import it)");
                continue;
            }
            Double normalised = null;
            if (row.raw() != null || row.normalised() != null) {
                String bad = checkScore(row, scale);
                if (bad != null) {
                    report.badScores.add(row.where() + ": " + row.name() + ": " + bad);
                    continue;
                }
                normalised = row.normalised() != null ? row.normalised() : scale.normalise(row.raw());
            }
            if (row.file() == null) {
                report.missingFiles.add(row.where() + ": " + row.name() + ": image file not found");
                continue;
            }
            Prepared p;
            try {
                p = prepare(row, normalised, splits.getOrDefault(row.name(), "all"), req.verifyDecode());
            } catch (ImageLoadException e) {
                report.unreadableImages.add(row.where() + ": " + e.getMessage());
                continue;
            }
            String dupOf = nameByHash.putIfAbsent(p.hash, row.name());
            if (dupOf != null) {
                report.duplicates.add(row.where() + ": " + row.name() + " has the same content as " + dupOf + "; skipped");
                continue;
            }
            batch.add(p);
            if (batch.size() >= BATCH) {
                report.imported += write(store, datasetId, batch);
                batch.clear();
                ctx.progress("import", done, total, req.name());
                ctx.checkCancelled(); // safe point: everything before is committed
            }
        }
        report.imported += write(store, datasetId, batch);
        ctx.progress("import", total, total, req.name());
        if (!existed && report.imported == 0) {
            // every row was refused: leave no empty dataset behind
            Datasets.delete(store, req.name());
            report.notes.add("nothing imported: dataset '" + req.name() + "' not created");
            ctx.log("dataset " + req.name() + ": nothing imported, problems " + report.problemCount());
            return report;
        }

        try (PreparedStatement ps = store.connection().prepareStatement(
                "SELECT split, COUNT(*) FROM images WHERE dataset_id = ? GROUP BY split")) {
            ps.setLong(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    report.splitCounts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        ctx.log("dataset " + req.name() + ": imported " + report.imported + ", already present "
                + report.skippedExisting + ", problems " + report.problemCount());
        return report;
    }

    /** The layout's metadata rows; the source must exist and every --columns key be one the layout knows. */
    static ParsedMetadata parse(ImportRequest req) throws IOException {
        Path src = req.source().toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw new NoSuchFileException(src.toString(), null, "dataset source not found");
        }
        DatasetLayout layout = DatasetLayouts.get(req.layout());
        for (String key : req.columns().keySet()) {
            if (!layout.columnKeys().contains(key)) {
                throw new IllegalArgumentException("--columns " + key + "=" + req.columns().get(key) + ": the "
                        + layout.name() + " layout " + (layout.columnKeys().isEmpty() ? "takes no column names"
                        : "knows only " + String.join(", ", new TreeSet<>(layout.columnKeys()))));
            }
        }
        return layout.read(req, src);
    }

    private static boolean datasetExists(ProjectStore store, String name) throws SQLException {
        try (PreparedStatement ps = store.connection().prepareStatement("SELECT 1 FROM datasets WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String checkScore(MetaRow row, MosScale scale) {
        if (row.normalised() != null) {
            double n = row.normalised();
            if (!Double.isFinite(n)) {
                return "normalised score is NaN or infinite";
            }
            if (n < 1 - 1e-9 || n > 5 + 1e-9) {
                return "normalised score " + n + " outside [1, 5]";
            }
            return null;
        }
        double r = row.raw();
        if (!Double.isFinite(r)) {
            return "score is missing, not a number or infinite";
        }
        if (!scale.inRange(r)) {
            return "score " + r + " outside the nominal range " + scale;
        }
        return null;
    }

    private static MosScale scaleFor(ImportRequest req, ParsedMetadata parsed, ImportReport report) throws IOException {
        MosScale nominal = req.scale() != null ? req.scale() : parsed.scale;
        if (nominal != null && !req.observedRange()) {
            return nominal;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (MetaRow r : parsed.rows) {
            if (r.raw() != null && Double.isFinite(r.raw())) {
                lo = Math.min(lo, r.raw());
                hi = Math.max(hi, r.raw());
            }
        }
        boolean lower = nominal != null && nominal.lowerIsBetter();
        if (!(hi > lo)) {
            boolean unlabelled = parsed.rows.stream().allMatch(r -> r.raw() == null);
            if (unlabelled) {
                return new MosScale(1, 5, false); // unused: nothing to normalise
            }
            throw new IOException(req.source() + ": cannot derive a score range from the observed scores (min "
                    + lo + ", max " + hi + "); give the range explicitly");
        }
        List<String> outliers = outliers(parsed.rows);
        if (!outliers.isEmpty()) {
            throw new IOException(req.source() + ": " + outliers.size() + " score(s) lie far outside all the others, "
                    + "and an observed range stretched to them would squash every other score: "
                    + String.join("; ", outliers.subList(0, Math.min(10, outliers.size())))
                    + (outliers.size() > 10 ? "; ..." : "") + ". Fix them, or give the range with --range LO:HI "
                    + "(rows outside it are then skipped)");
        }
        report.notes.add("scores rescaled with the observed range [" + lo + ", " + hi + "]");
        return new MosScale(lo, hi, lower);
    }

    /** Rows whose raw score is an extreme outlier ({@link Outliers}), as "where: name: score", in metadata order. */
    static List<String> outliers(List<MetaRow> rows) {
        List<MetaRow> labelled = rows.stream().filter(r -> r.raw() != null).toList();
        List<String> out = new ArrayList<>();
        for (int i : Outliers.find(labelled.stream().mapToDouble(MetaRow::raw).toArray())) {
            MetaRow r = labelled.get(i);
            out.add(r.where() + ": " + r.name() + ": " + r.raw());
        }
        return out;
    }

    /**
     * name -> split. Official splits are kept; otherwise a seeded shuffle of the sorted groups (reference images
     * for synthetic datasets, so a reference never spans splits; else the image names) puts the first
     * (1 - testFraction) in train and the rest in test. Computed over every metadata row, so the assignment does
     * not depend on which files happen to be present or already imported.
     */
    static Map<String, String> assignSplits(ImportRequest req, ParsedMetadata parsed) {
        Map<String, String> out = new LinkedHashMap<>();
        if (parsed.officialSplit) {
            for (MetaRow r : parsed.rows) {
                out.put(r.name(), r.split() == null ? "all" : r.split());
            }
            return out;
        }
        TreeSet<String> groups = new TreeSet<>();
        for (MetaRow r : parsed.rows) {
            if (!parsed.forcedTrain.contains(r.name())) {
                groups.add(group(parsed, r));
            }
        }
        List<String> order = new ArrayList<>(groups);
        Collections.shuffle(order, new Random(req.seed()));
        int nTrain = (int) Math.round(order.size() * (1 - req.testFraction()));
        if (order.size() >= 2 && req.testFraction() < 1) {
            nTrain = Math.max(1, Math.min(order.size() - 1, nTrain)); // both splits non-empty
        }
        Map<String, String> groupSplit = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            groupSplit.put(order.get(i), i < nTrain ? "train" : "test");
        }
        for (MetaRow r : parsed.rows) {
            out.put(r.name(), parsed.forcedTrain.contains(r.name()) ? "train" : groupSplit.get(group(parsed, r)));
        }
        return out;
    }

    private static String group(ParsedMetadata parsed, MetaRow r) {
        return parsed.splitByReference && r.reference() != null ? "ref:" + r.reference() : "img:" + r.name();
    }

    private static long datasetRow(ProjectStore store, ImportRequest req, String layout, ParsedMetadata parsed,
                                   MosScale scale, Long seed) throws SQLException, IOException {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, layout, score_min, score_max, lower_is_better, split_seed FROM datasets WHERE name = ?")) {
                ps.setString(1, req.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        long id = rs.getLong(1);
                        String oldLayout = rs.getString(2);
                        if (!oldLayout.equals(layout)) {
                            throw new IOException("dataset '" + req.name() + "' already exists with layout " + oldLayout
                                    + "; choose another name to import it as " + layout);
                        }
                        double min = rs.getDouble(3);
                        double max = rs.getDouble(4);
                        boolean lower = rs.getInt(5) != 0;
                        long oldSeed = rs.getLong(6);
                        Long old = rs.wasNull() ? null : oldSeed;
                        if (Math.abs(min - scale.lo()) > 1e-12 || Math.abs(max - scale.hi()) > 1e-12
                                || lower != scale.lowerIsBetter() || !java.util.Objects.equals(old, seed)) {
                            throw new IOException("dataset '" + req.name() + "' was imported with scale [" + min + ", "
                                    + max + "]" + (lower ? " lower better" : "") + " and split seed " + old
                                    + "; this run would use " + scale + " and seed " + seed
                                    + ". Re-run with the same options, or import under a new name");
                        }
                        return id;
                    }
                }
            }
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("columns", req.columns());
            params.put("observedRange", req.observedRange());
            params.put("testFraction", req.testFraction());
            params.put("imageRoot", req.imageRoot() == null ? null : req.imageRoot().toString());
            params.put("metadata", parsed.metadataFiles.stream().map(Path::toString).toList());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO datasets(name, layout, source_path, score_min, "
                    + "score_max, lower_is_better, split_seed, params_json) VALUES (?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, req.name());
                ps.setString(2, layout);
                ps.setString(3, req.source().toAbsolutePath().normalize().toString());
                ps.setDouble(4, scale.lo());
                ps.setDouble(5, scale.hi());
                ps.setInt(6, scale.lowerIsBetter() ? 1 : 0);
                if (seed == null) {
                    ps.setNull(7, java.sql.Types.INTEGER);
                } else {
                    ps.setLong(7, seed);
                }
                ps.setString(8, new ObjectMapper().writeValueAsString(params));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    private record Prepared(MetaRow row, Double normalised, String split, String hash, int width, int height) { }

    private static Prepared prepare(MetaRow row, Double normalised, String split, boolean verify) throws IOException {
        Path f = row.file();
        String hash = sha256(f);
        int w;
        int h;
        if (verify) {
            var img = ImageLoader.load(f);
            ImageInfo info = ImageLoader.probe(f);
            w = info.width();
            h = info.height();
            if (img.width() * (long) img.height() != (long) w * h) {
                throw new ImageLoadException(f, "decoded size differs from header size");
            }
        } else {
            ImageInfo info = ImageLoader.probe(f);
            w = info.width();
            h = info.height();
        }
        return new Prepared(row, normalised, split, hash, w, h);
    }

    static String sha256(Path f) throws ImageLoadException {
        try {
            return FileHashes.sha256(f);
        } catch (IOException e) {
            throw new ImageLoadException(f, "cannot read file: " + e.getMessage(), e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper FIELDS_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private static int write(ProjectStore store, long datasetId, List<Prepared> batch) throws SQLException, IOException {
        if (batch.isEmpty()) {
            return 0;
        }
        return store.inTransaction(c -> {
            try (PreparedStatement img = c.prepareStatement("INSERT INTO images(dataset_id, path, name, content_hash, "
                    + "width, height, split, reference, distortion, fields_json) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS);
                 PreparedStatement mos = c.prepareStatement(
                         "INSERT INTO mos(image_id, raw, normalised, std) VALUES (?,?,?,?)")) {
                for (Prepared p : batch) {
                    img.setLong(1, datasetId);
                    img.setString(2, p.row.file().toAbsolutePath().normalize().toString());
                    img.setString(3, p.row.name());
                    img.setString(4, p.hash);
                    img.setInt(5, p.width);
                    img.setInt(6, p.height);
                    img.setString(7, p.split);
                    img.setString(8, p.row.reference());
                    img.setString(9, p.row.distortion());
                    img.setString(10, p.row.fields().isEmpty() ? null : FIELDS_JSON.writeValueAsString(p.row.fields()));
                    img.executeUpdate();
                    long id;
                    try (ResultSet keys = img.getGeneratedKeys()) {
                        keys.next();
                        id = keys.getLong(1);
                    }
                    if (p.normalised != null) {
                        mos.setLong(1, id);
                        mos.setDouble(2, p.row.raw() != null && Double.isFinite(p.row.raw()) ? p.row.raw() : p.normalised);
                        mos.setDouble(3, p.normalised);
                        if (p.row.std() == null) {
                            mos.setNull(4, java.sql.Types.REAL);
                        } else {
                            mos.setDouble(4, p.row.std());
                        }
                        mos.executeUpdate();
                    }
                }
            }
            return batch.size();
        });
    }

}
