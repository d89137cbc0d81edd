package dev.rali.engine.rali;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * The settings of RALI's paper stages (alignment, compression, bases, score definition; paper §4, §5.1) as the
 * stage code takes them, with the paper's values as defaults. Where the paper is silent the default follows the
 * authors' released code or the most plausible reading listed in {@code METHOD.md} §8 (the "Open points").
 * <p>
 * Users never build this directly: {@code dev.rali.engine.params.PipelineParams} is the one parameter model (keys,
 * types, ranges, help in {@code ParamKeys}) and hands the stages a fresh copy. The field initialisers here are the
 * defaults {@code ParamKeys} reports. Mutable plain fields; {@link #toJson()} (keys sorted) feeds the stages'
 * fingerprints and work-folder hashes, so field names must not change; {@link #validate()} guards direct callers.
 */
public final class RaliParams {

    /** Ablation names of paper Table 4 (cases 1–6), accepted by {@link #ablation(String)}. */
    public static final List<String> ABLATIONS = List.of(
            "full", "no_alignment", "no_pca", "plain_kmeans", "no_seed_augmentation", "no_score_definition");

    /** Loss of the score-definition fit (paper: not given; METHOD.md §8.6). */
    public enum Loss { MSE, L1, PLCC }

    /**
     * What one alignment epoch sees with seed augmentation (paper: not given): each image once with a random trace,
     * or every (image, trace) pair once.
     */
    public enum PairsPerEpoch { IMAGES, IMAGES_X_TRACES }

    /** Leaves the default out of the JSON, so fingerprints and work folders of earlier runs stay the same. */
    static final class DefaultPairsPerEpoch {
        @Override
        public boolean equals(Object o) {
            return o == null || o == PairsPerEpoch.IMAGES;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** How the K bases are spread over the non-empty buckets (paper: not given; METHOD.md §8.3). */
    public enum Allocation { PROPORTIONAL, UNIFORM }

    /** Stage B: contrastive alignment of the image tower to reasoning text. Trained by the alignment code, held here. */
    public static final class AlignmentParams {
        public boolean enabled = true;
        public boolean seedAugmentation = true;
        /** Reasoning traces per image used when seed augmentation is on (paper: not given, §8.8). */
        public int tracesPerImage = 4;
        /** IMAGES: one random trace per image per epoch; IMAGES_X_TRACES: every (image, trace) pair per epoch. */
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = DefaultPairsPerEpoch.class)
        public PairsPerEpoch pairsPerEpoch = PairsPerEpoch.IMAGES;
        public double lr = 1e-5;
        public int epochs = 5;
        public int batchSize = 32;
        /** Linear warm-up steps before the cosine/constant schedule. */
        public int warmupSteps = 100;
        public double weightDecay = 0.05;
        public double gradClip = 1.0;
        /** CLIP text context length: texts are truncated to 77 BPE tokens. */
        public int textContext = 77;
        /** Random crop (at the model's input size, after the resize) + horizontal flip per image and epoch. */
        public boolean cropAugmentation = false;
        /**
         * fp32, or bf16 = mixed precision (encoder layers in bf16, fp32 master weights, loss and AdamW). Left out of
         * the JSON at its default so the work-folder keys of existing fp32 alignments do not change.
         */
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = DefaultAlignPrecision.class)
        public String precision = "fp32";
    }

    /** Jackson filter: the default alignment precision is not written (see AlignmentParams.precision). */
    static final class DefaultAlignPrecision {
        @Override
        public boolean equals(Object o) {
            return o == null || "fp32".equals(o);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Stage C.2: PCA D → M. */
    public static final class CompressionParams {
        public boolean enabled = true;
        /** M; the effective value is min(M, n − 1, D). */
        public int dim = 512;
    }

    /** Stage C.3: bucketed k-means (Eq. 1–2). */
    public static final class BasesParams {
        /** K, the number of basis pairs {μ_i, f_i}. */
        public int count = 250;
        /** false = plain k-means over all samples (Table 4 case 3). */
        public boolean bucketed = true;
        /** N equal-width score buckets over [scoreMin, scoreMax]. */
        public int buckets = 240;
        public double scoreMin = 1.0;
        public double scoreMax = 5.0;
        public Allocation allocation = Allocation.PROPORTIONAL;
        public int kmeansIterations = 100;
        /** Lloyd stops when no assignment changes or the centroids move less than this (relative). */
        public double kmeansTolerance = 1e-6;
    }

    /** Stage D: score definition (Eq. 3) fitted by gradient descent. */
    public static final class ScoreDefinitionParams {
        /** false = use the bases as initialised, no fit (Table 4 case 5). */
        public boolean enabled = true;
        public double lr = 3e-2;
        public int epochs = 30;
        public int batchSize = 64;
        /** τ at the start (1.0 = Eq. 3 as printed; 0.07 = released code's default logit scale 1/0.07). */
        public double tauInit = 0.07;
        public boolean learnTau = false;
        public boolean learnMu = true;
        public boolean learnF = true;
        public Loss loss = Loss.MSE;
        public double adamBeta1 = 0.9;
        public double adamBeta2 = 0.999;
        public double adamEps = 1e-8;
        /** Stop after this many epochs without a better validation PLCC (0 = never stop early). */
        public int earlyStoppingPatience = 0;
        /** Keep the parameters of the epoch with the best validation PLCC (needs validation data). */
        public boolean keepBestEpoch = true;
        /**
         * When no validation set is given: hold out this fraction of the training samples (seeded) for best-epoch
         * selection and early stopping; held-out samples take part in no stage. 0 = use all for training.
         */
        public double valFraction = 0.0;
    }

    public AlignmentParams alignment = new AlignmentParams();
    public CompressionParams compression = new CompressionParams();
    public BasesParams bases = new BasesParams();
    public ScoreDefinitionParams scoreDefinition = new ScoreDefinitionParams();
    /** Seed of every random choice (k-means++ init, mini-batch shuffles). */
    public long seed = 42;
    /** Name of the ablation these parameters came from ("full" unless changed). */
    public String ablation = "full";

    /** The paper's full method with defaults. */
    public static RaliParams defaults() {
        return new RaliParams();
    }

    /**
     * The parameters of one Table 4 ablation case. "no_score_definition" uses the k-means bases with the
     * initial τ unchanged (paper §5.3: "bases used as initialised", 0.743 PLCC), the others switch one stage off.
     */
    public static RaliParams ablation(String name) {
        RaliParams p = new RaliParams();
        p.ablation = name;
        switch (name) {
            case "full" -> { }
            case "no_alignment" -> { // case 1: raw CLIP, so no traces and hence no seed augmentation either
                p.alignment.enabled = false;
                p.alignment.seedAugmentation = false;
            }
            case "no_pca" -> p.compression.enabled = false;           // case 2: bases in the 768-d embedding space
            case "plain_kmeans" -> p.bases.bucketed = false;           // case 3
            case "no_seed_augmentation" -> {                            // case 4: one trace per image
                p.alignment.seedAugmentation = false;
                p.alignment.tracesPerImage = 1;
            }
            case "no_score_definition" -> p.scoreDefinition.enabled = false; // case 5
            default -> throw new IllegalArgumentException("unknown ablation '" + name + "'; known: " + ABLATIONS);
        }
        return p;
    }

    /** Throws IllegalArgumentException naming the first out-of-range key. */
    public RaliParams validate() {
        require(alignment.lr > 0, "alignment.lr", alignment.lr);
        require(alignment.epochs >= 1, "alignment.epochs", alignment.epochs);
        require(alignment.batchSize >= 2, "alignment.batchSize", alignment.batchSize);
        require(alignment.tracesPerImage >= 1, "alignment.tracesPerImage", alignment.tracesPerImage);
        require(alignment.pairsPerEpoch != null, "alignment.pairsPerEpoch", null);
        require(alignment.warmupSteps >= 0, "alignment.warmupSteps", alignment.warmupSteps);
        require(alignment.weightDecay >= 0, "alignment.weightDecay", alignment.weightDecay);
        require(alignment.textContext >= 2, "alignment.textContext", alignment.textContext);
        require(compression.dim >= 1, "compression.dim", compression.dim);
        require(bases.count >= 1, "bases.count", bases.count);
        require(bases.buckets >= 1, "bases.buckets", bases.buckets);
        require(bases.scoreMax > bases.scoreMin && Double.isFinite(bases.scoreMax) && Double.isFinite(bases.scoreMin),
                "bases.scoreMax", bases.scoreMax);
        require(bases.allocation != null, "bases.allocation", null);
        require(bases.kmeansIterations >= 1, "bases.kmeansIterations", bases.kmeansIterations);
        require(bases.kmeansTolerance >= 0, "bases.kmeansTolerance", bases.kmeansTolerance);
        ScoreDefinitionParams s = scoreDefinition;
        require(s.lr > 0 && Double.isFinite(s.lr), "scoreDefinition.lr", s.lr);
        require(s.epochs >= 1, "scoreDefinition.epochs", s.epochs);
        require(s.batchSize >= 1, "scoreDefinition.batchSize", s.batchSize);
        require(s.tauInit > 0 && Double.isFinite(s.tauInit), "scoreDefinition.tauInit", s.tauInit);
        require(s.loss != null, "scoreDefinition.loss", null);
        require(s.loss != Loss.PLCC || s.batchSize >= 2, "scoreDefinition.batchSize (PLCC loss needs >= 2)", s.batchSize);
        require(s.adamBeta1 >= 0 && s.adamBeta1 < 1, "scoreDefinition.adamBeta1", s.adamBeta1);
        require(s.adamBeta2 >= 0 && s.adamBeta2 < 1, "scoreDefinition.adamBeta2", s.adamBeta2);
        require(s.adamEps > 0, "scoreDefinition.adamEps", s.adamEps);
        require(s.earlyStoppingPatience >= 0, "scoreDefinition.earlyStoppingPatience", s.earlyStoppingPatience);
        require(s.valFraction >= 0 && s.valFraction < 1, "scoreDefinition.valFraction", s.valFraction);
        return this;
    }

    private static void require(boolean ok, String key, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("invalid RALI parameter " + key + " = " + value);
        }
    }

    // ---- JSON ----

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    /** Stable, pretty JSON (keys sorted) so that equal parameters give equal text and equal fingerprints. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses JSON (missing keys keep their defaults; unknown keys are an error) and validates the result. */
    public static RaliParams fromJson(String json) {
        try {
            RaliParams p = JSON.readValue(json, RaliParams.class);
            if (p == null) {
                throw new IllegalArgumentException("RALI parameters: empty JSON");
            }
            return p.validate();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("RALI parameters: malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    public RaliParams copy() {
        return fromJson(toJson());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RaliParams p && p.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
