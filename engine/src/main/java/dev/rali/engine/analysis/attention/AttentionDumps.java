package dev.rali.engine.analysis.attention;

import dev.rali.engine.io.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads and writes attention dumps (docs/ATTENTION_FORMAT.md): a folder with {@code meta.json} and
 * {@code attention.safetensors} (tensor {@code attn}, float [layers, heads, queries, keys]). Reading validates
 * everything an analysis relies on and fails with one line naming the file and the problem.
 */
public final class AttentionDumps {

    public static final String META = "meta.json";
    public static final String TENSOR_FILE = "attention.safetensors";
    public static final String TENSOR = "attn";
    /** Probabilities stored in half precision can round a little above 1. */
    private static final float MAX_VALUE = 1.001f;
    private static final ObjectMapper JSON = new ObjectMapper();

    private AttentionDumps() { }

    /** True when {@code folder} looks like a dump (has meta.json). */
    public static boolean isDump(Path folder) {
        return Files.isRegularFile(folder.resolve(META));
    }

    /**
     * The dump folders under each path: a dump folder itself, or every dump folder below a folder (sorted by path,
     * up to 4 levels deep). A path that is neither fails naming it.
     */
    public static List<Path> find(List<Path> paths) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString(), null, "no such dump folder");
            }
            if (isDump(p)) {
                out.add(p);
                continue;
            }
            if (!Files.isDirectory(p)) {
                throw new IOException(p + ": not an attention dump folder (no " + META + ")");
            }
            try (Stream<Path> s = Files.walk(p, 4)) {
                List<Path> found = s.filter(Files::isDirectory).filter(AttentionDumps::isDump).sorted().toList();
                if (found.isEmpty()) {
                    throw new IOException(p + ": no attention dumps (no folder with " + META + ")");
                }
                out.addAll(found);
            }
        }
        return out;
    }

    /** Reads and validates one dump folder. */
    public static AttentionDump read(Path folder) throws IOException {
        Path metaFile = folder.resolve(META);
        if (!Files.isRegularFile(metaFile)) {
            throw new NoSuchFileException(metaFile.toString(), null, "missing (not an attention dump)");
        }
        JsonNode meta;
        try {
            meta = JSON.readTree(metaFile.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(metaFile + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (meta == null || !meta.isObject()) {
            throw new IOException(metaFile + ": not a JSON object");
        }
        List<String> tokens = strings(metaFile, meta, "tokens");
        if (tokens.isEmpty()) {
            throw new IOException(metaFile + ": 'tokens' is empty");
        }
        List<String> roleNames = strings(metaFile, meta, "roles");
        if (roleNames.size() != tokens.size()) {
            throw new IOException(metaFile + ": 'roles' has " + roleNames.size() + " entries but 'tokens' has "
                    + tokens.size() + " (one role per token)");
        }
        List<Role> roles = new ArrayList<>(roleNames.size());
        for (int i = 0; i < roleNames.size(); i++) {
            Role r = Role.parse(roleNames.get(i));
            if (r == null) {
                throw new IOException(metaFile + ": roles[" + i + "] is '" + roleNames.get(i)
                        + "' (expected system, prompt, image, reasoning or answer)");
            }
            roles.add(r);
        }
        int[] queries = ints(metaFile, meta, "query_positions");
        int[] grid = meta.has("image_grid") && !meta.get("image_grid").isNull()
                ? ints(metaFile, meta, "image_grid") : new int[] {0, 0};
        int[] layers = meta.has("layers") && !meta.get("layers").isNull() ? ints(metaFile, meta, "layers") : null;
        String image = text(metaFile, meta, "image");
        String model = text(metaFile, meta, "model");

        Path tensorFile = folder.resolve(TENSOR_FILE);
        if (!Files.isRegularFile(tensorFile)) {
            throw new NoSuchFileException(tensorFile.toString(), null, "missing (every dump needs its attention tensor)");
        }
        float[] attn;
        long[] shape;
        try (Safetensors.Reader r = Safetensors.open(tensorFile)) {
            Safetensors.TensorInfo info = r.info(TENSOR);
            shape = info.shape();
            if (shape.length != 4) {
                throw new IOException(tensorFile + ": tensor 'attn' has shape " + info.shapeString()
                        + " (expected [layers, heads, queries, keys])");
            }
            if (!info.dtype().isFloat()) {
                throw new IOException(tensorFile + ": tensor 'attn' is " + info.dtype() + " (expected F32)");
            }
            attn = r.floats(TENSOR);
        }
        if (layers == null) {
            layers = java.util.stream.IntStream.range(0, (int) shape[0]).toArray();
        }
        AttentionDump d = new AttentionDump(folder, List.copyOf(tokens), List.copyOf(roles), grid[0], grid[1],
                queries, image, model, layers, (int) shape[1], attn);
        validate(d, shape, metaFile, tensorFile);
        return d;
    }

    /** Checks the dump's parts against each other; used on reading and before writing. */
    static void validate(AttentionDump d, long[] shape, Path metaFile, Path tensorFile) throws IOException {
        int t = d.numTokens();
        if (d.roles().size() != t) {
            throw new IOException(metaFile + ": 'roles' has " + d.roles().size() + " entries but 'tokens' has " + t);
        }
        if (shape[3] != t) {
            throw new IOException(tensorFile + ": the key axis of 'attn' " + Arrays.toString(shape) + " has " + shape[3]
                    + " positions but " + metaFile.getFileName() + " lists " + t + " tokens/roles");
        }
        if (shape[2] != d.numQueries()) {
            throw new IOException(tensorFile + ": the query axis of 'attn' " + Arrays.toString(shape) + " has "
                    + shape[2] + " rows but 'query_positions' lists " + d.numQueries());
        }
        if (shape[0] != d.numLayers()) {
            throw new IOException(tensorFile + ": the layer axis of 'attn' " + Arrays.toString(shape) + " has "
                    + shape[0] + " slices but 'layers' lists " + d.numLayers());
        }
        if (d.numQueries() == 0) {
            throw new IOException(metaFile + ": 'query_positions' is empty");
        }
        Set<Integer> seen = new HashSet<>();
        for (int q : d.queryPositions()) {
            if (q < 0 || q >= t) {
                throw new IOException(metaFile + ": query position " + q + " is outside the " + t + " tokens");
            }
            if (!seen.add(q)) {
                throw new IOException(metaFile + ": query position " + q + " is listed twice");
            }
        }
        Set<Integer> layerSeen = new HashSet<>();
        for (int l : d.layers()) {
            if (l < 0 || !layerSeen.add(l)) {
                throw new IOException(metaFile + ": 'layers' must be distinct non-negative indices, got "
                        + Arrays.toString(d.layers()));
            }
        }
        int nImage = d.imagePositions().length;
        if (d.imageRows() < 0 || d.imageCols() < 0 || (long) d.imageRows() * d.imageCols() != nImage) {
            throw new IOException(metaFile + ": 'image_grid' [" + d.imageRows() + ", " + d.imageCols() + "] does not fit the "
                    + nImage + " tokens with role 'image'");
        }
        float[] a = d.attn();
        int h = d.heads();
        int q = d.numQueries();
        for (int i = 0; i < a.length; i++) {
            float v = a[i];
            if (!(v >= 0f && v <= MAX_VALUE)) { // also catches NaN
                int k = i % t;
                int row = i / t;
                throw new IOException(tensorFile + ": attn[layer " + d.layers()[row / q / h] + ", head " + (row / q) % h
                        + ", query " + row % q + ", key " + k + "] = " + v
                        + (Float.isNaN(v) ? "" : " (attention probabilities lie in [0, 1])"));
            }
        }
    }

    /** Writes a dump folder (meta.json, then attention.safetensors, each atomically). */
    public static void write(Path folder, AttentionDump d) throws IOException {
        Files.createDirectories(folder);
        Path metaFile = folder.resolve(META);
        Path tensorFile = folder.resolve(TENSOR_FILE);
        long[] shape = {d.numLayers(), d.heads(), d.numQueries(), d.numTokens()};
        validate(d, shape, metaFile, tensorFile);
        ObjectNode m = JSON.createObjectNode();
        if (d.model() != null) {
            m.put("model", d.model());
        }
        if (d.image() != null) {
            m.put("image", d.image());
        }
        ArrayNode tok = m.putArray("tokens");
        d.tokens().forEach(tok::add);
        ArrayNode roles = m.putArray("roles");
        d.roles().forEach(r -> roles.add(r.key()));
        if (d.imageRows() > 0) {
            m.putArray("image_grid").add(d.imageRows()).add(d.imageCols());
        }
        ArrayNode qp = m.putArray("query_positions");
        Arrays.stream(d.queryPositions()).forEach(qp::add);
        ArrayNode ly = m.putArray("layers");
        Arrays.stream(d.layers()).forEach(ly::add);
        AtomicFiles.write(metaFile, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m));
        new Safetensors.Writer().metadata("format", "rali-attention-dump/1")
                .putFloats(TENSOR, d.attn(), shape).write(tensorFile);
    }

    private static List<String> strings(Path file, JsonNode meta, String key) throws IOException {
        JsonNode n = meta.get(key);
        if (n == null || !n.isArray()) {
            throw new IOException(file + ": '" + key + "' is missing or not a list");
        }
        List<String> out = new ArrayList<>(n.size());
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw new IOException(file + ": " + key + "[" + i + "] is not a string");
            }
            out.add(n.get(i).asText());
        }
        return out;
    }

    private static int[] ints(Path file, JsonNode meta, String key) throws IOException {
        JsonNode n = meta.get(key);
        if (n == null || !n.isArray()) {
            throw new IOException(file + ": '" + key + "' is " + (n == null ? "missing" : "not a list"));
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            if (!n.get(i).canConvertToInt() || !n.get(i).isIntegralNumber()) {
                throw new IOException(file + ": " + key + "[" + i + "] is not an integer");
            }
            out[i] = n.get(i).asInt();
        }
        if (key.equals("image_grid") && out.length != 2) {
            throw new IOException(file + ": 'image_grid' must be [rows, cols], got " + n);
        }
        return out;
    }

    private static String text(Path file, JsonNode meta, String key) throws IOException {
        JsonNode n = meta.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IOException(file + ": '" + key + "' is not a string");
        }
        return n.asText();
    }
}
