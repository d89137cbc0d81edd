package dev.rali.engine.clip;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Hugging Face's CLIPModel on DJL's PyTorch engine: loads an HF folder (config.json + safetensors), embeds images
 * and texts exactly as transformers does (checked against reference fixtures to 1e-4), and writes the HF layout
 * back. The weights live on one device for the model's lifetime; {@link #close()} frees them.
 *
 * <p>Every forward runs in an {@link NDScope}, so all intermediate native tensors are freed when it returns; the
 * caller gets plain Java arrays.
 */
public final class ClipModel implements AutoCloseable {

    /** Files that travel with the weights when a model is saved (tokenizer and preprocessing). */
    private static final List<String> SIDE_FILES = List.of("vocab.json", "merges.txt", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json");

    private final ClipConfig config;
    private final ClipLoadOptions options;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final Path sourceDir;
    private final Map<String, NDArray> fused = new java.util.concurrent.ConcurrentHashMap<>();
    private final Precision precision;

    private ClipModel(ClipConfig config, ClipLoadOptions options, NDManager manager, Map<String, NDArray> params,
                      Path sourceDir) {
        this.config = config;
        this.options = options;
        this.manager = manager;
        this.params = params;
        this.sourceDir = sourceDir;
        this.precision = Precision.resolve(options.precision(), manager.getDevice(), config.vision().hiddenSize());
    }

    /** Loads {@code dir/config.json} and its safetensors weights. */
    public static ClipModel load(Path dir, ClipLoadOptions options) throws IOException {
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        Device device = device(options);
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> params = new LinkedHashMap<>();
        try (ClipWeights w = ClipWeights.open(dir, cfg)) {
            for (Map.Entry<String, long[]> e : w.expected().entrySet()) {
                NDArray a = manager.create(w.read(e.getKey()), new Shape(e.getValue()));
                a.setName(e.getKey());
                params.put(e.getKey(), a);
            }
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
        return new ClipModel(cfg, options, manager, params, dir);
    }

    public static ClipModel load(Path dir) throws IOException {
        return load(dir, ClipLoadOptions.defaults());
    }

    /** A randomly initialised model on the CPU (same seed, same weights). */
    public static ClipModel random(ClipConfig cfg, long seed) {
        return random(cfg, seed, ClipLoadOptions.cpu());
    }

    /**
     * Random weights in the spirit of CLIP's initialisation (embeddings and Linear weights N(0, 0.02), LayerNorm
     * 1/0, zero biases, logit_scale from the config), drawn by torch's generator so a ViT-L is made in seconds.
     */
    public static ClipModel random(ClipConfig cfg, long seed, ClipLoadOptions options) {
        cfg.validate();
        Device device = device(options);
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> params = new LinkedHashMap<>();
        Engine.getInstance().setRandomSeed((int) seed);
        for (Map.Entry<String, long[]> e : ClipWeights.expectedShapes(cfg).entrySet()) {
            String name = e.getKey();
            Shape shape = new Shape(e.getValue());
            NDArray a;
            if (name.equals("logit_scale")) {
                a = manager.create((float) cfg.logitScaleInit());
            } else if (name.contains("layer_norm") || name.contains("layrnorm") || name.contains("layernorm")) {
                a = name.endsWith(".weight") ? manager.ones(shape) : manager.zeros(shape);
            } else if (name.endsWith(".bias")) {
                a = manager.zeros(shape);
            } else {
                a = manager.randomNormal(0f, 0.02f, shape, DataType.FLOAT32);
            }
            a.setName(name);
            params.put(name, a);
        }
        return new ClipModel(cfg, options, manager, params, null);
    }

    static Device device(ClipLoadOptions o) {
        int gpus = Engine.getInstance().getGpuCount();
        return switch (o.device()) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (gpus == 0) {
                    throw new IllegalStateException("device 'gpu' asked for, but the PyTorch engine sees no GPU "
                            + "(the bundled libtorch is CPU-only: README, \"GPU (CUDA)\" - tools/build_djl_jni.sh "
                            + "and RALI_TORCH_LIB, or a CUDA native jar; else use --device cpu or auto)");
                }
                yield Device.gpu();
            }
            default -> gpus > 0 ? Device.gpu() : Device.cpu();
        };
    }

    public ClipConfig config() {
        return config;
    }

