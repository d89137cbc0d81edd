package dev.rali.engine.sample;

import dev.rali.engine.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes the randomly initialised tiny CLIP that {@code rali demo} aligns from scratch, in Hugging Face layout
 * ({@code config.json}, {@code model.safetensors} with CLIPModel's parameter names, {@code preprocessor_config.json}),
 * so the demo runs through exactly the code path of a real checkpoint. No vocab files are written: the tokenizer
 * falls back to the bundled CLIP BPE, hence the text vocabulary is the full 49,408 ids (kept cheap by a narrow
 * text width).
 *
 * <p>Initialisation follows transformers' {@code CLIPPreTrainedModel._init_weights} (factor 1): token embeddings
 * N(0, 0.02), text positions N(0, 0.01), vision class embedding N(0, width^-0.5), patch and vision positions
 * N(0, 0.02), q/k/v and fc2 N(0, width^-0.5·(2·layers)^-0.5), out_proj N(0, width^-0.5), fc1 N(0, (2·width)^-0.5),
 * projections N(0, width^-0.5), biases 0, layer norms 1/0. The frozen random text tower is the "teacher embedding"
 * of the demo: its embeddings of the reasoning texts are the alignment targets.
 *
 * <p>Preprocessing: resize the shorter side to {@link Config#shortestEdge} (the sample images' own size, so a no-op
 * for them), centre-crop {@link Config#imageSize}: the model sees native-resolution pixels, as in training on
 * random crops ({@link RandomCrops}).
 */
public final class DemoClipFactory {
    private DemoClipFactory() { }

    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    /** Architecture of the demo CLIP. */
    public record Config(int imageSize, int shortestEdge, int patchSize, int visionWidth, int visionLayers,
                         int visionHeads, int visionMlp, int textWidth, int textLayers, int textHeads, int textMlp,
                         int projectionDim, int maxPositions, int vocabSize, double logitScale) {
        public Config {
            if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) {
                throw new IllegalArgumentException("image size " + imageSize + " must be a positive multiple of patch size " + patchSize);
            }
            if (shortestEdge < imageSize) {
                throw new IllegalArgumentException("shortestEdge " + shortestEdge + " must be at least the crop size " + imageSize);
            }
            if (visionWidth % visionHeads != 0 || textWidth % textHeads != 0) {
                throw new IllegalArgumentException("widths must be divisible by the head counts");
            }
            if (vocabSize < 49408) {
                throw new IllegalArgumentException("vocabSize " + vocabSize + " < 49408: the bundled CLIP BPE emits ids up to 49407");
            }
            if (maxPositions < 8) {
                throw new IllegalArgumentException("maxPositions must be at least 8: " + maxPositions);
            }
        }

        /** The demo recipe's model: see {@link DemoRecipe}. */
        public static Config defaults() {
            return new Config(DemoRecipe.CROP_SIZE, DemoRecipe.IMAGE_SIZE, 8, 64, 2, 4, 256, 64, 2, 2, 256, 64, 77,
                    49408, DemoRecipe.LOGIT_SCALE);
        }

        public int numPatches() {
            return (imageSize / patchSize) * (imageSize / patchSize);
        }
    }

    /** Writes the model folder; returns it. Same seed, same bytes. */
    public static Path create(Path dir, Config c, long seed) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rnd = new SplittableRandom(seed);
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", "pt");
        int vw = c.visionWidth();
        w.putFloats("vision_model.embeddings.class_embedding", normal(rnd, vw, Math.pow(vw, -0.5)), vw);
        w.putFloats("vision_model.embeddings.patch_embedding.weight",
                normal(rnd, vw * 3 * c.patchSize() * c.patchSize(), 0.02), vw, 3, c.patchSize(), c.patchSize());
        w.putFloats("vision_model.embeddings.position_embedding.weight", normal(rnd, (c.numPatches() + 1) * vw, 0.02),
                c.numPatches() + 1, vw);
        layerNorm(w, "vision_model.pre_layrnorm", vw);
        encoder(w, rnd, "vision_model.encoder", vw, c.visionMlp(), c.visionLayers());
        layerNorm(w, "vision_model.post_layernorm", vw);
        w.putFloats("visual_projection.weight", normal(rnd, c.projectionDim() * vw, Math.pow(vw, -0.5)), c.projectionDim(), vw);

        int tw = c.textWidth();
        w.putFloats("text_model.embeddings.token_embedding.weight", normal(rnd, c.vocabSize() * tw, 0.02), c.vocabSize(), tw);
        w.putFloats("text_model.embeddings.position_embedding.weight", normal(rnd, c.maxPositions() * tw, 0.01), c.maxPositions(), tw);
        encoder(w, rnd, "text_model.encoder", tw, c.textMlp(), c.textLayers());
        layerNorm(w, "text_model.final_layer_norm", tw);
        w.putFloats("text_projection.weight", normal(rnd, c.projectionDim() * tw, Math.pow(tw, -0.5)), c.projectionDim(), tw);
        w.putFloats("logit_scale", new float[]{(float) c.logitScale()});
        w.write(dir.resolve("model.safetensors"));
        writeConfig(dir, c);
        writePreprocessor(dir, c);
        return dir;
    }

    private static void encoder(Safetensors.Writer w, SplittableRandom rnd, String prefix, int d, int mlp, int layers) {
        double inStd = Math.pow(d, -0.5) * Math.pow(2.0 * layers, -0.5);
        double outStd = Math.pow(d, -0.5);
        double fcStd = Math.pow(2.0 * d, -0.5);
        for (int l = 0; l < layers; l++) {
            String p = prefix + ".layers." + l + ".";
            for (String proj : new String[]{"q_proj", "k_proj", "v_proj"}) {
                w.putFloats(p + "self_attn." + proj + ".weight", normal(rnd, d * d, inStd), d, d);
                w.putFloats(p + "self_attn." + proj + ".bias", new float[d], d);
            }
            w.putFloats(p + "self_attn.out_proj.weight", normal(rnd, d * d, outStd), d, d);
            w.putFloats(p + "self_attn.out_proj.bias", new float[d], d);
            layerNorm(w, p + "layer_norm1", d);
            layerNorm(w, p + "layer_norm2", d);
            w.putFloats(p + "mlp.fc1.weight", normal(rnd, mlp * d, fcStd), mlp, d);
            w.putFloats(p + "mlp.fc1.bias", new float[mlp], mlp);
            w.putFloats(p + "mlp.fc2.weight", normal(rnd, d * mlp, inStd), d, mlp);
            w.putFloats(p + "mlp.fc2.bias", new float[d], d);
        }
    }

    private static void layerNorm(Safetensors.Writer w, String prefix, int d) {
        float[] ones = new float[d];
        java.util.Arrays.fill(ones, 1f);
        w.putFloats(prefix + ".weight", ones, d);
        w.putFloats(prefix + ".bias", new float[d], d);
    }

    private static float[] normal(SplittableRandom rnd, int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i += 2) {
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            out[i] = (float) (r * Math.cos(2 * Math.PI * u2) * std);
            if (i + 1 < n) {
                out[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2) * std);
            }
        }
        return out;
    }

    /** The demo CLIP's architecture as the model code reads it (what {@code config.json} of its folder holds). */
    public static dev.rali.engine.clip.ClipConfig clipConfig(Config c) {
        return dev.rali.engine.clip.ClipConfig.fromJson(configJson(c));
    }

    private static void writeConfig(Path dir, Config c) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(dir.resolve("config.json"), json.writeValueAsBytes(configJson(c)));
    }

    private static ObjectNode configJson(Config c) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.putArray("architectures").add("CLIPModel");
        root.put("initializer_factor", 1.0);
        root.put("logit_scale_init_value", c.logitScale());
        root.put("model_type", "clip");
        root.put("projection_dim", c.projectionDim());
        ObjectNode t = root.putObject("text_config");
        t.put("bos_token_id", 49406);
        t.put("eos_token_id", 49407);
        t.put("hidden_act", "quick_gelu");
        t.put("hidden_size", c.textWidth());
        t.put("intermediate_size", c.textMlp());
        t.put("layer_norm_eps", 1e-5);
        t.put("max_position_embeddings", c.maxPositions());
        t.put("model_type", "clip_text_model");
        t.put("num_attention_heads", c.textHeads());
        t.put("num_hidden_layers", c.textLayers());
        t.put("pad_token_id", 1);
        t.put("projection_dim", c.projectionDim());
        t.put("vocab_size", c.vocabSize());
        root.put("torch_dtype", "float32");
        ObjectNode v = root.putObject("vision_config");
        v.put("hidden_act", "quick_gelu");
        v.put("hidden_size", c.visionWidth());
        v.put("image_size", c.imageSize());
        v.put("intermediate_size", c.visionMlp());
        v.put("layer_norm_eps", 1e-5);
        v.put("model_type", "clip_vision_model");
        v.put("num_attention_heads", c.visionHeads());
        v.put("num_channels", 3);
        v.put("num_hidden_layers", c.visionLayers());
        v.put("patch_size", c.patchSize());
        v.put("projection_dim", c.projectionDim());
        return root;
    }

    private static void writePreprocessor(Path dir, Config c) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode p = json.createObjectNode();
        ObjectNode crop = p.putObject("crop_size");
        crop.put("height", c.imageSize());
        crop.put("width", c.imageSize());
        p.put("do_center_crop", true);
        p.put("do_convert_rgb", true);
        p.put("do_normalize", true);
        p.put("do_rescale", true);
        p.put("do_resize", true);
        ArrayNode mean = p.putArray("image_mean");
        ArrayNode std = p.putArray("image_std");
        for (int i = 0; i < 3; i++) {
            mean.add(CLIP_MEAN[i]);
            std.add(CLIP_STD[i]);
        }
        p.put("image_processor_type", "CLIPImageProcessor");
        p.put("processor_class", "CLIPProcessor");
        p.put("resample", 3);
        p.put("rescale_factor", 1.0 / 255);
        p.putObject("size").put("shortest_edge", c.shortestEdge());
        AtomicFiles.write(dir.resolve("preprocessor_config.json"), json.writeValueAsBytes(p));
    }
}
