package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tensors of an HF CLIPModel checkpoint: {@code model.safetensors} or a sharded
 * {@code model.safetensors.index.json}. Opening checks every expected tensor's presence and shape from the headers
 * alone (one error lists all problems); {@link #read} then decodes one tensor at a time to float32, so F16/BF16
 * checkpoints are widened in Java and never reach the native side in half precision.
 */
public final class ClipWeights implements AutoCloseable {

    /** Buffers some checkpoints carry that are not parameters. */
    private static final List<String> IGNORED_SUFFIXES = List.of("position_ids");

    private final Path dir;
    private final Map<String, long[]> expected;
    private final Map<String, Safetensors.Reader> readerOf = new LinkedHashMap<>();
    private final List<Safetensors.Reader> readers = new ArrayList<>();

    private ClipWeights(Path dir, Map<String, long[]> expected) {
        this.dir = dir;
        this.expected = expected;
    }

    /** Every parameter of a CLIPModel with this config, in HF names and shapes (Linear weights are [out, in]). */
    public static LinkedHashMap<String, long[]> expectedShapes(ClipConfig cfg) {
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        ClipConfig.Text t = cfg.text();
        ClipConfig.Vision v = cfg.vision();
        m.put("text_model.embeddings.token_embedding.weight", new long[] {t.vocabSize(), t.hiddenSize()});
        m.put("text_model.embeddings.position_embedding.weight", new long[] {t.maxPositionEmbeddings(), t.hiddenSize()});
        encoder(m, "text_model.encoder.layers.", t.encoder());
        m.put("text_model.final_layer_norm.weight", new long[] {t.hiddenSize()});
        m.put("text_model.final_layer_norm.bias", new long[] {t.hiddenSize()});
        m.put("vision_model.embeddings.class_embedding", new long[] {v.hiddenSize()});
        m.put("vision_model.embeddings.patch_embedding.weight",
                new long[] {v.hiddenSize(), v.numChannels(), v.patchSize(), v.patchSize()});
        m.put("vision_model.embeddings.position_embedding.weight", new long[] {v.numPositions(), v.hiddenSize()});
        m.put("vision_model.pre_layrnorm.weight", new long[] {v.hiddenSize()}); // sic: HF's spelling
        m.put("vision_model.pre_layrnorm.bias", new long[] {v.hiddenSize()});
        encoder(m, "vision_model.encoder.layers.", v.encoder());
        m.put("vision_model.post_layernorm.weight", new long[] {v.hiddenSize()});
        m.put("vision_model.post_layernorm.bias", new long[] {v.hiddenSize()});
        m.put("visual_projection.weight", new long[] {cfg.projectionDim(), v.hiddenSize()});
        m.put("text_projection.weight", new long[] {cfg.projectionDim(), t.hiddenSize()});
        m.put("logit_scale", new long[] {});
        return m;
    }

    private static void encoder(Map<String, long[]> m, String prefix, ClipConfig.Encoder e) {
        long d = e.hiddenSize();
        long f = e.intermediateSize();
        for (int i = 0; i < e.numLayers(); i++) {
            String p = prefix + i + ".";
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "out_proj")) {
                m.put(p + "self_attn." + proj + ".weight", new long[] {d, d});
                m.put(p + "self_attn." + proj + ".bias", new long[] {d});
            }
            m.put(p + "layer_norm1.weight", new long[] {d});
            m.put(p + "layer_norm1.bias", new long[] {d});
            m.put(p + "mlp.fc1.weight", new long[] {f, d});
            m.put(p + "mlp.fc1.bias", new long[] {f});
            m.put(p + "mlp.fc2.weight", new long[] {d, f});
            m.put(p + "mlp.fc2.bias", new long[] {d});
            m.put(p + "layer_norm2.weight", new long[] {d});
            m.put(p + "layer_norm2.bias", new long[] {d});
        }
    }

    /** Opens the checkpoint in {@code dir} and checks it against {@code cfg}; the caller closes it. */
    public static ClipWeights open(Path dir, ClipConfig cfg) throws IOException {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(single)) {
            files.add(single);
        } else if (Files.isRegularFile(index)) {
            files.addAll(shards(index));
        } else if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
            throw new IOException(dir.resolve("pytorch_model.bin") + ": pickled PyTorch checkpoints are not loaded"
                    + " (unpickling can run code). Convert it once to safetensors with Python: "
                    + "from transformers import CLIPModel; d='" + dir + "'; "
                    + "CLIPModel.from_pretrained(d).save_pretrained(d, safe_serialization=True)");
        } else {
            throw new IOException(dir + ": no model.safetensors or model.safetensors.index.json");
        }
        ClipWeights w = new ClipWeights(dir, expectedShapes(cfg));
        try {
            for (Path f : files) {
                Safetensors.Reader r = Safetensors.open(f);
                w.readers.add(r);
                for (String name : r.tensors().keySet()) {
                    w.readerOf.putIfAbsent(name, r);
                }
            }
            w.check();
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    private static List<Path> shards(Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new IOException(index + ": malformed JSON: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new IOException(index + ": no weight_map object");
        }
        List<Path> out = new ArrayList<>();
        Iterator<JsonNode> it = map.elements();
        while (it.hasNext()) {
            String file = it.next().asText();
            Path p = index.getParent().resolve(file).normalize();
            if (!p.startsWith(index.getParent().normalize()) || file.isEmpty()) {
                throw new IOException(index + ": shard '" + file + "' is outside the model folder");
            }
            if (!out.contains(p)) {
                if (!Files.isRegularFile(p)) {
                    throw new IOException(index + ": shard " + p + " is missing");
                }
                out.add(p);
            }
        }
        return out;
    }

    private void check() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Safetensors.Reader r = readerOf.get(e.getKey());
            if (r == null) {
                problems.add(e.getKey() + ": missing (expected shape " + Arrays.toString(e.getValue()) + ")");
                continue;
            }
            Safetensors.TensorInfo info = r.info(e.getKey());
            if (!info.dtype().isFloat()) {
                problems.add(e.getKey() + ": dtype " + info.dtype() + " is not a float type");
            } else if (!sameShape(e.getValue(), info.shape())) {
                problems.add(e.getKey() + ": expected shape " + Arrays.toString(e.getValue()) + ", found "
                        + info.shapeString());
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException(dir + ": checkpoint does not match config.json (" + problems.size()
                    + " problem(s)):\n  " + String.join("\n  ", problems));
        }
    }

    private static boolean sameShape(long[] want, long[] got) {
        if (want.length == 0) { // logit_scale: a 0-d tensor, some exporters write [1]
            return got.length == 0 || (got.length == 1 && got[0] == 1);
        }
        return Arrays.equals(want, got);
    }

    /** Tensors in the files that the model does not use (buffers such as position_ids excluded). */
    public List<String> unexpected() {
        List<String> out = new ArrayList<>();
        for (String name : new TreeMap<>(readerOf).keySet()) {
            if (!expected.containsKey(name) && IGNORED_SUFFIXES.stream().noneMatch(name::endsWith)) {
                out.add(name);
            }
        }
        return out;
    }

    /** Names and shapes the model reads, in load order. */
    public Map<String, long[]> expected() {
        return expected;
    }

    /** One tensor as float32 (F16/BF16/F64 converted in Java). */
    public float[] read(String name) throws IOException {
        Safetensors.Reader r = readerOf.get(name);
        if (r == null) {
            throw new IOException(dir + ": no tensor '" + name + "'");
        }
        return r.floats(name);
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (Safetensors.Reader r : readers) {
            try {
                r.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
