package dev.rali.engine.clip;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contrastive alignment of CLIP's image tower (the paper's stage B): the text tower is frozen, so its embeddings
 * of the paired texts are computed once and passed in as targets; only vision_model.*, visual_projection (and
 * optionally logit_scale) are trained, in place on the {@link ClipModel} given, which {@link ClipModel#saveHf}
 * then writes out.
 *
 * <p>Loss: CLIP's symmetric InfoNCE, (CE(logits, diag) + CE(logits^T, diag)) / 2 with
 * logits = exp(logit_scale) * norm(img) norm(txt)^T. Optimiser: AdamW in one TorchScript call (decoupled weight
 * decay as torch.optim.AdamW, applied to tensors of rank >= 2 only, as OpenCLIP), learning rate with linear warmup
 * then cosine decay, gradients clipped by their global L2 norm (torch's clip_grad_norm_), and zeroed after every
 * step (PyTorch accumulates them otherwise).
 *
 * <p>bf16 mixed precision ({@link Options#mixedPrecision}) is PyTorch's autocast with fp32 master weights: the
 * encoder layers run in a TorchScript module ({@code bf16_train_layer.pt}, written by
 * {@code tools/make_bf16_train_layer.py}) that casts the fp32 weights and activations to bf16 inside libtorch,
 * computes the projections, attention and MLP in bf16 and adds each branch to the fp32 residual stream; DJL runs it
 * with autograd recording, so the gradients land in float32 on the float32 parameters, which stay the optimiser's
 * state. Patch embedding, layer norms, pooling, the projection, the loss and AdamW stay float32. DJL 0.36 itself
 * cannot hold bf16 tensors ({@code NDArray.toType(BFLOAT16)} aborts the JVM), so only float32 crosses the JNI.
 *
 * <p>The older master-weight path (working copies in another dtype, gradients widened for the update) remains for
 * float64 gradient checks on the CPU; asking it for bf16 copies is refused, as that cast would abort the JVM.
 */
public final class ClipVisionTrainer implements AutoCloseable {

    /**
     * Hyper-parameters. Defaults: lr 1e-5 (the paper), betas (0.9, 0.98) and eps 1e-6 (CLIP), weight decay 0.2,
     * no warmup, cosine to 0 over {@code totalSteps}, clip at norm 1.0, logit_scale fixed.
     */
    public record Options(double learningRate, double weightDecay, double beta1, double beta2, double epsilon,
                          int warmupSteps, int totalSteps, double minLearningRate, double maxGradNorm,
                          boolean learnLogitScale, boolean mixedPrecision) {
        public Options {
            if (!(learningRate > 0) || !(weightDecay >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)
                    || !(epsilon > 0) || warmupSteps < 0 || totalSteps < 1 || !(minLearningRate >= 0)
                    || !(maxGradNorm > 0)) {
                throw new IllegalArgumentException("invalid trainer options: " + this);
            }
        }

        public static Options defaults(int totalSteps) {
            return new Options(1e-5, 0.2, 0.9, 0.98, 1e-6, 0, totalSteps, 0, 1.0, false, false);
        }

        public Options withLearningRate(double lr) {
            return new Options(lr, weightDecay, beta1, beta2, epsilon, warmupSteps, totalSteps, minLearningRate,
                    maxGradNorm, learnLogitScale, mixedPrecision);
        }

        public Options withWeightDecay(double wd) {
            return new Options(learningRate, wd, beta1, beta2, epsilon, warmupSteps, totalSteps, minLearningRate,
                    maxGradNorm, learnLogitScale, mixedPrecision);
        }

        public Options withWarmup(int steps) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, steps, totalSteps, minLearningRate,
                    maxGradNorm, learnLogitScale, mixedPrecision);
        }

        public Options withMaxGradNorm(double norm) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, warmupSteps, totalSteps,
                    minLearningRate, norm, learnLogitScale, mixedPrecision);
        }

        public Options withLearnLogitScale(boolean learn) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, warmupSteps, totalSteps,
                    minLearningRate, maxGradNorm, learn, mixedPrecision);
        }

        public Options withMixedPrecision(boolean mixed) {
            return new Options(learningRate, weightDecay, beta1, beta2, epsilon, warmupSteps, totalSteps,
                    minLearningRate, maxGradNorm, learnLogitScale, mixed);
        }
    }

    /** CLIP clamps the learned temperature so exp(logit_scale) stays <= 100. */
    private static final double MAX_LOGIT_SCALE = Math.log(100);
    private static final String FORMAT = "rali-clip-vision-trainer-v1";

    private final ClipModel model;
    private final Options options;
    private final DataType compute;
    private final NDManager manager;
    private final List<String> trainable = new ArrayList<>();
    /** float32 parameters of the model (the optimiser's weights). */
    private final Map<String, NDArray> master = new LinkedHashMap<>();
    /** What the forward pass sees: the masters themselves in float32, else copies in the compute type. */
    private final Map<String, NDArray> working = new LinkedHashMap<>();
    private final Map<String, NDArray> m1 = new LinkedHashMap<>();
    private final Map<String, NDArray> m2 = new LinkedHashMap<>();
    private long step;
    private double lastGradNorm = Double.NaN;
    private String lastNonFinite;

    /** Steps whose gradients were not finite and were skipped (as mixed-precision loss scalers do). */
    private long skippedSteps;
    private int consecutiveSkips;
    /** More non-finite steps in a row than this means the run has diverged: stop with an error. */
    static final int MAX_CONSECUTIVE_SKIPS = 20;
    private double lastLearningRate = Double.NaN;
    private StepTimes lastStepTimes;
    /** DJL's setting for the TorchScript graph optimiser (its property), restored after each step. */
    private static final boolean GRAPH_OPTIMIZER_DEFAULT =
            Boolean.parseBoolean(System.getProperty("ai.djl.pytorch.graph_optimizer", "true"));
    /** False only when the gradients are known to be zero (saves two JNI calls per tensor per step). */
    private boolean gradientsSet = true;

    /**
     * Wall time of the last {@link #step}'s parts: forward (tower, projection and loss, up to reading the loss),
     * backward, and the optimiser (global-norm clipping, AdamW, zeroing the gradients). On the CPU every op is
     * synchronous, so the parts add up to the step; on a GPU the split is only indicative.
     */
    public record StepTimes(double forwardS, double backwardS, double optimizerS) {
        public double totalS() {
            return forwardS + backwardS + optimizerS;
        }
    }

    public ClipVisionTrainer(ClipModel model, Options options) {
        this(model, options, null);
    }

    /**
     * {@code computeType} null = float32 weights (with the bf16 layers when options ask for mixed precision), or
     * working copies in another type (float64, for gradient checks).
     */
    ClipVisionTrainer(ClipModel model, Options options, DataType computeType) {
        this.model = model;
        this.options = options;
        Device dev = model.device();
        if (computeType == DataType.BFLOAT16) {
            // Refused before any cast: DJL 0.36's toType(BFLOAT16) aborts the JVM ("terminate called without an
            // active exception") on the CPU and on a GPU alike, taking the whole run and the GUI with it.
            throw new IllegalArgumentException("bf16 working copies are not available: DJL 0.36 cannot cast tensors "
                    + "to bfloat16 (the cast aborts the JVM) on " + dev + " or any other device; use "
                    + "Options.withMixedPrecision (bf16 layers in TorchScript, float32 master weights)");
        }
        if (computeType == null) {
            computeType = DataType.FLOAT32;
        } else if (options.mixedPrecision()) {
            throw new IllegalArgumentException("mixed precision runs on float32 master weights, not " + computeType);
        }
        this.compute = computeType;
        this.manager = model.manager().newSubManager();
        for (Map.Entry<String, NDArray> e : model.params().entrySet()) {
            String n = e.getKey();
            if (n.startsWith("vision_model.") || n.equals("visual_projection.weight")
                    || (n.equals("logit_scale") && options.learnLogitScale())) {
                trainable.add(n);
                master.put(n, e.getValue());
                m1.put(n, manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
                m2.put(n, manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
            }
        }
        refreshWorking();
    }

    private void refreshWorking() {
        for (String n : trainable) {
            NDArray p = master.get(n);
            if (compute == DataType.FLOAT32) {
                p.setRequiresGradient(true);
                working.put(n, p);
            } else {
                NDArray old = working.get(n);
                if (old != null) {
                    old.close();
                }
                NDArray w = p.toType(compute, true);
                NDScope.unregister(w); // refreshed inside a step's scope, but must outlive it
                w.attach(manager);
                w.setRequiresGradient(true);
                working.put(n, w);
            }
        }
    }

    public Options options() {
        return options;
    }

    /** Steps taken so far (also restored by {@link #loadState}). */
    public long stepCount() {
        return step;
    }

    /** The global gradient norm of the last step, before clipping. */
    /** How many steps were skipped because their gradients were not finite. */
    public long skippedSteps() {
        return skippedSteps;
    }

    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** Where the last step's time went; null before the first step. */
    public StepTimes lastStepTimes() {
        return lastStepTimes;
    }

    /** The learning rate the last step used. */
    public double lastLearningRate() {
        return lastLearningRate;
    }

    /** Learning rate of 1-based step {@code t}: linear warmup to the base rate, then cosine to the minimum. */
    public double learningRate(long t) {
        double base = options.learningRate();
        if (options.warmupSteps() > 0 && t <= options.warmupSteps()) {
            return base * t / options.warmupSteps();
        }
        double span = Math.max(1, options.totalSteps() - options.warmupSteps());
        double progress = Math.min(1.0, Math.max(0.0, (t - options.warmupSteps()) / span));
        return options.minLearningRate() + (base - options.minLearningRate()) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    /**
     * One optimisation step on a batch of n (image, text) pairs: images as CHW floats, the paired texts as their
     * (frozen-tower) embeddings [n][projection_dim]. Returns the loss before the update.
     */
    public float step(float[] pixels, int n, float[][] targetTextEmbeds) {
        check(pixels, n, targetTextEmbeds);
        if (gradientsSet) {
            zeroGradients(); // a failed earlier step may have left gradients behind
        }
        double loss;
        long t0 = System.nanoTime();
        long t1;
        long t2;
        // libtorch's TorchScript graph optimiser (on by default in DJL) re-profiles and specialises the bf16 layers and
        // the optimiser's script: measured 10-15 % slower per step at the demo's size, neutral at ViT-B/16; the
        // interpreter runs the same ops. The setting is per thread: restored to DJL's default afterwards.
        JniUtils.setGraphExecutorOptimize(false);
        try {
            // the forward's tensors are freed before the update (two scopes), as PyTorch frees them after backward:
            // the optimiser's working memory then reuses them instead of adding to the peak
            try (NDScope scope = new NDScope();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                scope.suppressNotUsedWarning();
                NDArray l = loss(pixels, n, targetTextEmbeds);
                loss = l.toType(DataType.FLOAT64, false).getDouble();
                t1 = System.nanoTime();
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("loss is " + loss + " at step " + (step + 1)
                            + " (lower the learning rate?)");
                }
                gradientsSet = true;
                gc.backward(l);
                t2 = System.nanoTime();
            }
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                update();
            }
        } finally {
            JniUtils.setGraphExecutorOptimize(GRAPH_OPTIMIZER_DEFAULT);
            if (gradientsSet) { // the update's script zeroes them; an exception may have left them set
                zeroGradients();
            }
        }
        lastStepTimes = new StepTimes((t1 - t0) / 1e9, (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
        return (float) loss;
    }

    /** The loss on a batch without gradients or updates. */
    public float evalLoss(float[] pixels, int n, float[][] targetTextEmbeds) {
        return (float) evalLossDouble(pixels, n, targetTextEmbeds);
    }

    double evalLossDouble(float[] pixels, int n, float[][] targetTextEmbeds) {
        check(pixels, n, targetTextEmbeds);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return loss(pixels, n, targetTextEmbeds).toType(DataType.FLOAT64, false).getDouble();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** Loss and float32 gradients of every trainable tensor, without an update (gradient checks). */
    Map<String, double[]> gradients(float[] pixels, int n, float[][] targetTextEmbeds) {
        check(pixels, n, targetTextEmbeds);
        zeroGradients();
        Map<String, double[]> out = new LinkedHashMap<>();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss(pixels, n, targetTextEmbeds));
            }
            for (String name : trainable) {
                out.put(name, working.get(name).getGradient().toType(DataType.FLOAT64, false).toDoubleArray());
            }
        } finally {
            zeroGradients();
        }
        return out;
    }

    private void check(float[] pixels, int n, float[][] targets) {
        ClipConfig cfg = model.config();
        if (n < 2) {
            throw new IllegalArgumentException("the contrastive loss needs at least 2 pairs per batch, got " + n);
        }
        if (targets.length != n) {
            throw new IllegalArgumentException(n + " images but " + targets.length + " target text embeddings");
        }
        for (int i = 0; i < n; i++) {
            if (targets[i].length != cfg.projectionDim()) {
                throw new IllegalArgumentException("target text embedding " + i + " has " + targets[i].length
                        + " values; projection_dim is " + cfg.projectionDim());
            }
            for (float v : targets[i]) {
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("target text embedding " + i + " holds " + v);
                }
            }
        }
        long per = (long) cfg.vision().numChannels() * cfg.vision().imageSize() * cfg.vision().imageSize();
        if (pixels.length != n * per) {
            throw new IllegalArgumentException("pixels: " + pixels.length + " values for " + n + " images (expected "
                    + n * per + ")");
        }
    }

    /** Symmetric InfoNCE on the current working weights. */
    private NDArray loss(float[] pixels, int n, float[][] targets) {
        ClipConfig.Vision v = model.config().vision();
        NDManager base = model.manager();
        NDArray px = HostUpload.floats(base, pixels, new Shape(n, v.numChannels(), v.imageSize(), v.imageSize()));
        if (compute != DataType.FLOAT32) {
            px = px.toType(compute, false);
        }
        ClipGraph.Params params = name -> working.containsKey(name) ? working.get(name) : model.params().get(name);
        ClipGraph.Tower t = ClipGraph.vision(params, v, px, ClipGraph.Trace.none(),
                options.mixedPrecision() ? (prefix, e, h) -> bf16Layer(params, prefix, e, h) : null);
        NDArray img = ClipGraph.visualProjection(params, t.pooled());
        // The loss runs in at least float32: adding a float32 zero promotes bf16 differentiably (toType does not).
        DataType lossType = compute == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        if (img.getDataType() != lossType) {
            img = img.add(base.zeros(new Shape(1), lossType));
        }
        int p = targets[0].length;
        float[] flat = new float[n * p];
        for (int i = 0; i < n; i++) {
            System.arraycopy(targets[i], 0, flat, i * p, p);
        }
        NDArray txt = base.create(flat, new Shape(n, p));
        if (lossType != DataType.FLOAT32) {
            txt = txt.toType(lossType, false);
        }
        // constants through ClipGraph.k: autograd keeps them for the backward pass (see there)
        NDArray imgN = img.div(img.square().sum(new int[] {1}, true).sqrt());
        NDArray txtN = txt.div(txt.pow(2).sum(new int[] {1}, true).sqrt());
        NDArray scale = params.get("logit_scale");
        if (scale.getDataType() != lossType) {
            scale = scale.add(base.zeros(new Shape(), lossType));
        }
        NDArray logits = imgN.matMul(txtN.transpose()).mul(scale.exp());
        NDArray eye = base.eye(n).toType(lossType, false);
        NDArray perImage = logits.logSoftmax(1).mul(eye).sum().div(ClipGraph.k(logits, -n));
        NDArray perText = logits.logSoftmax(0).mul(eye).sum().div(ClipGraph.k(logits, -n));
        return perImage.add(perText).div(ClipGraph.k(logits, 2));
    }

    private static final String[] BF16_LAYER_WEIGHTS = {"layer_norm1.weight", "layer_norm1.bias",
        "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
        "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
        "layer_norm2.weight", "layer_norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"};

    private ai.djl.pytorch.engine.PtSymbolBlock bf16Kernel;
    private NDArray bf16Meta;

    /**
     * One encoder layer in bf16 (see the class comment), recorded by autograd: IValueUtils.forward with
     * isTrain = true runs the module without libtorch's no-grad guard. The weights go in themselves, named "w[]"
     * (DJL passes same-named arrays as one TorchScript List[Tensor]), so their gradients accumulate in the parameters
     * directly (views, as before, added two autograd nodes per weight and step).
     */
    private NDArray bf16Layer(ClipGraph.Params params, String prefix, ClipConfig.Encoder e, NDArray h) {
        if (bf16Kernel == null) {
            try (java.io.InputStream in = ClipVisionTrainer.class.getResourceAsStream("bf16_train_layer.pt")) {
                if (in == null) {
                    throw new IllegalStateException("bf16_train_layer.pt missing from the engine's resources");
                }
                bf16Kernel = JniUtils.loadModule((ai.djl.pytorch.engine.PtNDManager) manager, in, true, false);
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException("cannot load the bf16 training layer: " + ex.getMessage(), ex);
            }
        }
        int act = switch (e.hiddenAct()) {
            case "quick_gelu" -> 0;
            case "gelu" -> 1;
            case "gelu_new", "gelu_pytorch_tanh" -> 2;
            default -> throw new IllegalArgumentException("unsupported activation " + e.hiddenAct());
        };
        ai.djl.ndarray.NDList in = new ai.djl.ndarray.NDList(h);
        for (String n : BF16_LAYER_WEIGHTS) {
            NDArray w = params.get(prefix + n);
            w.setName("w[]"); // the name only groups the inputs into one List[Tensor]; nothing else reads it
            in.add(w);
        }
        if (bf16Meta == null) { // the same for every layer of the tower
            // in host memory even when training on a GPU: the script reads it with .item(), which on a device
            // tensor is a synchronisation, three per layer, that kept the GPU waiting for the host's launches
            bf16Meta = ClipGraph.onHost(manager, cpu -> cpu.create(new double[] {e.numHeads(), act,
                e.layerNormEps()}));
            ai.djl.ndarray.NDScope.unregister(bf16Meta); // kept across steps, not freed with this step's scope
        }
        in.add(bf16Meta);
        return ai.djl.pytorch.jni.IValueUtils.forward(bf16Kernel, in, true).singletonOrThrow();
    }

    /**
     * Clip by global norm, AdamW and zero the gradients ({@link FusedAdamW}, one call over all tensors), then
     * count a skipped step, clamp the logit scale and refresh working copies.
     */
    private void update() {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            long t = step + 1;
            double lr = learningRate(t);
            if (adamW == null) {
                adamW = new FusedAdamW(manager, trainable.stream().map(master::get).toList(),
                        trainable.stream().map(m1::get).toList(), trainable.stream().map(m2::get).toList());
            }
            int clamp = trainable.indexOf("logit_scale"); // CLIP's learned temperature stays in [0, ln 100]
            float[] norms;
            if (compute == DataType.FLOAT32) { // the script reads (and zeroes) each parameter's own .grad
                norms = adamW.step(options.maxGradNorm(), lr, options.beta1(), options.beta2(), options.epsilon(),
                        t, options.weightDecay(), clamp, MAX_LOGIT_SCALE);
                gradientsSet = false;
            } else { // float64 working copies (gradient checks): their gradients, converted; zeroed by the caller
                List<NDArray> grads = new ArrayList<>(trainable.size());
                for (String name : trainable) {
                    grads.add(working.get(name).getGradient().toType(DataType.FLOAT32, false));
                }
                norms = adamW.stepWithGradients(grads, options.maxGradNorm(), lr, options.beta1(), options.beta2(),
                        options.epsilon(), t, options.weightDecay(), clamp, MAX_LOGIT_SCALE);
            }
            // the global norm as torch's clip_grad_norm_: the norm of the per-tensor norms, summed in double
            double sumSq = 0;
            for (float v : norms) {
                sumSq += (double) v * v;
            }
            double norm = Math.sqrt(sumSq);
            lastGradNorm = norm;
            if (!Double.isFinite(norm)) {
                lastNonFinite = nonFiniteTensors(norms);
                // A rare non-finite gradient (e.g. a degenerate batch) would poison the Adam moments: the script
                // skipped the update; keep the schedule moving, and give up only if it keeps happening.
                skippedSteps++;
                if (++consecutiveSkips > MAX_CONSECUTIVE_SKIPS) {
                    throw new IllegalStateException("gradient norm is " + norm + " for " + consecutiveSkips
                            + " steps in a row (step " + (step + 1) + "): training diverged; lower the learning rate");
                }
                step++;
                return;
            }
            consecutiveSkips = 0;
            lastLearningRate = lr;
            step = t;
            if (compute != DataType.FLOAT32) {
                refreshWorking();
            }
            model.invalidateCaches();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * Made at the first update over the parameter and moment arrays, which are only ever changed in place (loadState
     * too), so the lists it keeps stay valid.
     */
    private FusedAdamW adamW;

    /** The tensors whose gradient norm is not finite, with the norm ("name=NaN"), for the stage's log. */
    private String nonFiniteTensors(float[] norms) {
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < norms.length; i++) {
            if (!Float.isFinite(norms[i])) {
                bad.add(trainable.get(i) + "=" + norms[i]);
            }
        }
        return String.join(", ", bad);
    }

    /**
     * The tensors whose gradient was not finite at the last skipped step ("name=NaN, ..."; empty when only their sum
     * of squares overflowed), or null if no step was skipped.
     */
    public String lastNonFiniteGradients() {
        return lastNonFinite;
    }

    /** Overwrites one trainable tensor's float32 values (gradient checks perturb single weights). */
    void setParameter(String name, float[] values) {
        NDArray p = master.get(name);
        if (p == null) {
            throw new IllegalArgumentException("'" + name + "' is not trained by this trainer");
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            p.set(values);
        } finally {
            JniUtils.setGradMode(grad);
        }
        if (compute != DataType.FLOAT32) {
            refreshWorking();
        }
        model.invalidateCaches();
    }

    /** How many values this trainer updates (the sum of its tensors' sizes). */
    public long trainableParameterCount() {
        return master.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** Names of the tensors this trainer updates. */
    public List<String> trainableNames() {
        return List.copyOf(trainable);
    }

    private void zeroGradients() {
        for (String name : trainable) {
            NDArray w = working.get(name);
            if (w.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
        gradientsSet = false;
    }

    /**
     * Saves what resuming needs: the trainable float32 weights, both AdamW moments and the step count, as
     * safetensors. Loading it into a trainer on the same base model continues bit for bit.
     */
    public void saveState(Path file) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer()
                .metadata("format", FORMAT)
                .metadata("step", Long.toString(step))
                .metadata("options", options.toString());
        for (String name : trainable) {
            long[] shape = master.get(name).getShape().getShape();
            w.putFloats("param/" + name, master.get(name).toFloatArray(), shape);
            w.putFloats("adam_m/" + name, m1.get(name).toFloatArray(), shape);
            w.putFloats("adam_v/" + name, m2.get(name).toFloatArray(), shape);
        }
        w.write(file);
    }

    /** Restores {@link #saveState} output: weights into the model, moments and step into this trainer. */
    public void loadState(Path file) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            if (!FORMAT.equals(r.metadata().get("format"))) {
                throw new IOException(file + ": not a CLIP trainer state (format '" + r.metadata().get("format")
                        + "', expected '" + FORMAT + "')");
            }
            long savedStep;
            try {
                savedStep = Long.parseLong(r.metadata().getOrDefault("step", ""));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": missing or malformed 'step' in metadata");
            }
            List<String> problems = new ArrayList<>();
            for (String name : trainable) {
                long[] want = master.get(name).getShape().getShape();
                for (String prefix : List.of("param/", "adam_m/", "adam_v/")) {
                    String key = prefix + name;
                    if (!r.has(key)) {
                        problems.add(key + ": missing");
                    } else if (!java.util.Arrays.equals(r.info(key).shape(), want)) {
                        problems.add(key + ": expected shape " + java.util.Arrays.toString(want) + ", found "
                                + r.info(key).shapeString());
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new IOException(file + ": trainer state does not fit this model:\n  "
                        + String.join("\n  ", problems));
            }
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (String name : trainable) {
                    master.get(name).set(r.floats("param/" + name));
                    m1.get(name).set(r.floats("adam_m/" + name));
                    m2.get(name).set(r.floats("adam_v/" + name));
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            step = savedStep;
            if (compute != DataType.FLOAT32) {
                refreshWorking();
            }
            model.invalidateCaches();
        }
    }

    /** Frees the optimiser state and makes the model's weights plain inference tensors again. */
    @Override
    public void close() {
        zeroGradients();
        for (String name : trainable) {
            master.get(name).setRequiresGradient(false);
        }
        if (bf16Kernel != null) {
            bf16Kernel.close();
        }
        if (adamW != null) {
            adamW.close();
        }
        manager.close();
    }
}
