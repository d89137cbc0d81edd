package dev.rali.engine.analysis;

import dev.rali.engine.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a domain-gap result: {@code coordinates.csv} (id, group, score, x, y per map point), {@code numbers.json}
 * (every number, NaN as null, with the notes) and {@code map.png}; and formats the numbers for a terminal.
 */
public final class DomainGapReport {
    public static final String COORDINATES = "coordinates.csv";
    public static final String NUMBERS = "numbers.json";
    public static final String PNG = "map.png";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DomainGapReport() { }

    /** Writes the three files into {@code dir} (created); each file appears whole or not at all. */
    public static void write(DomainGapResult r, EmbeddingSpace space, Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("id,group,score,x,y\n");
        int[] rows = r.map().rows();
        for (int k = 0; k < rows.length; k++) {
            int i = rows[k];
            double s = space.scores() == null ? Double.NaN : space.scores()[i];
            csv.append(CsvTable.quote(space.ids()[i])).append(',').append(CsvTable.quote(space.groups()[i]))
                    .append(',').append(Double.isFinite(s) ? Double.toString(s) : "")
                    .append(',').append(r.map().coordinates()[k][0]).append(',').append(r.map().coordinates()[k][1])
                    .append('\n');
        }
        AtomicFiles.write(dir.resolve(COORDINATES), csv.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(NUMBERS), toJson(r).getBytes(StandardCharsets.UTF_8));
        String[] g = new String[rows.length];
        for (int k = 0; k < rows.length; k++) {
            g[k] = space.groups()[rows[k]];
        }
        String title = String.format(Locale.ROOT, "%s — %s, %d points%s", r.space(),
                r.map().method().name().equals("TSNE") ? "t-SNE" : "UMAP", rows.length,
                Double.isFinite(r.map().trustworthiness())
                        ? String.format(Locale.ROOT, ", trustworthiness %.3f", r.map().trustworthiness()) : "");
        ScatterPlot.write(dir.resolve(PNG), r.map().coordinates(), g, title);
    }

    /** Every number as JSON (NaN → null). */
    public static String toJson(DomainGapResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("space", r.space());
        root.put("n", r.n());
        root.put("dim", r.dim());
        ObjectNode sizes = root.putObject("groups");
        r.groupSizes().forEach(sizes::put);
        ObjectNode map = root.putObject("map");
        DomainGapResult.MapResult m = r.map();
        map.put("method", m.method().key());
        if (m.method().isTsne()) {
            map.put("perplexity", m.perplexity());
        } else {
            map.put("neighbors", m.neighbours());
        }
        map.put("iterations", m.iterations() == 0 ? "default" : Integer.toString(m.iterations()));
        map.put("seed", m.seed());
        map.put("cap", m.cap());
        map.put("points", m.rows().length);
        num(map, "trustworthiness", m.trustworthiness());
        map.put("trustworthiness_k", m.trustK());
        ObjectNode gap = root.putObject("domain_classifier");
        if (r.classifier() == null) {
            gap.putNull("accuracy");
        } else {
            num(gap, "accuracy", r.classifier().accuracy());
            num(gap, "chance", r.classifier().chance());
            gap.put("folds", r.classifier().folds());
            gap.put("n", r.classifier().n());
        }
        ArrayNode mmd = root.putArray("mmd2");
        for (DomainGapResult.PairMmd p : r.mmd()) {
            ObjectNode o = mmd.addObject();
            o.put("a", p.a());
            o.put("b", p.b());
            o.put("n_a", p.na());
            o.put("n_b", p.nb());
            num(o, "mmd2", p.mmd2());
            num(o, "bandwidth", p.bandwidth());
            num(o, "p_value", p.pValue());
            o.put("permutations", p.permutations());
        }
        if (r.knn() == null) {
            root.putNull("knn_srcc");
        } else {
            ObjectNode k = root.putObject("knn_srcc");
            k.put("k", r.knn().k());
            ObjectNode w = k.putObject("within");
            r.knn().within().forEach((g, v) -> num(w, g, v));
            ArrayNode a = k.putArray("across");
            for (DomainGapResult.Cross c : r.knn().across()) {
                ObjectNode o = a.addObject();
                o.put("from", c.from());
                o.put("to", c.to());
                o.put("n", c.n());
                num(o, "srcc", c.srcc());
            }
        }
        ObjectNode secs = root.putObject("seconds");
        secs.put("map", Math.round(r.mapSeconds() * 1000) / 1000.0);
        secs.put("numbers", Math.round(r.numbersSeconds() * 1000) / 1000.0);
        r.partSeconds().forEach((k, v) -> secs.put(k, Math.round(v * 1000) / 1000.0));
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The numbers as a few lines for a terminal. */
    public static String summary(DomainGapResult r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "space %s: %d embeddings × %d, datasets %s%n", r.space(), r.n(), r.dim(),
                r.groupSizes()));
        DomainGapResult.MapResult m = r.map();
        b.append(String.format(Locale.ROOT, "map: %s of %d points, trustworthiness@%d %s%n",
                m.method().isTsne() ? m.method().label() + " (perplexity " + fmt(m.perplexity()) + ")"
                        : "UMAP (" + m.neighbours() + " neighbours)", m.rows().length, m.trustK(),
                fmt(m.trustworthiness())));
        if (r.classifier() != null) {
            b.append(String.format(Locale.ROOT, "domain classifier accuracy %s (chance %s, %d-fold CV, %d points)%n",
                    fmt(r.classifier().accuracy()), fmt(r.classifier().chance()), r.classifier().folds(),
                    r.classifier().n()));
        }
        for (DomainGapResult.PairMmd p : r.mmd()) {
            b.append(String.format(Locale.ROOT, "MMD² %s vs %s = %s (p = %s, %d permutations, σ %s)%n", p.a(), p.b(),
                    fmt(p.mmd2()), fmt(p.pValue()), p.permutations(), fmt(p.bandwidth())));
        }
        if (r.knn() != null) {
            for (Map.Entry<String, Double> e : r.knn().within().entrySet()) {
                b.append(String.format(Locale.ROOT, "kNN SRCC within %s = %s%n", e.getKey(), fmt(e.getValue())));
            }
            for (DomainGapResult.Cross c : r.knn().across()) {
                b.append(String.format(Locale.ROOT, "kNN SRCC %s → %s = %s%n", c.from(), c.to(), fmt(c.srcc())));
            }
        }
        for (String n : r.notes()) {
            b.append("note: ").append(n).append('\n');
        }
        return b.toString();
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4g", v) : "n/a";
    }

    private static void num(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    static List<String> files() {
        return List.of(COORDINATES, NUMBERS, PNG);
    }
}
