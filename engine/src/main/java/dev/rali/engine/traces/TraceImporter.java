package dev.rali.engine.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.io.CsvTable;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Imports reasoning traces produced elsewhere into a project. Accepted inputs:
 * <ul>
 *   <li>JSONL: one object per line with an image reference (image, image_path, img, path, file, filename,
 *       image_name, name), an optional seed (seed, sample, sample_idx, generation, n) and the output (text,
 *       response, output, completion, generated_text, answer_text, content, raw, reasoning, think). The output may
 *       also be an array of strings: element i gets seed i. An optional model/source field names the source;</li>
 *   <li>JSON: an array of such objects, or an object with one array field (traces, results, data, items);</li>
 *   <li>CSV with a header holding image, optional seed and text columns (same aliases);</li>
 *   <li>a folder of raw outputs named {@code IMAGE__seedN.txt} (IMAGE keeps its extension, e.g.
 *       {@code 123.jpg__seed2.txt}); .jsonl/.json/.csv files in the folder are imported too.</li>
 * </ul>
 * A record without a seed gets the next free number for its image in file order, so re-importing the same file
 * writes the same keys (idempotent). Malformed records are listed as file:line: reason and skipped; the rest is
 * written in one transaction per file.
 */
public final class TraceImporter {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> IMAGE_KEYS = List.of("image", "image_path", "img", "path", "file", "filename",
            "image_name", "name", "image_file");
    static final List<String> SEED_KEYS = List.of("seed", "sample", "sample_idx", "sample_id", "generation", "n");
    static final List<String> TEXT_KEYS = List.of("text", "response", "output", "completion", "generated_text",
            "responses", "outputs", "answer_text", "content", "raw", "raw_text", "reasoning", "think");
    static final List<String> SOURCE_KEYS = List.of("source", "model", "model_name");
    private static final Pattern TXT_NAME = Pattern.compile("(.+)__seed(-?\\d+)\\.txt", Pattern.CASE_INSENSITIVE);

    /** source: overrides any per-record source (null = record's model field, else the file's name). */
    public record Options(String source, String dataset) {
        public static Options defaults() {
            return new Options(null, null);
        }
    }

    /** A skipped record. */
    public record Problem(Path file, int line, String reason) {
        @Override
        public String toString() {
            return file + (line > 0 ? ":" + line : "") + ": " + reason;
        }
    }

    public record Report(int files, int inserted, int updated, int unchanged, List<Problem> problems,
                         Map<ParseStatus, Integer> statuses) {
        public int written() {
            return inserted + updated + unchanged;
        }
    }

    private record Item(Path file, int line, String image, Long seed, String text, String source) { }

    private final TraceParser parser;

    public TraceImporter() {
        this(new TraceParser());
    }

    public TraceImporter(TraceParser parser) {
        this.parser = parser;
    }

