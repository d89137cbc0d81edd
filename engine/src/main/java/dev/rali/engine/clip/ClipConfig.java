package dev.rali.engine.clip;

import dev.rali.engine.io.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The architecture of a Hugging Face {@code CLIPModel}, read from its {@code config.json}. Every size comes from
 * the file; a key that is absent takes transformers' default (CLIPTextConfig / CLIPVisionConfig / CLIPConfig), so a
 * config written by any transformers version reads the same way here as there.
 */
public record ClipConfig(Text text, Vision vision, int projectionDim, double logitScaleInit) {

    /** Activations CLIP checkpoints use; gelu_pytorch_tanh is the same function as gelu_new. */
    public static final List<String> ACTIVATIONS = List.of("quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh");

    /** The part of a tower that is a plain pre-LN transformer encoder. */
    public record Encoder(int hiddenSize, int intermediateSize, int numHeads, int numLayers, String hiddenAct,
                          double layerNormEps) {
        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    /** CLIPTextConfig. {@code eosTokenId == 2} selects transformers' legacy pooling (argmax of the ids). */
    public record Text(int vocabSize, int hiddenSize, int intermediateSize, int numHeads, int numLayers,
                       int maxPositionEmbeddings, String hiddenAct, double layerNormEps, long eosTokenId,
                       long bosTokenId, long padTokenId) {
        public Encoder encoder() {
            return new Encoder(hiddenSize, intermediateSize, numHeads, numLayers, hiddenAct, layerNormEps);
        }
    }

    /** CLIPVisionConfig. */
    public record Vision(int hiddenSize, int intermediateSize, int numHeads, int numLayers, int imageSize,
                         int patchSize, int numChannels, String hiddenAct, double layerNormEps) {
        public Encoder encoder() {
            return new Encoder(hiddenSize, intermediateSize, numHeads, numLayers, hiddenAct, layerNormEps);
        }

        public int gridSize() {
            return imageSize / patchSize;
        }

        /** Patches plus the class token. */
        public int numPositions() {
            return gridSize() * gridSize() + 1;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Reads an HF {@code config.json} (a CLIPModel config with text_config and vision_config). */
    public static ClipConfig read(Path configJson) throws IOException {
        if (!Files.isRegularFile(configJson)) {
            throw new IOException(configJson + ": no such file (a CLIP model folder needs config.json)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IOException(configJson + ": malformed JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(configJson + ": not a JSON object");
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IOException(configJson + ": " + e.getMessage(), e);
        }
    }

    /** Parses the JSON tree; errors are IllegalArgumentException naming the key. */
    public static ClipConfig fromJson(JsonNode root) {
        String type = root.path("model_type").asText("clip");
        if (!type.equals("clip")) {
            throw new IllegalArgumentException("model_type is '" + type + "', expected 'clip' (a CLIPModel config)");
        }
        JsonNode t = sub(root, "text_config");
        JsonNode v = sub(root, "vision_config");
        Text text = new Text(
                intOf(t, "text_config", "vocab_size", 49408),
                intOf(t, "text_config", "hidden_size", 512),
                intOf(t, "text_config", "intermediate_size", 2048),
                intOf(t, "text_config", "num_attention_heads", 8),
                intOf(t, "text_config", "num_hidden_layers", 12),
                intOf(t, "text_config", "max_position_embeddings", 77),
                act(t, "text_config"),
                doubleOf(t, "text_config", "layer_norm_eps", 1e-5),
                longOf(t, "eos_token_id", 49407),
                longOf(t, "bos_token_id", 49406),
                longOf(t, "pad_token_id", 1));
        Vision vision = new Vision(
                intOf(v, "vision_config", "hidden_size", 768),
                intOf(v, "vision_config", "intermediate_size", 3072),
                intOf(v, "vision_config", "num_attention_heads", 12),
                intOf(v, "vision_config", "num_hidden_layers", 12),
                intOf(v, "vision_config", "image_size", 224),
                intOf(v, "vision_config", "patch_size", 32),
                intOf(v, "vision_config", "num_channels", 3),
                act(v, "vision_config"),
                doubleOf(v, "vision_config", "layer_norm_eps", 1e-5));
        ClipConfig cfg = new ClipConfig(text, vision, intOf(root, "", "projection_dim", 512),
                doubleOf(root, "", "logit_scale_init_value", 2.6592));
        cfg.validate();
        return cfg;
    }

    /** Checks the sizes fit together (heads divide the width, patches tile the image). */
    public void validate() {
        check(text.hiddenSize % text.numHeads == 0, "text_config.hidden_size " + text.hiddenSize
                + " is not divisible by num_attention_heads " + text.numHeads);
        check(vision.hiddenSize % vision.numHeads == 0, "vision_config.hidden_size " + vision.hiddenSize
                + " is not divisible by num_attention_heads " + vision.numHeads);
        check(vision.imageSize % vision.patchSize == 0, "vision_config.image_size " + vision.imageSize
                + " is not a multiple of patch_size " + vision.patchSize);
        check(text.eosTokenId < text.vocabSize || text.eosTokenId == 2, "text_config.eos_token_id "
                + text.eosTokenId + " is outside the vocabulary of " + text.vocabSize);
        check(ACTIVATIONS.contains(text.hiddenAct), "text_config.hidden_act '" + text.hiddenAct + "' unsupported");
        check(ACTIVATIONS.contains(vision.hiddenAct), "vision_config.hidden_act '" + vision.hiddenAct + "' unsupported");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static JsonNode sub(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            n = root.get(key + "_dict"); // transformers < 4.21 wrote text_config_dict / vision_config_dict
        }
        if (n == null || n.isNull()) {
            return JSON.createObjectNode(); // all defaults, as CLIPConfig() does
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(key + " is not a JSON object");
        }
        return n;
    }

    private static String where(String section, String key) {
        return section.isEmpty() ? key : section + "." + key;
    }

    private static int intOf(JsonNode n, String section, String key, int def) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw new IllegalArgumentException(where(section, key) + " must be a positive integer, found " + v);
        }
        return v.asInt();
    }

    private static long longOf(JsonNode n, String key, long def) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isIntegralNumber()) {
            throw new IllegalArgumentException("text_config." + key + " must be an integer, found " + v);
        }
        return v.asLong();
    }

