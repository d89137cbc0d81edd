package dev.rali.engine.params;

import dev.rali.engine.rali.RaliParams;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import static dev.rali.engine.params.ParamKey.Type.BOOLEAN;
import static dev.rali.engine.params.ParamKey.Type.CHOICE;
import static dev.rali.engine.params.ParamKey.Type.DOUBLE;
import static dev.rali.engine.params.ParamKey.Type.INT;
import static dev.rali.engine.params.ParamKey.Type.LONG;
import static dev.rali.engine.params.ParamKey.Type.TEXT;
import static dev.rali.engine.params.ParamKey.Type.TEXT_LIST;

/**
 * Every pipeline parameter, in form order: {@code data}, {@code encoder}, the paper's stages {@code alignment}
 * (B), {@code compression} (C.2), {@code bases} (C.3), {@code scoreDefinition} (D), then {@code evaluate} and
 * {@code run}. One key style: camelCase leaves under a section ({@code data.scoreDataset}); spellings of older
 * versions are mapped by {@link #migrate}. Sweeps enumerate {@link #all()} and set values by name through
 * {@link PipelineParams#with(String, String)}.
 */
public final class ParamKeys {

    /** Section names in form order. */
    public static final List<String> SECTIONS = List.of("data", "encoder", "alignment", "compression", "bases",
            "scoreDefinition", "evaluate", "run");

    private static final String NOT_GIVEN = "not given in the paper";

    private static final List<ParamKey<?>> ALL = new ArrayList<>();
    private static final Map<String, ParamKey<?>> BY_NAME = new LinkedHashMap<>();

    /**
     * Spellings of older versions (stored run params, parameter files) → today's key. The pipeline used
     * snake_case in {@code data}/{@code encoder}; {@code train-head} stored {@code seed}/{@code ablation} at the top.
     */
    static final Map<String, String> RENAMED = Map.of(
            "data.score_dataset", "data.scoreDataset",
            "data.align_datasets", "data.alignDatasets",
            "data.train_split", "data.trainSplit",
            "data.val_split", "data.valSplit",
            "encoder.embed_batch", "encoder.embedBatch",
            "seed", "run.seed",
            "ablation", "run.ablation");

    // ---- data ----
    public static final ParamKey<String> SCORE_DATASET = add(ParamKey.<String>builder("data.scoreDataset", TEXT)
            .def("").paper("KonIQ-10k (§5.1)")
            .help("Dataset whose train split supplies image–score pairs (bases, score definition); empty = the "
                    + "project's only dataset. RACT: scores come from one dataset only (§3.4)."));
    public static final ParamKey<List<String>> ALIGN_DATASETS = add(ParamKey.<List<String>>builder(
            "data.alignDatasets", TEXT_LIST).def(List.of()).paper("the score dataset; several for RACT (§3.4)")
            .help("Datasets whose reasoning traces align the encoder (empty = the score dataset). Several datasets "
                    + "= RACT-style cross-domain alignment."));
    public static final ParamKey<List<String>> TRACE_SOURCES = add(ParamKey.<List<String>>builder(
            "data.traceSources", TEXT_LIST).def(List.of())
            .paper("the reasoning teacher's traces only (Q-Insight, §3.1, §5.1)")
            .help("Trace sources whose reasoning aligns the encoder (`rali traces stats` lists them); empty = every "
                    + "source of the project, and the run records the list it used. Keeps baseline traces (e.g. a "
                    + "non-reasoning model for Fig. 2) out of alignment."));
    public static final ParamKey<String> TRACE_STATUS = add(ParamKey.<String>builder("data.traceStatus", CHOICE)
            .def("OK").choices(List.of("OK", "REASONING"), s -> s)
            .paper(NOT_GIVEN + " (Q-Insight outputs with a think and an answer block)")
            .help("Which parses align the encoder: OK = complete reasoning and a valid rating (failed parses left "
                    + "out); REASONING = any complete reasoning, also plain-text imports and unreadable ratings."));
    public static final ParamKey<Boolean> EXCLUDE_WRONG_TRACES = add(ParamKey.<Boolean>builder(
            "data.excludeWrongTraces", BOOLEAN).def(true).paper("not in the paper (the audit is ours)")
            .help("Leave traces the audit marked \"wrong\" out of alignment."));
    public static final ParamKey<String> TRAIN_SPLIT = add(ParamKey.<String>builder("data.trainSplit", TEXT)
            .def("train").paper("the official train split")
            .help("Split used for training (default train)."));
    public static final ParamKey<String> VAL_SPLIT = add(ParamKey.<String>builder("data.valSplit", TEXT)
            .def("val").paper(NOT_GIVEN)
            .help("Split used for validation losses and best-epoch selection (default val)."));