    public Report importPath(ProjectStore store, Path fileOrDir, Options options, TaskContext ctx) throws IOException {
        if (!Files.exists(fileOrDir)) {
            throw new IOException(fileOrDir + ": no such file or folder");
        }
        ImageIndex index = ImageIndex.load(store, options.dataset());
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(fileOrDir)) {
            try (Stream<Path> s = Files.walk(fileOrDir)) {
                s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
                        .forEach(files::add);
            }
        } else {
            files.add(fileOrDir);
        }
        List<Problem> problems = new ArrayList<>();
        Map<ParseStatus, Integer> statuses = new EnumMap<>(ParseStatus.class);
        int ins = 0, upd = 0, same = 0, nfiles = 0;
        List<Item> txtItems = new ArrayList<>();
        int done = 0;
        for (Path f : files) {
            ctx.checkCancelled();
            ctx.progress("import traces", done++, files.size(), f.getFileName().toString());
            String lower = f.getFileName().toString().toLowerCase(Locale.ROOT);
            List<Item> items;
            try {
                if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
                    items = readJsonl(f, problems);
                } else if (lower.endsWith(".json")) {
                    items = readJson(f, problems);
                } else if (lower.endsWith(".csv")) {
                    items = readCsv(f, problems);
                } else if (lower.endsWith(".txt")) {
                    Matcher m = TXT_NAME.matcher(f.getFileName().toString());
                    if (!m.matches()) {
                        problems.add(new Problem(f, 0, "not named IMAGE__seedN.txt; skipped"));
                        continue;
                    }
                    Long seed = seedOf(m.group(2));
                    if (seed == null) {
                        problems.add(new Problem(f, 0, "seed in the file name does not fit 64 bits; skipped"));
                        continue;
                    }
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    txtItems.add(new Item(f, 0, m.group(1), seed, text, null));
                    continue;
                } else {
                    if (!Files.isDirectory(fileOrDir)) {
                        throw new IOException(f + ": unknown trace format (expected .jsonl, .json, .csv or a folder of IMAGE__seedN.txt)");
                    }
                    problems.add(new Problem(f, 0, "unknown file type; skipped"));
                    continue;
                }
            } catch (java.nio.charset.MalformedInputException e) {
                problems.add(new Problem(f, 0, "not UTF-8 text; skipped"));
                continue;
            } catch (IOException e) {
                if (!Files.isDirectory(fileOrDir)) {
                    throw e;
                }
                // in a folder, one unreadable or unrelated file (a manifest.json, …) does not stop the others
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                problems.add(new Problem(f, 0, (m.startsWith(f.toString()) ? m.substring(f.toString().length()).replaceFirst("^:\\s*", "") : m)
                        + "; skipped"));
                continue;
            }
            nfiles++;
            String defaultSource = options.source() != null ? options.source() : stem(f);
            TraceStore.WriteResult r = write(store, items, index, defaultSource, options.source() != null, problems, statuses);
            ins += r.inserted();
            upd += r.updated();
            same += r.unchanged();
        }
        if (!txtItems.isEmpty()) {
            nfiles += txtItems.size();
            Path dirName = Files.isDirectory(fileOrDir) ? fileOrDir : fileOrDir.getParent();
            String defaultSource = options.source() != null ? options.source()
                    : (dirName == null || dirName.getFileName() == null ? "traces" : dirName.getFileName().toString());
            TraceStore.WriteResult r = write(store, txtItems, index, defaultSource, true, problems, statuses);
            ins += r.inserted();
            upd += r.updated();
            same += r.unchanged();
        }
        problems.sort(java.util.Comparator.comparing((Problem p) -> String.valueOf(p.file())).thenComparingInt(Problem::line));
        ctx.progress("import traces", files.size(), files.size(), "");
        return new Report(nfiles, ins, upd, same, problems, statuses);
    }

    private TraceStore.WriteResult write(ProjectStore store, List<Item> items, ImageIndex index,
                                         String defaultSource, boolean forceSource, List<Problem> problems,
                                         Map<ParseStatus, Integer> statuses) throws IOException {
        List<TraceStore.NewTrace> batch = new ArrayList<>();
        Map<String, Long> nextSeed = new HashMap<>();
        Map<TraceStore.Key, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            Path f = it.file();
            ImageIndex.Resolution res = index.resolve(it.image());
            if (!res.ok()) {
                problems.add(new Problem(f, it.line(), res.reason()));
                continue;
            }
            String source = forceSource || it.source() == null || it.source().isBlank() ? defaultSource : it.source();
            long seed;
            String seedKey = res.imageId() + "\u0000" + source;
            if (it.seed() != null) {
                seed = it.seed();
                nextSeed.merge(seedKey, seed + 1, Math::max);
            } else {
                seed = nextSeed.getOrDefault(seedKey, 0L);
                nextSeed.put(seedKey, seed + 1);
            }
            TraceStore.Key key = new TraceStore.Key(res.imageId(), source, seed);
            Integer prev = seen.put(key, it.line());
            if (prev != null) {
                problems.add(new Problem(f, it.line(), "duplicate of " + (prev > 0 ? "line " + prev : "an earlier file")
                        + " (image '" + it.image() + "', seed " + seed + "); the later one is kept"));
                batch.removeIf(t -> t.imageId() == key.imageId() && t.seed() == key.seed() && t.source().equals(key.source()));
            }
            batch.add(new TraceStore.NewTrace(res.imageId(), source, seed, it.text()));
        }
        for (TraceStore.NewTrace t : batch) {
            statuses.merge(parser.parse(t.rawText()).status(), 1, Integer::sum);
        }
        return TraceStore.upsertAll(store, batch, parser);
    }

    private List<Item> readJsonl(Path f, List<Problem> problems) throws IOException {
        List<Item> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    problems.add(new Problem(f, n, "malformed JSON: " + firstLine(e.getMessage())));
                    continue;
                }
                fromObject(f, n, node, out, problems);
            }
        }
        return out;
    }

    private List<Item> readJson(Path f, List<Problem> problems) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": malformed JSON: " + firstLine(e.getMessage()), e);
        }
        if (root != null && root.isObject()) {
            for (String k : List.of("traces", "results", "data", "items")) {
                if (root.has(k) && root.get(k).isArray()) {
                    root = root.get(k);
                    break;
                }
            }
        }
        if (root == null || !root.isArray()) {
            throw new IOException(f + ": expected a JSON array of trace objects (or an object with a 'traces' array)");
        }
        List<Item> out = new ArrayList<>();
        int i = 0;
        for (JsonNode el : root) {
            i++;
            // JSON arrays have no useful line numbers: report the element index as "line".
            fromObject(f, i, el, out, problems);
        }
        return out;
    }

    private void fromObject(Path f, int line, JsonNode node, List<Item> out, List<Problem> problems) {
        if (node == null || !node.isObject()) {
            problems.add(new Problem(f, line, "expected a JSON object"));
            return;
        }
        String image = textField(node, IMAGE_KEYS);
        if (image == null) {
            problems.add(new Problem(f, line, "no image field (one of " + IMAGE_KEYS + ")"));
            return;
        }
        JsonNode textNode = field(node, TEXT_KEYS);
        if (textNode == null || textNode.isNull()) {
            problems.add(new Problem(f, line, "no text field (one of " + TEXT_KEYS + ")"));
            return;
        }
        Long seed = null;
        JsonNode seedNode = field(node, SEED_KEYS);
        if (seedNode != null && !seedNode.isNull()) {
            seed = seedOf(seedNode.isIntegralNumber() || seedNode.isTextual() ? seedNode.asText() : null);
            if (seed == null) {
                problems.add(new Problem(f, line, "seed is not an integer that fits 64 bits: " + seedNode));
                return;
            }
        }
        String source = textField(node, SOURCE_KEYS);
        if (textNode.isArray()) {
            long base = seed == null ? 0 : seed;
            int k = 0;
            for (JsonNode t : textNode) {
                if (!t.isTextual()) {
                    problems.add(new Problem(f, line, "text array element " + k + " is not a string"));
                    return;
                }
                out.add(new Item(f, line, image, base + k, t.asText(), source));
                k++;
            }
            return;
        }
        if (!textNode.isTextual()) {
            problems.add(new Problem(f, line, "text field is not a string"));
            return;
        }
        out.add(new Item(f, line, image, seed, textNode.asText(), source));
    }

    private List<Item> readCsv(Path f, List<Problem> problems) throws IOException {
        CsvTable.Records parsed = CsvTable.parse(Files.readString(f, StandardCharsets.UTF_8), ',');
        if (parsed.unterminatedLine() >= 0) {
            throw CsvTable.unterminatedQuote(f, parsed.unterminatedLine());
        }
        List<CsvTable.Row> records = parsed.rows();
        if (records.isEmpty()) {
            return List.of();
        }
        List<String> header = records.get(0).cells().stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList();
        int img = indexOf(header, IMAGE_KEYS), txt = indexOf(header, TEXT_KEYS), sd = indexOf(header, SEED_KEYS),
                src = indexOf(header, SOURCE_KEYS);
        if (img < 0 || txt < 0) {
            throw new IOException(f + ": CSV header must name an image column (" + IMAGE_KEYS + ") and a text column ("
                    + TEXT_KEYS + "), found " + header);
        }
        List<Item> out = new ArrayList<>();
        for (CsvTable.Row r : records.subList(1, records.size())) {
            List<String> v = r.cells();
            if (v.size() != header.size()) {
                problems.add(new Problem(f, r.line(), "has " + v.size() + " fields, the header has " + header.size()));
                continue;
            }
            Long seed = null;
            if (sd >= 0 && !v.get(sd).isBlank()) {
                seed = seedOf(v.get(sd));
                if (seed == null) {
                    problems.add(new Problem(f, r.line(), "seed is not an integer that fits 64 bits: '" + v.get(sd) + "'"));
                    continue;
                }
            }
            if (v.get(img).isBlank()) {
                problems.add(new Problem(f, r.line(), "empty image field"));
                continue;
            }
            out.add(new Item(f, r.line(), v.get(img).strip(), seed, v.get(txt), src >= 0 ? v.get(src).strip() : null));
        }
        return out;
    }

    /** The seed in s (an optional minus and ASCII digits), or null when it is not one or does not fit a long. */
    private static Long seedOf(String s) {
        if (s == null || !s.strip().matches("-?[0-9]+")) {
            return null;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int indexOf(List<String> header, List<String> keys) {
        for (String k : keys) {
            int i = header.indexOf(k);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode field(JsonNode node, List<String> keys) {
        for (String k : keys) {
            if (node.has(k)) {
                return node.get(k);
            }
        }
        return null;
    }

    private static String textField(JsonNode node, List<String> keys) {
        JsonNode n = field(node, keys);
        if (n == null || n.isNull() || n.isContainerNode()) {
            return null;
        }
        String s = n.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
