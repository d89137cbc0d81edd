package dev.rali.engine.rali;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of RALI's training (paper §4, §5.1), with the paper's values as defaults. Where the paper is
 * silent the default follows the authors' released code or the most plausible reading listed in
 * {@code METHOD.md} §8 (the "Open points"); {@link #help()} says which for each key.
 * <p>
 * Mutable plain fields so that the GUI can bind them and Jackson can (de)serialise them; {@link #copy()} gives an
 * independent copy, {@link #validate()} checks ranges. Stored verbatim as {@code runs.params_json}.
 */
public final class RaliParams {

    /** Ablation names of paper Table 4 (cases 1–6), accepted by {@link #ablation(String)}. */
    public static final List<String> ABLATIONS = List.of(
            "full", "no_alignment", "no_pca", "plain_kmeans", "no_seed_augmentation", "no_score_definition");

    /** Loss of the score-definition fit (paper: not given; METHOD.md §8.6). */
    public enum Loss { MSE, L1, PLCC }

    /** How the K bases are spread over the non-empty buckets (paper: not given; METHOD.md §8.3). */
    public enum Allocation { PROPORTIONAL, UNIFORM }

    /** Stage B: contrastive alignment of the image tower to reasoning text. Trained by the alignment code, held here. */
    public static final class Alignment {
        public boolean enabled = true;
        public boolean seedAugmentation = true;
        /** Reasoning traces per image used when seed augmentation is on (paper: not given, §8.8). */
        public int tracesPerImage = 4;
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
    }

    /** Stage C.2: PCA D → M. */
    public static final class Compression {
        public boolean enabled = true;
        /** M; the effective value is min(M, n − 1, D). */
        public int dim = 512;
    }

    /** Stage C.3: bucketed k-means (Eq. 1–2). */
    public static final class Bases {
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
    public static final class ScoreDefinition {
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

    public Alignment alignment = new Alignment();
    public Compression compression = new Compression();
    public Bases bases = new Bases();
    public ScoreDefinition scoreDefinition = new ScoreDefinition();
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
        ScoreDefinition s = scoreDefinition;
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

    /**
     * A copy with one dotted key (as listed by {@link #help()}, e.g. {@code scoreDefinition.lr}) set from text;
     * numbers, booleans and enum names are parsed by type. Unknown keys and unparsable values are errors.
     */
    public RaliParams with(String dottedKey, String value) {
        if (!help().containsKey(dottedKey)) {
            throw new IllegalArgumentException("unknown RALI parameter '" + dottedKey + "'; known: " + help().keySet());
        }
        com.fasterxml.jackson.databind.node.ObjectNode root = JSON.valueToTree(this);
        String[] parts = dottedKey.split("\\.");
        com.fasterxml.jackson.databind.node.ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = (com.fasterxml.jackson.databind.node.ObjectNode) node.get(parts[i]);
        }
        String leaf = parts[parts.length - 1];
        com.fasterxml.jackson.databind.JsonNode old = node.get(leaf);
        try {
            if (old.isBoolean()) {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("RALI parameter " + dottedKey + " must be true or false, got '"
                            + value + "'");
                }
                node.put(leaf, Boolean.parseBoolean(value));
            } else if (old.isIntegralNumber()) {
                node.put(leaf, Long.parseLong(value.strip()));
            } else if (old.isNumber()) {
                node.put(leaf, Double.parseDouble(value.strip()));
            } else {
                node.put(leaf, value);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("RALI parameter " + dottedKey + " must be a number, got '" + value + "'");
        }
        try {
            return fromJson(JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
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

    /** A tooltip per dotted key, each citing the paper (§, table, equation) or saying where the default comes from. */
    public static Map<String, String> help() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("seed", "Seed of all random choices (k-means++ initialisation, mini-batch order). Not in the paper.");
        h.put("ablation", "Table 4 case these settings reproduce: " + ABLATIONS + ".");
        h.put("alignment.enabled", "Stage B, contrastive alignment of the CLIP image tower to reasoning text (§4). "
                + "Off = raw CLIP (Table 4 case 1, 0.748 PLCC).");
        h.put("alignment.cropAugmentation", "Train on a random crop (model input size, after the resize) with a random horizontal flip "
                + "instead of the centre crop. Not in the paper; keeps a small encoder from memorising whole photos.");
        h.put("alignment.seedAugmentation", "Several reasoning traces per image from different sampling seeds (§4). "
                + "Off = Table 4 case 4 (0.793 PLCC).");
        h.put("alignment.tracesPerImage", "Traces per image when seed augmentation is on. Not given in the paper "
                + "(METHOD.md §8.8); 4 is a guess.");
        h.put("alignment.lr", "Learning rate of the alignment, 1e-5 (§5.1).");
        h.put("alignment.epochs", "Alignment epochs. Not given in the paper.");
        h.put("alignment.batchSize", "Alignment batch size (contrastive negatives). Not given in the paper; 32.");
        h.put("alignment.warmupSteps", "Linear learning-rate warm-up steps. Not given in the paper.");
        h.put("alignment.weightDecay", "AdamW weight decay. Not given in the paper.");
        h.put("alignment.gradClip", "Gradient-norm clipping. Not given in the paper.");
        h.put("alignment.textContext", "CLIP text context: traces are truncated to 77 BPE tokens (METHOD.md §8.7).");
        h.put("compression.enabled", "Stage C.2, PCA of the aligned embeddings (§4). Off = bases in the 768-d space "
                + "(Table 4 case 2, 0.792 PLCC).");
        h.put("compression.dim", "PCA dimension M: 512 in the paper (§5.1); Table A.5 also tries 256 and 700. "
                + "Capped at min(n − 1, D).");
        h.put("bases.count", "Number of bases K = Σ k_n: 250 (§4, §5.1); Table A.5 also tries 100.");
        h.put("bases.bucketed", "Bucketed k-means (Eq. 1–2). Off = plain k-means over all samples (Table 4 case 3, "
                + "0.785 PLCC): scores concentrate in the middle.");
        h.put("bases.buckets", "Number of score buckets N: 240 (§5.1); Table A.5 pairs 90 buckets with 100 bases.");
        h.put("bases.scoreMin", "Lower end of the bucketed score range: MOS rescaled to [1, 5] (§5.1).");
        h.put("bases.scoreMax", "Upper end of the bucketed score range: MOS rescaled to [1, 5] (§5.1).");
        h.put("bases.allocation", "How the K bases are spread over non-empty buckets (not in the paper, METHOD.md "
                + "§8.3): PROPORTIONAL = one per non-empty bucket, the rest by population (largest remainder); "
                + "UNIFORM = as evenly as the bucket sizes allow.");
        h.put("bases.kmeansIterations", "Maximum Lloyd iterations per k-means run (not in the paper; k-means++ init).");
        h.put("bases.kmeansTolerance", "Lloyd stops when centroids move less than this, relative (not in the paper).");
        h.put("scoreDefinition.enabled", "Stage D, fitting μ_i and f_i of Eq. 3 to the labels (§4). Off = the bases "
                + "as initialised (Table 4 case 5, 0.743 PLCC).");
        h.put("scoreDefinition.lr", "Adam learning rate of the score definition: 3e-2 (§5.1).");
        h.put("scoreDefinition.epochs", "Epochs of the score-definition fit. Not given in the paper.");
        h.put("scoreDefinition.batchSize", "Mini-batch size of the score-definition fit. Not given in the paper.");
        h.put("scoreDefinition.tauInit", "Softmax temperature τ of Eq. 3 at the start. Eq. 3 prints none (τ = 1, "
                + "nearly uniform weights); the released code uses 0.07 (METHOD.md §8.1).");
        h.put("scoreDefinition.learnTau", "Whether τ is trained (released code: optional, off by default).");
        h.put("scoreDefinition.learnMu", "Whether the basis vectors μ_i are trained (§4; released code: on).");
        h.put("scoreDefinition.learnF", "Whether the basis scores f_i are trained (§4; released code: on).");
        h.put("scoreDefinition.loss", "Regression loss: MSE (most plausible), L1, or PLCC (1 − Pearson r per batch, "
                + "scale-free). Not given in the paper (METHOD.md §8.6).");
        h.put("scoreDefinition.adamBeta1", "Adam β1 (optimiser not given in the paper; Adam's default 0.9).");
        h.put("scoreDefinition.adamBeta2", "Adam β2 (Adam's default 0.999).");
        h.put("scoreDefinition.adamEps", "Adam ε (Adam's default 1e-8).");
        h.put("scoreDefinition.earlyStoppingPatience", "Stop after this many epochs without better validation PLCC; "
                + "0 = run all epochs. Not in the paper.");
        h.put("scoreDefinition.valFraction", "Without a validation set: fraction of the training images held out "
                + "(seeded) to pick the best epoch; 0 = none. Not in the paper (its splits: METHOD.md §8.10).");
        h.put("scoreDefinition.keepBestEpoch", "Return the epoch with the best validation PLCC instead of the last "
                + "(needs validation data). Not in the paper.");
        return h;
    }
}