    // ---- encoder ----
    public static final ParamKey<String> ENCODER_BASE = add(ParamKey.<String>builder("encoder.base", TEXT)
            .def("").paper("openai/clip-vit-large-patch14-336 (§5.1)")
            .help("Hugging Face CLIP folder to start from; empty = the project's base encoder (set by "
                    + "`rali run --encoder DIR` or `rali demo`)."));
    public static final ParamKey<String> DEVICE = add(ParamKey.<String>builder("encoder.device", CHOICE)
            .def("auto").paper("not a model setting").choices(List.of("auto", "cpu", "gpu"), s -> s)
            .help("Where the encoder runs: cpu, gpu, or auto (a GPU when the PyTorch engine sees one)."));
    public static final ParamKey<String> PRECISION = add(ParamKey.<String>builder("encoder.precision", CHOICE)
            .def("auto").paper("not a model setting (the paper's numbers are fp32)")
            .choices(List.of("auto", "fp32", "bf16"), s -> s) // Precision.CHOICES; params/ may not depend on clip/
            .help("Image-encoder precision when embedding: fp32, bf16, or auto = bf16 where the CPU (AVX-512-BF16/AMX) "
                    + "or GPU runs it natively and the encoder is big enough to gain (width >= 512), else fp32. "
                    + "Alignment training is always fp32; bf16 embeddings are cached apart from fp32 ones."));
    public static final ParamKey<Integer> EMBED_BATCH = add(ParamKey.<Integer>builder("encoder.embedBatch", INT)
            .def(16).atLeast(1).paper("not a model setting")
            .help("Images per encoder batch when embedding."));