    public ClipLoadOptions options() {
        return options;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The image tower's inference precision, auto resolved for this model's device. */
    public Precision precision() {
        return precision;
    }

    /** The temperature parameter as stored (log scale); logits use exp of it. */
    public double logitScale() {
        return params.get("logit_scale").toFloatArray()[0];
    }

    /**
     * Projected image features [n, projection_dim] (get_image_features; not normalised). Large batches run in
     * chunks of {@link #CHUNK} so the attention matrices ([B, H, T, T]) stay bounded; results do not depend on it.
     */
    public float[][] embedImages(float[] pixelsCHW, int n) {
        ClipConfig.Vision v = config.vision();
        int per = v.numChannels() * v.imageSize() * v.imageSize();
        if (n <= CHUNK || pixelsCHW.length != (long) n * per) {
            return imageEmbeds(pixelsCHW, n);
        }
        float[][] out = new float[n][];
        for (int start = 0; start < n; start += CHUNK) {
            int c = Math.min(CHUNK, n - start);
            float[] part = java.util.Arrays.copyOfRange(pixelsCHW, start * per, (start + c) * per);
            System.arraycopy(imageEmbeds(part, c), 0, out, start, c);
        }
        return out;
    }

    /** Projected text features [rows, projection_dim] (get_text_features; not normalised), chunked as images. */
    public float[][] embedTexts(long[][] ids) {
        if (ids.length <= CHUNK) {
            return encodeTexts(ids, false, false).embeds().rows();
        }
        float[][] out = new float[ids.length][];
        for (int start = 0; start < ids.length; start += CHUNK) {
            int c = Math.min(CHUNK, ids.length - start);
            long[][] part = java.util.Arrays.copyOfRange(ids, start, start + c);
            System.arraycopy(encodeTexts(part, false, false).embeds().rows(), 0, out, start, c);
        }
        return out;
    }

    /** Largest batch one forward of {@link #embedImages} / {@link #embedTexts} runs at once. */
    public static final int CHUNK = 32;

    /** The vision tower with the hidden states / attentions the load options ask for. */
    public TowerOutput encodeImages(float[] pixelsCHW, int n) {
        return encodeImages(pixelsCHW, n, options.outputHiddenStates(), options.outputAttentions());
    }

    /** The text tower with the hidden states / attentions the load options ask for. */
    public TowerOutput encodeTexts(long[][] ids) {
        return encodeTexts(ids, options.outputHiddenStates(), options.outputAttentions());
    }

    public TowerOutput encodeImages(float[] pixelsCHW, int n, boolean hiddenStates, boolean attentions) {
        return inference(() -> {
            ClipGraph.Trace tr = new ClipGraph.Trace(hiddenStates, attentions);
            ClipGraph.Tower t = vision(pixelsCHW, n, tr);
            return output(ClipGraph.visualProjection(params::get, t.pooled()), t, tr);
        });
    }

    /**
     * The projected features alone: only [n, projection_dim] comes back to the host (the last hidden state of a
     * ViT-L/14-336 batch of 32 is 76 MB, which {@link #encodeImages} copies out for its callers).
     */
    private float[][] imageEmbeds(float[] pixelsCHW, int n) {
        return inference(() -> copy(ClipGraph.visualProjection(params::get,
                vision(pixelsCHW, n, ClipGraph.Trace.none()).pooled())).rows());
    }

    private ClipGraph.Tower vision(float[] pixelsCHW, int n, ClipGraph.Trace tr) {
        ClipConfig.Vision v = config.vision();
        int s = v.imageSize();
        long per = (long) v.numChannels() * s * s;
        if (n <= 0 || pixelsCHW.length != n * per) {
            throw new IllegalArgumentException("pixels: " + pixelsCHW.length + " values for " + n + " images of "
                    + v.numChannels() + "x" + s + "x" + s + " (expected " + n * per + ")");
        }
        NDArray px = HostUpload.floats(manager, pixelsCHW, new Shape(n, v.numChannels(), s, s));
        // traced forwards (hidden states, attentions) stay fp32: they are for inspection, not throughput
        return ClipGraph.vision(this::param, v, px, tr, precision != Precision.FP32 ? this::bf16Layer : null);
    }

    public TowerOutput encodeTexts(long[][] ids, boolean hiddenStates, boolean attentions) {
        ClipConfig.Text t = config.text();
        if (ids.length == 0) {
            throw new IllegalArgumentException("no texts to embed");
        }
        int len = ids[0].length;
        if (len == 0 || len > t.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("token rows have length " + len + "; must be 1.."
                    + t.maxPositionEmbeddings() + " (max_position_embeddings)");
        }
        long[] flat = new long[ids.length * len];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length != len) {
                throw new IllegalArgumentException("token row " + i + " has length " + ids[i].length
                        + ", row 0 has " + len + " (pad all rows to one length)");
            }
            for (int j = 0; j < len; j++) {
                long id = ids[i][j];
                if (id < 0 || id >= t.vocabSize()) {
                    throw new IllegalArgumentException("token row " + i + " position " + j + ": id " + id
                            + " outside the vocabulary of " + t.vocabSize());
                }
            }
            System.arraycopy(ids[i], 0, flat, i * len, len);
        }
        return inference(() -> {
            NDArray idArr = manager.create(flat, new Shape(ids.length, len));
            ClipGraph.Trace tr = new ClipGraph.Trace(hiddenStates, attentions);
            ClipGraph.Tower tw = ClipGraph.text(this::param, t, idArr, tr);
            NDArray emb = ClipGraph.textProjection(params::get, tw.pooled());
            return output(emb, tw, tr);
        });
    }

    /** logits_per_image = exp(logit_scale) * normalize(img) @ normalize(txt)^T, [images][texts]. */
    public float[][] logitsPerImage(float[][] imageEmbeds, float[][] textEmbeds) {
        double scale = Math.exp(logitScale());
        float[][] out = new float[imageEmbeds.length][textEmbeds.length];
        double[] tn = new double[textEmbeds.length];
        for (int j = 0; j < textEmbeds.length; j++) {
            tn[j] = norm(textEmbeds[j]);
        }
        for (int i = 0; i < imageEmbeds.length; i++) {
            double in = norm(imageEmbeds[i]);
            for (int j = 0; j < textEmbeds.length; j++) {
                double dot = 0;
                for (int k = 0; k < imageEmbeds[i].length; k++) {
                    dot += (double) imageEmbeds[i][k] * textEmbeds[j][k];
                }
                out[i][j] = (float) (scale * dot / (in * tn[j]));
            }
        }
        return out;
    }

    private static double norm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    private TowerOutput output(NDArray emb, ClipGraph.Tower t, ClipGraph.Trace tr) {
        List<FloatTensor> hidden = new ArrayList<>();
        for (NDArray h : tr.hiddenStates) {
            hidden.add(copy(h));
        }
        List<FloatTensor> attn = new ArrayList<>();
        for (NDArray a : tr.attentionProbs) {
            attn.add(copy(a));
        }
        return new TowerOutput(copy(emb), copy(t.pooled()), copy(t.lastHidden()),
                Collections.unmodifiableList(hidden), Collections.unmodifiableList(attn));
    }

    private static FloatTensor copy(NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        return new FloatTensor(f.toFloatArray(), f.getShape().getShape());
    }

    /** Runs a forward without autograd (even if a trainer marked weights trainable) and frees its tensors. */
    private <T> T inference(Supplier<T> body) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return body.get();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Writes the HF layout: config.json and model.safetensors with transformers' parameter names (F32), plus the
     * tokenizer/preprocessor files of the folder the model was loaded from, so the result loads with
     * {@code CLIPModel.from_pretrained} and with {@link #load}.
     */
    public void saveHf(Path dir) throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"));
        Safetensors.Writer w = new Safetensors.Writer().metadata("format", "pt");
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray a = e.getValue();
            w.putFloats(e.getKey(), a.toFloatArray(), a.getShape().getShape());
        }
        w.write(dir.resolve("model.safetensors"));
        if (sourceDir != null && !sourceDir.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
            for (String f : SIDE_FILES) {
                Path src = sourceDir.resolve(f);
                if (Files.isRegularFile(src)) {
                    Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Inference lookup: the HF parameters plus, per attention layer, the fused projection [Wq * s; Wk; Wv] and
     * [bq * s; bk; bv] with s = head_dim^-0.5 (one GEMM instead of three and no pass to scale q), built on first
     * use and kept (3·D² extra floats per layer) until {@link #invalidateCaches()}.
     */
    private NDArray param(String name) {
        NDArray a = params.get(name);
        if (a != null || !name.contains(".self_attn.qkv_proj.")) {
            return a;
        }
        NDArray cached = fused.get(name);
        if (cached != null) {
            return cached;
        }
        synchronized (fused) {
            return fused.computeIfAbsent(name, this::fuse);
        }
    }

    /**
     * The bf16 encoder layer (tools/make_bf16_layer.py, a TorchScript module of code only, loaded once per model):
     * DJL 0.36 cannot hold bf16 tensors itself (its JNI maps no bfloat16 dtype), so the casts and the bf16 math
     * happen inside libtorch and only fp32 tensors come back. Weights are cast once and kept with the fused QKV.
     * The module runs each block in the dtype of the weights it gets: the attention's and the MLP's are handed
     * over in bf16 or fp32 as the {@link Precision} says.
     */
    private NDArray bf16Layer(String prefix, ClipConfig.Encoder e, NDArray h) {
        PtSymbolBlock k = bf16Kernel();
        String[] names = {"layer_norm1.weight", "layer_norm1.bias", "self_attn.qkv_proj.weight",
                "self_attn.qkv_proj.bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                "layer_norm2.weight", "layer_norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight",
                "mlp.fc2.bias"};
        PtNDArray[] w = new PtNDArray[names.length];
        for (int i = 0; i < names.length; i++) {
            String n = prefix + names[i];
            boolean bf16 = names[i].startsWith("mlp.") ? precision.bf16Mlp()
                    : names[i].startsWith("self_attn.") && precision.bf16Attention();
            w[i] = (PtNDArray) (bf16 ? bf16Copy(n) : param(n));
        }
        int act = switch (e.hiddenAct()) {
            case "quick_gelu" -> 0;
            case "gelu" -> 1;
            case "gelu_new", "gelu_pytorch_tanh" -> 2;
            default -> throw new IllegalArgumentException("unsupported activation " + e.hiddenAct());
        };
        IValue[] args = {IValue.from((PtNDArray) h), IValue.listFrom(w), IValue.from((long) e.numHeads()),
                IValue.from(e.layerNormEps()), IValue.from((long) act)};
        try (IValue out = IValueUtils.runMethod(k, "forward", args)) {
            return out.toTensor((PtNDManager) h.getManager());
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private NDArray bf16Copy(String name) {
        String key = name + "#bf16";
        NDArray cached = fused.get(key);
        if (cached != null) {
            return cached;
        }
        NDArray src = param(name);
        synchronized (fused) {
            return fused.computeIfAbsent(key, kk -> {
                try (IValue in = IValue.from((PtNDArray) src);
                     IValue out = IValueUtils.runMethod(bf16Kernel(), "to_bf16", in)) {
                    NDArray b = out.toTensor((PtNDManager) manager);
                    NDScope.unregister(b); // cached beyond the forward's scope, like the fused QKV
                    return b;
                }
            });
        }
    }

    private volatile PtSymbolBlock bf16Kernel;

    private PtSymbolBlock bf16Kernel() {
        PtSymbolBlock k = bf16Kernel;
        if (k == null) {
            synchronized (this) {
                k = bf16Kernel;
                if (k == null) {
                    try (java.io.InputStream in = ClipModel.class.getResourceAsStream("bf16_layer.pt")) {
                        if (in == null) {
                            throw new IllegalStateException("bf16_layer.pt missing from the engine's resources");
                        }
                        k = JniUtils.loadModule((PtNDManager) manager, in, true, false);
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException("cannot load the bf16 layer: " + ex.getMessage(), ex);
                    }
                    bf16Kernel = k;
                }
            }
        }
        return k;
    }

    private NDArray fuse(String name) {
        String prefix = name.substring(0, name.indexOf("qkv_proj."));
        String kind = name.endsWith(".weight") ? "weight" : "bias";
        ClipConfig.Encoder e = name.startsWith("vision_model.") ? config.vision().encoder() : config.text().encoder();
        float scale = (float) Math.pow(e.headDim(), -0.5);
        NDArray q = params.get(prefix + "q_proj." + kind).mul(scale);
        NDArray cat = NDArrays.concat(new NDList(q, params.get(prefix + "k_proj." + kind),
                params.get(prefix + "v_proj." + kind)), 0);
        NDScope.unregister(cat); // built inside a forward's scope, but cached beyond it
        q.close();
        return cat;
    }

    /** Drops derived tensors after the weights changed (the trainer calls this after every update). */
    void invalidateCaches() {
        synchronized (fused) {
            fused.values().forEach(NDArray::close);
            fused.clear();
        }
    }

    /** The live parameter tensors by HF name (the trainer updates these in place). */
    Map<String, NDArray> params() {
        return params;
    }

    NDManager manager() {
        return manager;
    }

    /** One parameter's values (tests, export). */
    public float[] parameter(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'");
        }
        return a.toFloatArray();
    }

    @Override
    public void close() {
        invalidateCaches();
        if (bf16Kernel != null) {
            bf16Kernel.close();
        }
        manager.close();
    }
}