    private static double doubleOf(JsonNode n, String section, String key, double def) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(where(section, key) + " must be a finite number, found " + v);
        }
        return v.asDouble();
    }

    private static String act(JsonNode n, String section) {
        JsonNode v = n.get("hidden_act");
        String a = v == null || v.isNull() ? "quick_gelu" : v.asText().toLowerCase(Locale.ROOT);
        if (!ACTIVATIONS.contains(a)) {
            throw new IllegalArgumentException(section + ".hidden_act '" + a + "' is not supported (supported: "
                    + ACTIVATIONS + ")");
        }
        return a;
    }

    /** The config as transformers writes it for CLIPModel (loadable by CLIPModel.from_pretrained). */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("CLIPModel");
        root.put("model_type", "clip");
        root.put("projection_dim", projectionDim);
        root.put("logit_scale_init_value", logitScaleInit);
        root.put("initializer_factor", 1.0);
        root.put("torch_dtype", "float32");
        ObjectNode t = root.putObject("text_config");
        t.put("model_type", "clip_text_model");
        t.put("vocab_size", text.vocabSize);
        t.put("hidden_size", text.hiddenSize);
        t.put("intermediate_size", text.intermediateSize);
        t.put("num_attention_heads", text.numHeads);
        t.put("num_hidden_layers", text.numLayers);
        t.put("max_position_embeddings", text.maxPositionEmbeddings);
        t.put("hidden_act", text.hiddenAct);
        t.put("layer_norm_eps", text.layerNormEps);
        t.put("projection_dim", projectionDim);
        t.put("eos_token_id", text.eosTokenId);
        t.put("bos_token_id", text.bosTokenId);
        t.put("pad_token_id", text.padTokenId);
        ObjectNode v = root.putObject("vision_config");
        v.put("model_type", "clip_vision_model");
        v.put("hidden_size", vision.hiddenSize);
        v.put("intermediate_size", vision.intermediateSize);
        v.put("num_attention_heads", vision.numHeads);
        v.put("num_hidden_layers", vision.numLayers);
        v.put("image_size", vision.imageSize);
        v.put("patch_size", vision.patchSize);
        v.put("num_channels", vision.numChannels);
        v.put("hidden_act", vision.hiddenAct);
        v.put("layer_norm_eps", vision.layerNormEps);
        v.put("projection_dim", projectionDim);
        return root;
    }

    /** Writes {@link #toJson()} to a file. */
    public void write(Path configJson) throws IOException {
        Path parent = configJson.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        AtomicFiles.write(configJson, JSON.writeValueAsBytes(toJson()));
    }

    /**
     * Published architectures by short name (vit-b-32, vit-b-16, vit-l-14, vit-l-14-336), for benchmarks and tests
     * that need the real sizes without the weights.
     */
    public static ClipConfig preset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "vit-b-32" -> new ClipConfig(openaiText(512, 8), new Vision(768, 3072, 12, 12, 224, 32, 3,
                    "quick_gelu", 1e-5), 512, 2.6592);
            case "vit-b-16" -> new ClipConfig(openaiText(512, 8), new Vision(768, 3072, 12, 12, 224, 16, 3,
                    "quick_gelu", 1e-5), 512, 2.6592);
            case "vit-l-14" -> new ClipConfig(openaiText(768, 12), new Vision(1024, 4096, 16, 24, 224, 14, 3,
                    "quick_gelu", 1e-5), 768, 2.6592);
            case "vit-l-14-336" -> new ClipConfig(openaiText(768, 12), new Vision(1024, 4096, 16, 24, 336, 14, 3,
                    "quick_gelu", 1e-5), 768, 2.6592);
            default -> throw new IllegalArgumentException("unknown CLIP preset '" + name
                    + "' (known: vit-b-32, vit-b-16, vit-l-14, vit-l-14-336)");
        };
    }

    private static Text openaiText(int width, int heads) {
        // OpenAI's released configs carry eos_token_id 2 (legacy pooling at argmax of the ids).
        return new Text(49408, width, 4 * width, heads, 12, 77, "quick_gelu", 1e-5, 2, 49406, 1);
    }
}