    // ---- alignment (Stage B) ----
    public static final ParamKey<Boolean> ALIGNMENT_ENABLED = add(ParamKey.<Boolean>builder("alignment.enabled",
            BOOLEAN).rali(r -> r.alignment.enabled, (r, v) -> r.alignment.enabled = v).paper("on (§4)")
            .help("Stage B, contrastive alignment of the CLIP image tower to reasoning text (§4). Off = raw CLIP "
                    + "(Table 4 case 1, 0.748 PLCC)."));
    public static final ParamKey<Boolean> SEED_AUGMENTATION = add(ParamKey.<Boolean>builder(
            "alignment.seedAugmentation", BOOLEAN)
            .rali(r -> r.alignment.seedAugmentation, (r, v) -> r.alignment.seedAugmentation = v).paper("on (§4)")
            .help("Several reasoning traces per image from different sampling seeds (§4). Off = Table 4 case 4 "
                    + "(0.793 PLCC)."));
    public static final ParamKey<Integer> TRACES_PER_IMAGE = add(ParamKey.<Integer>builder(
            "alignment.tracesPerImage", INT).atLeast(1)
            .rali(r -> r.alignment.tracesPerImage, (r, v) -> r.alignment.tracesPerImage = v)
            .paper(NOT_GIVEN + " (METHOD.md §8.8)")
            .help("Traces per image offered to the alignment (its first ones in source, seed order); with seed "
                    + "augmentation off only the first is used. Not given in the paper (METHOD.md §8.8); 4 of the 5 "
                    + "generated is a guess."));
    public static final ParamKey<RaliParams.PairsPerEpoch> PAIRS_PER_EPOCH = add(ParamKey.<RaliParams.PairsPerEpoch>builder(
            "alignment.pairsPerEpoch", CHOICE)
            .choices(ParamKey.names(RaliParams.PairsPerEpoch.class), RaliParams.PairsPerEpoch::valueOf)
            .rali(r -> r.alignment.pairsPerEpoch, (r, v) -> r.alignment.pairsPerEpoch = v)
            .paper(NOT_GIVEN + " (§4: one trace drawn per image; docs/PIPELINE.md)")
            .help("What one alignment epoch sees with seed augmentation: IMAGES = each image once with one of its "
                    + "traces drawn at random; IMAGES_X_TRACES = every (image, trace) pair once (tracesPerImage "
                    + "passes, each image with a different trace per pass), for testing the paper's convergence claim."));
    public static final ParamKey<String> ALIGNMENT_PRECISION = add(ParamKey.<String>builder(
            "alignment.precision", CHOICE)
            .choices(List.of("fp32", "bf16"), v -> v)
            .rali(r -> r.alignment.precision, (r, v) -> r.alignment.precision = v)
            .paper(NOT_GIVEN)
            .help("fp32, or bf16 mixed precision for the alignment step: the encoder layers run in bf16 (TorchScript, "
                    + "autocast's split), master weights, loss and AdamW stay fp32. 2.8x the fp32 step at ViT-B/16 "
                    + "batch 8 on an AVX-512-BF16 CPU (docs/PERFORMANCE.md); slow on CPUs without bf16 instructions."));
    public static final ParamKey<Double> ALIGNMENT_LR = add(ParamKey.<Double>builder("alignment.lr", DOUBLE)
            .above(0).rali(r -> r.alignment.lr, (r, v) -> r.alignment.lr = v).paper("1e-5 (§5.1)")
            .help("Learning rate of the alignment, 1e-5 (§5.1)."));
    public static final ParamKey<Integer> ALIGNMENT_EPOCHS = add(ParamKey.<Integer>builder("alignment.epochs", INT)
            .atLeast(1).rali(r -> r.alignment.epochs, (r, v) -> r.alignment.epochs = v).paper(NOT_GIVEN)
            .help("Alignment epochs. Not given in the paper."));
    public static final ParamKey<Integer> ALIGNMENT_BATCH = add(ParamKey.<Integer>builder("alignment.batchSize", INT)
            .atLeast(2).rali(r -> r.alignment.batchSize, (r, v) -> r.alignment.batchSize = v).paper(NOT_GIVEN)
            .help("Alignment batch size (contrastive negatives). Not given in the paper; 32."));
    public static final ParamKey<Integer> WARMUP_STEPS = add(ParamKey.<Integer>builder("alignment.warmupSteps", INT)
            .atLeast(0).rali(r -> r.alignment.warmupSteps, (r, v) -> r.alignment.warmupSteps = v).paper(NOT_GIVEN)
            .help("Linear learning-rate warm-up steps. Not given in the paper."));
    public static final ParamKey<Double> WEIGHT_DECAY = add(ParamKey.<Double>builder("alignment.weightDecay", DOUBLE)
            .atLeast(0).rali(r -> r.alignment.weightDecay, (r, v) -> r.alignment.weightDecay = v).paper(NOT_GIVEN)
            .help("AdamW weight decay. Not given in the paper."));
    public static final ParamKey<Double> GRAD_CLIP = add(ParamKey.<Double>builder("alignment.gradClip", DOUBLE)
            .atLeast(0).rali(r -> r.alignment.gradClip, (r, v) -> r.alignment.gradClip = v).paper(NOT_GIVEN)
            .help("Gradient-norm clipping. Not given in the paper."));
    public static final ParamKey<Integer> TEXT_CONTEXT = add(ParamKey.<Integer>builder("alignment.textContext", INT)
            .atLeast(2).rali(r -> r.alignment.textContext, (r, v) -> r.alignment.textContext = v)
            .paper("77 (CLIP's context, METHOD.md §8.7)")
            .help("Reasoning traces are truncated to this many BPE tokens before the frozen text tower embeds "
                    + "them (at most the tower's own context: 77 for CLIP, METHOD.md §8.7)."));
    public static final ParamKey<Boolean> CROP_AUGMENTATION = add(ParamKey.<Boolean>builder(
            "alignment.cropAugmentation", BOOLEAN)
            .rali(r -> r.alignment.cropAugmentation, (r, v) -> r.alignment.cropAugmentation = v)
            .paper("off (not in the paper)")
            .help("Train on a random crop (model input size, after the resize) with a random horizontal flip "
                    + "instead of the centre crop. Not in the paper; keeps a small encoder from memorising whole "
                    + "photos."));

