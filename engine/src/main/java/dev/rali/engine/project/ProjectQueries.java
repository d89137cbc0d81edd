package dev.rali.engine.project;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Read-side queries over the V1 schema for the desktop app's views (datasets, image grid, image detail; runs,
 * metrics and predictions through {@link #runs()}) plus the trace-audit verdicts, the one thing the views write. Every method is a single
 * SQL round trip (or a few), safe to call off the FX thread; none of them loads whole tables into memory except
 * where a view needs every value (histograms, scatter plots).
 */
public final class ProjectQueries {

    /** Allowed audit verdicts; null clears the verdict but keeps the note. */
    public static final Set<String> VERDICTS = Set.of("ok", "wrong", "unsure");

    private final ProjectStore store;
    private final Runs runs;

    public ProjectQueries(ProjectStore store) {
        this.store = store;
        this.runs = new Runs(store);
    }

    public ProjectStore store() {
        return store;
    }

    // Dataset summaries: dev.rali.engine.dataset.Datasets.list (the one DatasetSummary).

    // ---------------------------------------------------------------- images

    /**
     * Filter for the image grid: split (null = all splits), an inclusive normalised-MOS range (null = open) and the
     * values chosen per field of {@link #imageFields} (field name → accepted values, {@link #NONE} for "no value";
     * several values of one field: any of them; several fields: all of them).
     */
    public record ImageFilter(String split, Double minMos, Double maxMos, Map<String, Set<String>> fields) {
        public static final ImageFilter ALL = new ImageFilter(null, null, null);

        public ImageFilter {
            Map<String, Set<String>> copy = new LinkedHashMap<>();
            if (fields != null) {
                fields.forEach((k, v) -> {
                    if (!FIELDS.contains(k) && !k.startsWith(COLUMN_PREFIX)) {
                        throw new IllegalArgumentException("unknown image field '" + k + "'; known: " + FIELDS
                                + " and imported columns '" + COLUMN_PREFIX + "NAME'");
                    }
                    if (v != null && !v.isEmpty()) {
                        copy.put(k, Set.copyOf(v));
                    }
                });
            }
            fields = java.util.Collections.unmodifiableMap(copy);
        }

        public ImageFilter(String split, Double minMos, Double maxMos) {
            this(split, minMos, maxMos, Map.of());
        }

        boolean hasMosBound() {
            return minMos != null || maxMos != null;
        }
    }

    // ---------------------------------------------------------------- image fields (the Datasets sidebar)

    public static final String FIELD_SPLIT = "split";
    public static final String FIELD_TYPE = "distortion type";
    public static final String FIELD_LEVEL = "distortion level";
    public static final String FIELD_REFERENCE = "reference";
    /** Fields from imported metadata columns no layout maps are named "column: NAME". */
    public static final String COLUMN_PREFIX = "column: ";
    /** An imported column with more distinct values than this (scores, counts, free text) is not offered as a field. */
    public static final int MAX_COLUMN_VALUES = 50;
    /** The fields a dataset's images can be filtered and sorted by, in sidebar order. */
    public static final List<String> FIELDS = List.of(FIELD_SPLIT, FIELD_TYPE, FIELD_LEVEL, FIELD_REFERENCE);
    /** The value standing for "not set" (a pristine image's distortion, an image without reference). */
    public static final String NONE = "";

    /** One value of a field and how many of the dataset's images have it. */
    public record FieldValue(String value, int count) { }

    /** A field with its values, most natural order first (levels numerically). */
    public record ImageField(String name, List<FieldValue> values) { }

    /**
     * The distortion type of a stored distortion: everything before its last '_' ("gaussian_blur_3" →
     * "gaussian_blur", KADID's "01_03" → "01", CSIQ's "blur_2" → "blur"); the whole text when it has no level;
     * {@link #NONE} for none. The importers store "type_level" ({@code images.distortion}).
     */
    public static String distortionType(String distortion) {
        if (distortion == null) {
            return NONE;
        }
        int u = distortion.lastIndexOf('_');
        return u > 0 ? distortion.substring(0, u) : distortion;
    }

    /** The level of a stored distortion (after its last '_'), {@link #NONE} when it has none. */
    public static String distortionLevel(String distortion) {
        if (distortion == null) {
            return NONE;
        }
        int u = distortion.lastIndexOf('_');
        return u > 0 && u < distortion.length() - 1 ? distortion.substring(u + 1) : NONE;
    }

    /** The value of {@code field} for one image (for sorting the grid by a field). */
    public static String fieldValue(ImageItem image, String field) {
        return switch (field) {
            case FIELD_SPLIT -> image.split() == null ? NONE : image.split();
            case FIELD_TYPE -> distortionType(image.distortion());
            case FIELD_LEVEL -> distortionLevel(image.distortion());
            case FIELD_REFERENCE -> image.reference() == null ? NONE : image.reference();
            default -> {
                if (!field.startsWith(COLUMN_PREFIX)) {
                    throw new IllegalArgumentException("unknown image field '" + field + "'; known: " + FIELDS);
                }
                yield image.columns().getOrDefault(field.substring(COLUMN_PREFIX.length()), NONE);
            }
        };
    }

    /** Orders field values: numbers numerically ("2" before "10"), then text; {@link #NONE} first. */
    public static final java.util.Comparator<String> VALUE_ORDER = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        if (a.equals(NONE) || b.equals(NONE)) {
            return a.equals(NONE) ? -1 : 1;
        }
        Double x = number(a);
        Double y = number(b);
        if (x != null && y != null) {
            int c = Double.compare(x, y);
            return c != 0 ? c : a.compareTo(b);
        }
        return x != null ? -1 : y != null ? 1 : a.compareTo(b);
    };

    private static Double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The dataset's fields with their values and counts (every image, excluded ones too, as the grid shows them):
     * split always; distortion type and level, and reference, only when some image has them.
     */
    public List<ImageField> imageFields(long datasetId) throws SQLException {
        Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();
        FIELDS.forEach(f -> counts.put(f, new java.util.TreeMap<>(VALUE_ORDER)));
        try (PreparedStatement ps = prepare("SELECT i.split, i.distortion, i.reference, COUNT(*) FROM images i "
                + "WHERE i.dataset_id = ? GROUP BY i.split, i.distortion, i.reference", List.of(datasetId));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int n = rs.getInt(4);
                String split = rs.getString(1);
                String distortion = rs.getString(2);
                String reference = rs.getString(3);
                counts.get(FIELD_SPLIT).merge(split == null ? NONE : split, n, Integer::sum);
                counts.get(FIELD_TYPE).merge(distortionType(distortion), n, Integer::sum);
                counts.get(FIELD_LEVEL).merge(distortionLevel(distortion), n, Integer::sum);
                counts.get(FIELD_REFERENCE).merge(reference == null ? NONE : reference, n, Integer::sum);
            }
        }
        List<ImageField> out = new ArrayList<>();
        counts.forEach((field, values) -> {
            boolean any = values.keySet().stream().anyMatch(v -> !v.equals(NONE));
            if (any) {
                out.add(new ImageField(field, values.entrySet().stream()
                        .map(e -> new FieldValue(e.getKey(), e.getValue())).toList()));
            }
        });
        out.addAll(columnFields(datasetId));
        return out;
    }

    /**
     * The imported columns (images.fields_json) with their values and counts, as "column: NAME" fields; images
     * without the column count as {@link #NONE}. Columns with more than {@link #MAX_COLUMN_VALUES} distinct values
     * are left out: a sidebar of check boxes is for categories, not for scores or free text.
     */
    private List<ImageField> columnFields(long datasetId) throws SQLException {
        Map<String, Map<String, Integer>> counts = new java.util.TreeMap<>();
        int images = 0;
        try (PreparedStatement ps = prepare("SELECT i.fields_json, COUNT(*) FROM images i WHERE i.dataset_id = ? "
                + "GROUP BY i.fields_json", List.of(datasetId)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int n = rs.getInt(2);
                images += n;
                Map<String, String> columns;
                try {
                    columns = columns(rs.getString(1));
                } catch (SQLException e) {
                    throw new SQLException(store.file() + ": " + e.getMessage(), e);
                }
                columns.forEach((k, v) -> counts.computeIfAbsent(k, x -> new java.util.TreeMap<>(VALUE_ORDER))
                        .merge(v, n, Integer::sum));
            }
        }
        List<ImageField> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, Integer>> c : counts.entrySet()) {
            Map<String, Integer> values = c.getValue();
            int with = values.values().stream().mapToInt(Integer::intValue).sum();
            if (values.size() > MAX_COLUMN_VALUES) {
                continue;
            }
            if (with < images) {
                values.put(NONE, images - with);
            }
            out.add(new ImageField(COLUMN_PREFIX + c.getKey(), values.entrySet().stream()
                    .map(e -> new FieldValue(e.getKey(), e.getValue())).toList()));
        }
        return out;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** One image row; MOS values are null when the image has no label. */
    public record ImageItem(long id, long datasetId, String name, Path path, String split, Double mos,
                            Double mosRaw, Double mosStd, String reference, String distortion,
                            Integer width, Integer height, Map<String, String> columns) {
        /** {@code columns}: the imported metadata columns no layout maps (images.fields_json), column → value. */
        public ImageItem {
            columns = columns == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }
    }

    private static final String IMAGE_COLUMNS = "i.id, i.dataset_id, i.name, i.path, i.split, m.normalised, m.raw, "
            + "m.std, i.reference, i.distortion, i.width, i.height, i.fields_json";

    /** A page of a dataset's images in name order. */
    public List<ImageItem> images(long datasetId, ImageFilter filter, int limit, int offset) throws SQLException {
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("limit and offset must be >= 0, got " + limit + ", " + offset);
        }
        ImageFilter f = filter == null ? ImageFilter.ALL : filter;
        StringBuilder sql = new StringBuilder("SELECT " + IMAGE_COLUMNS
                + " FROM images i LEFT JOIN mos m ON m.image_id = i.id WHERE i.dataset_id = ?");
        List<Object> args = new ArrayList<>(List.of(datasetId));
        where(f, sql, args);
        sql.append(" ORDER BY i.name LIMIT ? OFFSET ?");
        args.add(limit);
        args.add(offset);
        List<ImageItem> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql.toString(), args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(image(rs));
            }
        }
        return out;
    }

    /** How many images {@link #images} would return without a limit. */
    public int countImages(long datasetId, ImageFilter filter) throws SQLException {
        ImageFilter f = filter == null ? ImageFilter.ALL : filter;
        StringBuilder sql = new StringBuilder(
                "SELECT COUNT(*) FROM images i LEFT JOIN mos m ON m.image_id = i.id WHERE i.dataset_id = ?");
        List<Object> args = new ArrayList<>(List.of(datasetId));
        where(f, sql, args);
        try (PreparedStatement ps = prepare(sql.toString(), args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static void where(ImageFilter f, StringBuilder sql, List<Object> args) {
        whereFields(f, sql, args);
        if (f.split() != null) {
            sql.append(" AND i.split = ?");
            args.add(f.split());
        }
        if (f.minMos() != null) {
            sql.append(" AND m.normalised >= ?");
            args.add(f.minMos());
        }
        if (f.maxMos() != null) {
            sql.append(" AND m.normalised <= ?");
            args.add(f.maxMos());
        }
    }

    /**
     * The field conditions: per field, any of its chosen values. Type and level are the parts of the stored
     * "type_level" text around its last '_' ({@link #distortionType}, {@link #distortionLevel}).
     */
    private static void whereFields(ImageFilter f, StringBuilder sql, List<Object> args) {
        f.fields().forEach((field, values) -> {
            List<String> any = new ArrayList<>();
            for (String v : values) {
                switch (field) {
                    case FIELD_SPLIT -> {
                        any.add("i.split = ?");
                        args.add(v);
                    }
                    case FIELD_REFERENCE -> {
                        if (v.equals(NONE)) {
                            any.add("i.reference IS NULL");
                        } else {
                            any.add("i.reference = ?");
                            args.add(v);
                        }
                    }
                    case FIELD_TYPE -> {
                        if (v.equals(NONE)) {
                            any.add("i.distortion IS NULL");
                        } else {
                            // the whole text when it has no '_' after its first character, else the part before
                            // the last '_': type + '_' + a rest without another '_' (substr, not the
                            // case-insensitive LIKE)
                            int n = v.codePointCount(0, v.length());
                            any.add("((i.distortion = ? AND instr(substr(i.distortion, 2), '_') = 0) OR "
                                    + "(substr(i.distortion, 1, ?) = ? AND substr(i.distortion, ?, 1) = '_' "
                                    + "AND instr(substr(i.distortion, ?), '_') = 0))");
                            args.addAll(List.of(v, n, v, n + 1, n + 2));
                        }
                    }
                    case FIELD_LEVEL -> {
                        if (v.equals(NONE)) {
                            any.add("(i.distortion IS NULL OR instr(substr(i.distortion, 2), '_') = 0 "
                                    + "OR substr(i.distortion, -1) = '_')");
                        } else {
                            // ends in '_' + level, that '_' not the first character
                            int n = v.codePointCount(0, v.length());
                            any.add("(substr(i.distortion, ?) = ? AND substr(i.distortion, ?, 1) = '_' "
                                    + "AND length(i.distortion) > ?)");
                            args.addAll(List.of(-n, v, -n - 1, n + 1));
                        }
                    }
                    default -> {
                        if (!field.startsWith(COLUMN_PREFIX)) {
                            throw new IllegalArgumentException("unknown image field '" + field + "'");
                        }
                        // an imported column: its value in images.fields_json (a JSON path with the name quoted)
                        String path = "$.\"" + field.substring(COLUMN_PREFIX.length()).replace("\"", "\\\"") + "\"";
                        if (v.equals(NONE)) {
                            any.add("json_extract(i.fields_json, ?) IS NULL");
                            args.add(path);
                        } else {
                            any.add("json_extract(i.fields_json, ?) = ?");
                            args.addAll(List.of(path, v));
                        }
                    }
                }
            }
            sql.append(" AND (").append(String.join(" OR ", any)).append(')');
        });
    }

    /**
     * Every normalised MOS of the images {@code filter} selects apart from its MOS range (the histogram keeps
     * showing every bin while a bar is brushed).
     */
    public double[] mosHistogram(long datasetId, ImageFilter filter) throws SQLException {
        ImageFilter f = filter == null ? ImageFilter.ALL : new ImageFilter(filter.split(), null, null, filter.fields());
        StringBuilder sql = new StringBuilder(
                "SELECT m.normalised FROM images i JOIN mos m ON m.image_id = i.id WHERE i.dataset_id = ?");
        List<Object> args = new ArrayList<>(List.of(datasetId));
        where(f, sql, args);
        List<Double> values = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql.toString(), args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getDouble(1));
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Every normalised MOS of a dataset (optionally one split), for the histogram. */
    public double[] mosValues(long datasetId, String split) throws SQLException {
        return mosHistogram(datasetId, new ImageFilter(split, null, null));
    }

    // ---------------------------------------------------------------- image detail and traces

    /** One reasoning trace with its audit verdict (null when not audited). */
    public record TraceItem(long id, long imageId, long seed, String source, String rawText, String think,
                            String answer, Double score, String parseStatus, String verdict, String note) {
        public boolean parsed() {
            return "ok".equals(parseStatus) && score != null;
        }
    }

    /** excluded: why the stages leave the image out ({@link ImageExclusions}), null when they use it. */
    public record ImageDetail(ImageItem image, String datasetName, List<TraceItem> traces, String excluded) { }

    public Optional<ImageDetail> image(long imageId) throws SQLException {
        String sql = "SELECT " + IMAGE_COLUMNS + ", d.name, i.excluded FROM images i JOIN datasets d "
                + "ON d.id = i.dataset_id LEFT JOIN mos m ON m.image_id = i.id WHERE i.id = ?";
        ImageItem item;
        String dataset;
        String excluded;
        try (PreparedStatement ps = prepare(sql, List.of(imageId)); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            item = image(rs);
            dataset = rs.getString(14);
            excluded = rs.getString(15);
        }
        return Optional.of(new ImageDetail(item, dataset, traces(imageId), excluded));
    }

    /** The traces of one image, ordered by source then seed. */
    public List<TraceItem> traces(long imageId) throws SQLException {
        String sql = "SELECT t.id, t.image_id, t.seed, t.source, t.raw_text, t.think, t.answer, t.score, "
                + "t.parse_status, a.verdict, a.note FROM traces t LEFT JOIN trace_audit a ON a.trace_id = t.id "
                + "WHERE t.image_id = ? ORDER BY t.source, t.seed";
        List<TraceItem> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, List.of(imageId)); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(trace(rs, 1));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- runs

    /** The run records (runs, metrics, artifacts, predictions) on this connection. */
    public Runs runs() {
        return runs;
    }

    /** Names and tags a run (see {@link RunRecords#label}); the Pipeline view's Name and Tags cells write here. */
    public void labelRun(long runId, String name, List<String> tags) throws IOException {
        RunRecords.label(store, runId, name, tags);
    }

    /** Excludes an image from the stages (the user's choice) or includes it again. */
    public void setExcluded(long imageId, boolean excluded) throws IOException {
        ImageExclusions.setExcluded(store, imageId, excluded);
    }

    // ---------------------------------------------------------------- trace audit

    /** Stores (or replaces) the audit verdict and note of one trace. */
    public void setVerdict(long traceId, String verdict, String note) throws SQLException, IOException {
        if (verdict != null && !VERDICTS.contains(verdict)) {
            throw new IllegalArgumentException("verdict must be one of " + VERDICTS + " or null, got '" + verdict + "'");
        }
        store.inTransaction(c -> {
            try (PreparedStatement check = c.prepareStatement("SELECT 1 FROM traces WHERE id = ?")) {
                check.setLong(1, traceId);
                try (ResultSet rs = check.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("no trace with id " + traceId + " in " + store.file());
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO trace_audit(trace_id, verdict, note) "
                    + "VALUES (?, ?, ?) ON CONFLICT(trace_id) DO UPDATE SET verdict = excluded.verdict, "
                    + "note = excluded.note, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')")) {
                ps.setLong(1, traceId);
                ps.setString(2, verdict);
                ps.setString(3, note == null || note.isBlank() ? null : note);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * When a trace deserves a look: its score could not be parsed, it is more than {@code mosThreshold} away
     * from the image's normalised MOS, or the seeds of its image disagree (population std of the parsed scores
     * of one source above {@code seedStdThreshold}).
     */
    public record FlagCriteria(double mosThreshold, double seedStdThreshold) {
        public static final FlagCriteria DEFAULT = new FlagCriteria(1.0, 0.5);
    }

    public static final String FLAG_PARSE = "parse failure";
    public static final String FLAG_MOS = "far from MOS";
    public static final String FLAG_SEEDS = "seeds disagree";

    /** A trace with its image context and the reasons it is flagged (empty: not flagged). */
    public record AuditItem(TraceItem trace, String datasetName, String imageName, Path imagePath, Double mos,
                            double seedStd, List<String> flags) {
        public boolean flagged() {
            return !flags.isEmpty();
        }
    }

    /**
     * Every trace of a dataset (null = all datasets) with its flags, in dataset, image, source, seed order;
     * {@code flaggedOnly} keeps the flagged ones.
     */
    public List<AuditItem> auditItems(Long datasetId, FlagCriteria criteria, boolean flaggedOnly) throws SQLException {
        FlagCriteria c = criteria == null ? FlagCriteria.DEFAULT : criteria;
        String sql = "SELECT t.id, t.image_id, t.seed, t.source, t.raw_text, t.think, t.answer, t.score, "
                + "t.parse_status, a.verdict, a.note, d.name, i.name, i.path, m.normalised "
                + "FROM traces t JOIN images i ON i.id = t.image_id JOIN datasets d ON d.id = i.dataset_id "
                + "LEFT JOIN mos m ON m.image_id = i.id LEFT JOIN trace_audit a ON a.trace_id = t.id "
                + (datasetId == null ? "" : "WHERE d.id = ? ")
                + "ORDER BY d.name, i.name, t.source, t.seed";
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement ps = prepare(sql, datasetId == null ? List.of() : List.of(datasetId));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Object[] {trace(rs, 1), rs.getString(12), rs.getString(13), rs.getString(14), dbl(rs, 15)});
            }
        }
        // Seed disagreement is a property of (image, source): group the parsed scores first.
        Map<String, double[]> stats = new LinkedHashMap<>(); // key -> {n, sum, sumSq}
        for (Object[] r : rows) {
            TraceItem t = (TraceItem) r[0];
            if (t.parsed()) {
                double[] s = stats.computeIfAbsent(t.imageId() + "\u0000" + t.source(), k -> new double[3]);
                s[0]++;
                s[1] += t.score();
                s[2] += t.score() * t.score();
            }
        }
        List<AuditItem> out = new ArrayList<>();
        for (Object[] r : rows) {
            TraceItem t = (TraceItem) r[0];
            Double mos = (Double) r[4];
            double[] s = stats.get(t.imageId() + "\u0000" + t.source());
            double std = 0;
            if (s != null && s[0] >= 2) {
                double mean = s[1] / s[0];
                std = Math.sqrt(Math.max(0, s[2] / s[0] - mean * mean));
            }
            List<String> flags = new ArrayList<>(3);
            if (!t.parsed()) {
                flags.add(FLAG_PARSE);
            } else if (mos != null && Math.abs(t.score() - mos) > c.mosThreshold()) {
                flags.add(FLAG_MOS);
            }
            if (std > c.seedStdThreshold()) {
                flags.add(FLAG_SEEDS);
            }
            if (!flaggedOnly || !flags.isEmpty()) {
                out.add(new AuditItem(t, (String) r[1], (String) r[2], Path.of((String) r[3]), mos, std,
                        List.copyOf(flags)));
            }
        }
        return out;
    }

    /** Writes the audit table as CSV (RFC 4180 quoting), one row per trace of {@code items}. */
    public static void writeAuditCsv(List<AuditItem> items, Writer out) throws IOException {
        out.write("trace_id,dataset,image,source,seed,score,mos,parse_status,flags,verdict,note\n");
        for (AuditItem a : items) {
            TraceItem t = a.trace();
            out.write(String.join(",", String.valueOf(t.id()), csv(a.datasetName()), csv(a.imageName()),
                    csv(t.source()), String.valueOf(t.seed()), t.score() == null ? "" : String.valueOf(t.score()),
                    a.mos() == null ? "" : String.valueOf(a.mos()), csv(t.parseStatus()),
                    csv(String.join(";", a.flags())), csv(t.verdict()), csv(t.note())));
            out.write('\n');
        }
        out.flush();
    }

    static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    // ---------------------------------------------------------------- helpers

    private Connection conn() {
        return store.connection();
    }

    private PreparedStatement prepare(String sql, List<Object> args) throws SQLException {
        PreparedStatement ps = conn().prepareStatement(sql);
        for (int i = 0; i < args.size(); i++) {
            ps.setObject(i + 1, args.get(i));
        }
        return ps;
    }

    private static ImageItem image(ResultSet rs) throws SQLException {
        return new ImageItem(rs.getLong(1), rs.getLong(2), rs.getString(3), Path.of(rs.getString(4)),
                rs.getString(5), dbl(rs, 6), dbl(rs, 7), dbl(rs, 8), rs.getString(9), rs.getString(10),
                integer(rs, 11), integer(rs, 12), columns(rs.getString(13)));
    }

    private static Map<String, String> columns(String json) throws SQLException {
        if (json == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        try {
            JSON.readTree(json).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        } catch (java.io.IOException e) {
            throw new SQLException("images.fields_json is not JSON: " + json, e);
        }
        return out;
    }

    private static TraceItem trace(ResultSet rs, int base) throws SQLException {
        return new TraceItem(rs.getLong(base), rs.getLong(base + 1), rs.getLong(base + 2), rs.getString(base + 3),
                rs.getString(base + 4), rs.getString(base + 5), rs.getString(base + 6), dbl(rs, base + 7),
                rs.getString(base + 8), rs.getString(base + 9), rs.getString(base + 10));
    }

    private static Double dbl(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() ? null : v;
    }

    private static Integer integer(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? null : v;
    }
}