    // ---- compression (Stage C.2) ----
    public static final ParamKey<Boolean> COMPRESSION_ENABLED = add(ParamKey.<Boolean>builder("compression.enabled",
            BOOLEAN).rali(r -> r.compression.enabled, (r, v) -> r.compression.enabled = v).paper("on (§4)")
            .help("Stage C.2, PCA of the aligned embeddings (§4). Off = bases in the 768-d space (Table 4 case 2, "
                    + "0.792 PLCC)."));
    public static final ParamKey<Integer> COMPRESSION_DIM = add(ParamKey.<Integer>builder("compression.dim", INT)
            .atLeast(1).rali(r -> r.compression.dim, (r, v) -> r.compression.dim = v).paper("512 (§5.1)")
            .help("PCA dimension M: 512 in the paper (§5.1); Table A.5 also tries 256 and 700. Capped at "
                    + "min(n − 1, D)."));

    // ---- bases (Stage C.3) ----
    public static final ParamKey<Integer> BASES_COUNT = add(ParamKey.<Integer>builder("bases.count", INT)
            .atLeast(1).rali(r -> r.bases.count, (r, v) -> r.bases.count = v).paper("250 (§5.1)")
            .help("Number of bases K = Σ k_n: 250 (§4, §5.1); Table A.5 also tries 100."));
    public static final ParamKey<Boolean> BUCKETED = add(ParamKey.<Boolean>builder("bases.bucketed", BOOLEAN)
            .rali(r -> r.bases.bucketed, (r, v) -> r.bases.bucketed = v).paper("on (Eq. 1–2)")
            .help("Bucketed k-means (Eq. 1–2). Off = plain k-means over all samples (Table 4 case 3, 0.785 PLCC): "
                    + "scores concentrate in the middle."));
    public static final ParamKey<Integer> BUCKETS = add(ParamKey.<Integer>builder("bases.buckets", INT)
            .atLeast(1).rali(r -> r.bases.buckets, (r, v) -> r.bases.buckets = v).paper("240 (§5.1)")
            .help("Number of score buckets N: 240 (§5.1); Table A.5 pairs 90 buckets with 100 bases."));
    public static final ParamKey<Double> SCORE_MIN = add(ParamKey.<Double>builder("bases.scoreMin", DOUBLE)
            .rali(r -> r.bases.scoreMin, (r, v) -> r.bases.scoreMin = v).paper("1 (MOS rescaled to [1, 5], §5.1)")
            .help("Lower end of the bucketed score range: MOS rescaled to [1, 5] (§5.1). Below bases.scoreMax."));
    public static final ParamKey<Double> SCORE_MAX = add(ParamKey.<Double>builder("bases.scoreMax", DOUBLE)
            .rali(r -> r.bases.scoreMax, (r, v) -> r.bases.scoreMax = v).paper("5 (MOS rescaled to [1, 5], §5.1)")
            .help("Upper end of the bucketed score range: MOS rescaled to [1, 5] (§5.1). Above bases.scoreMin."));
    public static final ParamKey<RaliParams.Allocation> ALLOCATION = add(ParamKey.<RaliParams.Allocation>builder(
            "bases.allocation", CHOICE)
            .choices(ParamKey.names(RaliParams.Allocation.class), RaliParams.Allocation::valueOf)
            .rali(r -> r.bases.allocation, (r, v) -> r.bases.allocation = v).paper(NOT_GIVEN + " (METHOD.md §8.3)")
            .help("How the K bases are spread over non-empty buckets (not in the paper, METHOD.md §8.3): "
                    + "PROPORTIONAL = one per non-empty bucket, the rest by population (largest remainder); "
                    + "UNIFORM = as evenly as the bucket sizes allow."));
    public static final ParamKey<Integer> KMEANS_ITERATIONS = add(ParamKey.<Integer>builder("bases.kmeansIterations",
            INT).atLeast(1).rali(r -> r.bases.kmeansIterations, (r, v) -> r.bases.kmeansIterations = v)
            .paper(NOT_GIVEN)
            .help("Maximum Lloyd iterations per k-means run (not in the paper; k-means++ init)."));
    public static final ParamKey<Double> KMEANS_TOLERANCE = add(ParamKey.<Double>builder("bases.kmeansTolerance",
            DOUBLE).atLeast(0).rali(r -> r.bases.kmeansTolerance, (r, v) -> r.bases.kmeansTolerance = v)
            .paper(NOT_GIVEN)
            .help("Lloyd stops when centroids move less than this, relative (not in the paper)."));

    // ---- scoreDefinition (Stage D) ----
    public static final ParamKey<Boolean> SCORE_DEFINITION_ENABLED = add(ParamKey.<Boolean>builder(
            "scoreDefinition.enabled", BOOLEAN)
            .rali(r -> r.scoreDefinition.enabled, (r, v) -> r.scoreDefinition.enabled = v).paper("on (§4)")
            .help("Stage D, fitting μ_i and f_i of Eq. 3 to the labels (§4). Off = the bases as initialised "
                    + "(Table 4 case 5, 0.743 PLCC)."));
    public static final ParamKey<Double> SCORE_DEFINITION_LR = add(ParamKey.<Double>builder("scoreDefinition.lr",
            DOUBLE).above(0).rali(r -> r.scoreDefinition.lr, (r, v) -> r.scoreDefinition.lr = v)
            .paper("3e-2 (§5.1)")
            .help("Adam learning rate of the score definition: 3e-2 (§5.1)."));
    public static final ParamKey<Integer> SCORE_DEFINITION_EPOCHS = add(ParamKey.<Integer>builder(
            "scoreDefinition.epochs", INT).atLeast(1)
            .rali(r -> r.scoreDefinition.epochs, (r, v) -> r.scoreDefinition.epochs = v).paper(NOT_GIVEN)
            .help("Epochs of the score-definition fit. Not given in the paper."));
    public static final ParamKey<Integer> SCORE_DEFINITION_BATCH = add(ParamKey.<Integer>builder(
            "scoreDefinition.batchSize", INT).atLeast(1)
            .rali(r -> r.scoreDefinition.batchSize, (r, v) -> r.scoreDefinition.batchSize = v).paper(NOT_GIVEN)
            .help("Mini-batch size of the score-definition fit (≥ 2 with the PLCC loss). Not given in the paper."));
    public static final ParamKey<Double> TAU_INIT = add(ParamKey.<Double>builder("scoreDefinition.tauInit", DOUBLE)
            .above(0).rali(r -> r.scoreDefinition.tauInit, (r, v) -> r.scoreDefinition.tauInit = v)
            .paper("Eq. 3 prints none (τ = 1); released code 0.07 (METHOD.md §8.1)")
            .help("Softmax temperature τ of Eq. 3 at the start. Eq. 3 prints none (τ = 1, nearly uniform "
                    + "weights); the released code uses 0.07 (METHOD.md §8.1)."));
    public static final ParamKey<Boolean> LEARN_TAU = add(ParamKey.<Boolean>builder("scoreDefinition.learnTau",
            BOOLEAN).rali(r -> r.scoreDefinition.learnTau, (r, v) -> r.scoreDefinition.learnTau = v)
            .paper("released code: off")
            .help("Whether τ is trained with μ and f (released code: optional, off by default; then τ stays at "
                    + "tauInit). Trained as ln(1/τ), so τ stays positive."));
    public static final ParamKey<Boolean> LEARN_MU = add(ParamKey.<Boolean>builder("scoreDefinition.learnMu",
            BOOLEAN).rali(r -> r.scoreDefinition.learnMu, (r, v) -> r.scoreDefinition.learnMu = v)
            .paper("on (§4)")
            .help("Whether the basis vectors μ_i are trained (§4; released code: on)."));
    public static final ParamKey<Boolean> LEARN_F = add(ParamKey.<Boolean>builder("scoreDefinition.learnF", BOOLEAN)
            .rali(r -> r.scoreDefinition.learnF, (r, v) -> r.scoreDefinition.learnF = v).paper("on (§4)")
            .help("Whether the basis scores f_i are trained (§4; released code: on)."));
    public static final ParamKey<RaliParams.Loss> LOSS = add(ParamKey.<RaliParams.Loss>builder(
            "scoreDefinition.loss", CHOICE)
            .choices(ParamKey.names(RaliParams.Loss.class), RaliParams.Loss::valueOf)
            .rali(r -> r.scoreDefinition.loss, (r, v) -> r.scoreDefinition.loss = v)
            .paper(NOT_GIVEN + " (METHOD.md §8.6)")
            .help("Regression loss: MSE (most plausible), L1, or PLCC (1 − Pearson r per batch, scale-free). Not "
                    + "given in the paper (METHOD.md §8.6)."));
    public static final ParamKey<Double> ADAM_BETA1 = add(ParamKey.<Double>builder("scoreDefinition.adamBeta1",
            DOUBLE).atLeast(0).below(1)
            .rali(r -> r.scoreDefinition.adamBeta1, (r, v) -> r.scoreDefinition.adamBeta1 = v)
            .paper(NOT_GIVEN + " (Adam's default)")
            .help("Adam β1 (optimiser not given in the paper; Adam's default 0.9)."));
    public static final ParamKey<Double> ADAM_BETA2 = add(ParamKey.<Double>builder("scoreDefinition.adamBeta2",
            DOUBLE).atLeast(0).below(1)
            .rali(r -> r.scoreDefinition.adamBeta2, (r, v) -> r.scoreDefinition.adamBeta2 = v)
            .paper(NOT_GIVEN + " (Adam's default)")
            .help("Adam β2 (Adam's default 0.999)."));
    public static final ParamKey<Double> ADAM_EPS = add(ParamKey.<Double>builder("scoreDefinition.adamEps", DOUBLE)
            .above(0).rali(r -> r.scoreDefinition.adamEps, (r, v) -> r.scoreDefinition.adamEps = v)
            .paper(NOT_GIVEN + " (Adam's default)")
            .help("Adam ε (Adam's default 1e-8)."));
    public static final ParamKey<Integer> EARLY_STOPPING = add(ParamKey.<Integer>builder(
            "scoreDefinition.earlyStoppingPatience", INT).atLeast(0)
            .rali(r -> r.scoreDefinition.earlyStoppingPatience, (r, v) -> r.scoreDefinition.earlyStoppingPatience = v)
            .paper("not in the paper")
            .help("Stop after this many epochs without better validation PLCC; 0 = run all epochs. Not in the "
                    + "paper."));
    public static final ParamKey<Boolean> KEEP_BEST_EPOCH = add(ParamKey.<Boolean>builder(
            "scoreDefinition.keepBestEpoch", BOOLEAN)
            .rali(r -> r.scoreDefinition.keepBestEpoch, (r, v) -> r.scoreDefinition.keepBestEpoch = v)
            .paper("not in the paper")
            .help("Return the epoch with the best validation PLCC instead of the last (needs validation data). "
                    + "Not in the paper."));
    public static final ParamKey<Double> VAL_FRACTION = add(ParamKey.<Double>builder("scoreDefinition.valFraction",
            DOUBLE).atLeast(0).below(1)
            .rali(r -> r.scoreDefinition.valFraction, (r, v) -> r.scoreDefinition.valFraction = v)
            .paper("not in the paper (its splits: METHOD.md §8.10)")
            .help("Without a validation set: fraction of the training images held out (seeded) to pick the best "
                    + "epoch; 0 = none. Not in the paper (its splits: METHOD.md §8.10)."));

    // ---- evaluate, run ----
    public static final ParamKey<Integer> BOOTSTRAP = add(ParamKey.<Integer>builder("evaluate.bootstrap", INT)
            .def(200).atLeast(0).paper("not in the paper (Table 2 gives no intervals)")
            .help("Bootstrap resamples for the 95% confidence intervals of PLCC/SRCC; 0 = no intervals."));
    public static final ParamKey<List<String>> EVAL_DATASETS = add(ParamKey.<List<String>>builder(
            "evaluate.datasets", TEXT_LIST).def(List.of())
            .paper("KonIQ's test split, then every other dataset whole (§5.1, Table 2)")
            .help("Datasets evaluated; empty = every dataset of the project that has MOS. The score dataset is "
                    + "evaluated on evaluate.testSplit, every other dataset whole (see evaluate.crossDatasetSplit)."));
    public static final ParamKey<String> TEST_SPLIT = add(ParamKey.<String>builder("evaluate.testSplit", TEXT)
            .def("test").paper("the official test split")
            .help("Split of the score dataset that is evaluated (held out from training; default test)."));
    public static final ParamKey<Boolean> CROSS_DATASET_SPLIT = add(ParamKey.<Boolean>builder(
            "evaluate.crossDatasetSplit", BOOLEAN).def(false).paper("off: other datasets are tested whole")
            .help("Evaluate the other datasets on their evaluate.testSplit too, instead of whole (the paper trains "
                    + "on one dataset and tests on the others whole)."));
    public static final ParamKey<Long> SEED = add(ParamKey.<Long>builder("run.seed", LONG)
            .rali(r -> r.seed, (r, v) -> r.seed = v).paper(NOT_GIVEN)
            .help("Seed of all random choices (k-means++ initialisation, mini-batch order, alignment shuffles). "
                    + "Not in the paper."));
    public static final ParamKey<String> ABLATION = add(ParamKey.<String>builder("run.ablation", CHOICE)
            .choices(RaliParams.ABLATIONS, s -> s).rali(r -> r.ablation, (r, v) -> r.ablation = v)
            .paper("full")
            .help("Label of the Table 4 case these settings reproduce (" + String.join(", ", RaliParams.ABLATIONS)
                    + "); it names the case, `rali run --ablation NAME` applies its settings."));

    private ParamKeys() { }

    private static <T> ParamKey<T> add(ParamKey.Builder<T> b) {
        ParamKey<T> k = b.build();
        if (!SECTIONS.contains(k.section()) || BY_NAME.put(k.name(), k) != null) {
            throw new IllegalStateException("bad or duplicate parameter " + k.name());
        }
        ALL.add(k);
        return k;
    }

    /** Every key, in form order (section by section). */
    public static List<ParamKey<?>> all() {
        return List.copyOf(ALL);
    }

    /** The keys of one section, in form order. */
    public static List<ParamKey<?>> section(String section) {
        return ALL.stream().filter(k -> k.section().equals(section)).toList();
    }

    /** The key with this exact dotted name, if any. */
    public static Optional<ParamKey<?>> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * The key with this exact dotted name; otherwise a {@link ParamException} that names the key and suggests the
     * nearest valid one (for an older spelling, today's).
     */
    public static ParamKey<?> get(String name) {
        ParamKey<?> k = BY_NAME.get(name);
        if (k == null) {
            throw new ParamException("unknown parameter '" + name + "'; did you mean '" + suggest(name)
                    + "'? (`rali run --show-defaults` lists them all)");
        }
        return k;
    }

    /** Today's spelling of a key of an older version, or the name itself. */
    public static String migrate(String name) {
        return RENAMED.getOrDefault(name, name);
    }

    /**
     * The valid key nearest to {@code name}: edit distance ignoring case and '_' (so {@code score_dataset} finds
     * {@code data.scoreDataset}), against the full name or — for a name without its section — the leaf.
     */
    public static String suggest(String name) {
        String n = norm(name);
        String leaf = norm(name.substring(name.lastIndexOf('.') + 1));
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (ParamKey<?> k : ALL) {
            // A wrong or missing section with the right leaf costs one edit more than the leaf's own distance.
            int d = Math.min(distance(n, norm(k.name())), distance(leaf, norm(k.leaf())) + 1);
            if (leaf.length() >= 2 && norm(k.leaf()).startsWith(leaf)) {
                d = Math.min(d, 2); // an abbreviation: "tau" for tauInit
            }
            if (RENAMED.containsKey(name) && RENAMED.get(name).equals(k.name())) {
                d = -1; // an older spelling: today's, whatever else is close
            }
            if (d < bestScore) {
                bestScore = d;
                best = k.name();
            }
        }
        return best;
    }

    private static String norm(String s) {
        return s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
