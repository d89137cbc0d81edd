package dev.rali.engine.rali;

import dev.rali.engine.Version;
import dev.rali.engine.task.Checkpoints;
import dev.rali.engine.task.Fingerprint;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains everything of RALI after the image encoder from embeddings and scores: Stage C.2 PCA
 * ({@link Compression}) → Stage C.3 bases ({@link BucketedKMeans}) → Stage D score definition
 * ({@link ScoreDefinition}), honouring the ablation switches of {@link RaliParams}. The alignment (Stage B) and
 * the embedding of images happen before; this class only sees float vectors, so it is independent of CLIP.
 * <p>
 * With a work directory each stage leaves its output there ({@code pca.safetensors}, {@code bases.safetensors},
 * the score-definition checkpoint, finally {@code rali.safetensors} in {@link HeadParams} format). Each file
 * carries a fingerprint of its inputs and settings; a rerun reuses every stage whose fingerprint matches, so a
 * cancelled or crashed training continues where it stopped and gives the same head as an uninterrupted one.
 */
public final class RaliHeadTrainer {

    public static final String PCA_FILE = "pca.safetensors";
    public static final String BASES_FILE = "bases.safetensors";
    public static final String HEAD_FILE = "rali.safetensors";

    private RaliHeadTrainer() { }

    /**
     * The trained head and what each stage produced. {@code metrics} holds per-stage numbers under dotted names
     * (pca.explained_variance_ratio, bases.count, bases.f_min, score_definition.best_val_plcc, head.val_plcc, ...).
     */
    public record Result(HeadParams head, Compression compression, Bases initialBases,
                         ScoreDefinition.Result scoreDefinition, Map<String, Double> metrics) { }

    /**
     * @param valEmbeddings may be null (no validation: the last epoch is kept)
     * @param workDir       may be null (nothing written, no resume)
     */
    public static Result train(float[][] trainEmbeddings, double[] trainScores, float[][] valEmbeddings,
                               double[] valScores, RaliParams params, Path workDir, TaskContext ctx) throws IOException {
        params.validate();
        int d = Checks.matrix("training embeddings", trainEmbeddings);
        Checks.scores("training scores", trainScores, trainEmbeddings.length);
        boolean hasVal = valEmbeddings != null && valEmbeddings.length > 0;
        if (hasVal) {
            int dv = Checks.matrix("validation embeddings", valEmbeddings);
            Checks.scores("validation scores", valScores, valEmbeddings.length);
            if (dv != d) {
                throw new IllegalArgumentException("validation embeddings have dimension " + dv
                        + " but training embeddings have " + d);
            }
        }
        if (!hasVal && params.scoreDefinition.valFraction > 0) {
            // Hold out a seeded random subset for model selection; it is used by no stage's fit.
            int n = trainEmbeddings.length;
            int nv = (int) Math.round(n * params.scoreDefinition.valFraction);
            if (nv >= 1 && n - nv >= 2) {
                int[] perm = ScoreDefinition.permutation(n, params.seed, -1);
                float[][] te = new float[n - nv][];
                double[] ts = new double[n - nv];
                valEmbeddings = new float[nv][];
                valScores = new double[nv];
                for (int i = 0; i < n; i++) {
                    int src = perm[i];
                    if (i < nv) {
                        valEmbeddings[i] = trainEmbeddings[src];
                        valScores[i] = trainScores[src];
                    } else {
                        te[i - nv] = trainEmbeddings[src];
                        ts[i - nv] = trainScores[src];
                    }
                }
                trainEmbeddings = te;
                trainScores = ts;
                hasVal = true;
                ctx.log("held out " + nv + " of " + n + " training samples for validation (scoreDefinition.valFraction)");
            }
        }
        if (trainEmbeddings.length < 2) {
            throw new IllegalArgumentException("RALI training needs at least 2 labelled embeddings, got "
                    + trainEmbeddings.length);
        }
        if (workDir != null) {
            Files.createDirectories(workDir);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("data.train_size", (double) trainEmbeddings.length);
        metrics.put("data.val_size", hasVal ? (double) valEmbeddings.length : 0.0);

        // ---- Stage C.2: compression ----
        // "centred": without PCA the mean is still subtracted (older versions kept z = e, so their files differ)
        String pcaPrint = Fingerprint.sha256()
                .text("compression " + params.compression.enabled + " " + params.compression.dim
                        + (params.compression.enabled ? "" : " centred"))
                .floats(trainEmbeddings).hex();
        Compression compression = null;
        Path pcaFile = workDir == null ? null : workDir.resolve(PCA_FILE);
        if (pcaFile != null && Checkpoints.matches(pcaFile, pcaPrint)) {
            compression = Compression.load(pcaFile);
            ctx.log("PCA: reusing " + pcaFile);
        }
        if (compression == null) {
            ctx.checkCancelled();
            compression = params.compression.enabled
                    ? Compression.fit(trainEmbeddings, params.compression.dim, ctx)
                    : Compression.centred(trainEmbeddings);
            if (pcaFile != null) {
                compression.save(pcaFile, meta(pcaPrint, params));
            }
        }
        metrics.put("pca.input_dim", (double) compression.inputDim());
        metrics.put("pca.output_dim", (double) compression.outputDim());
        metrics.put("pca.explained_variance_ratio", compression.explainedVarianceRatio());
        ctx.metric("pca/explained_variance_ratio", 0, compression.explainedVarianceRatio());
        ctx.log(String.format("PCA: %d → %d dimensions, %.1f %% of the variance kept", compression.inputDim(),
                compression.outputDim(), 100 * compression.explainedVarianceRatio()));
        float[][] z = compression.applyAll(trainEmbeddings);
        float[][] zVal = hasVal ? compression.applyAll(valEmbeddings) : null;

        // ---- Stage C.3: bases ----
        RaliParams basesOnly = new RaliParams();
        basesOnly.bases = params.bases;
        basesOnly.seed = params.seed;
        String basesPrint = Fingerprint.sha256().text(pcaPrint).text(basesOnly.toJson()).doubles(trainScores).hex();
        Bases bases = null;
        Path basesFile = workDir == null ? null : workDir.resolve(BASES_FILE);
        if (basesFile != null && Checkpoints.matches(basesFile, basesPrint)) {
            bases = Bases.load(basesFile);
            ctx.log("bases: reusing " + basesFile);
            Map<String, String> m = Checkpoints.metadata(basesFile);
            putIfNumber(metrics, "bases.non_empty_buckets", m.get("non_empty_buckets"));
            putIfNumber(metrics, "bases.groups", m.get("groups"));
            putIfNumber(metrics, "bases.inertia", m.get("inertia"));
        }
        if (bases == null) {
            ctx.checkCancelled();
            BucketedKMeans.Fit fit = BucketedKMeans.fit(z, trainScores, params.bases, params.seed, ctx);
            bases = fit.bases();
            metrics.put("bases.non_empty_buckets", (double) fit.nonEmptyBuckets());
            metrics.put("bases.groups", (double) fit.groups());
            metrics.put("bases.inertia", fit.inertia());
            if (basesFile != null) {
                Map<String, String> m = new LinkedHashMap<>(meta(basesPrint, params));
                m.put("non_empty_buckets", Integer.toString(fit.nonEmptyBuckets()));
                m.put("groups", Integer.toString(fit.groups()));
                m.put("inertia", Double.toString(fit.inertia()));
                bases.save(basesFile, m);
            }
        }
        double[] fStats = stats(bases.f());
        metrics.put("bases.count", (double) bases.count());
        metrics.put("bases.f_min", fStats[0]);
        metrics.put("bases.f_max", fStats[1]);
        metrics.put("bases.f_std", fStats[2]);
        ctx.metric("bases/count", 0, bases.count());
        ctx.log(String.format("bases: %d pairs (μ, f), f from %.3f to %.3f (std %.3f)", bases.count(), fStats[0],
                fStats[1], fStats[2]));

        // ---- Stage D: score definition ----
        ScoreDefinition.Result sd = ScoreDefinition.fit(z, trainScores, zVal, valScores, bases, params.scoreDefinition,
                params.seed, workDir, ctx);
        metrics.put("score_definition.epochs_run", (double) sd.epochsRun());
        metrics.put("score_definition.best_epoch", (double) sd.bestEpoch());
        metrics.put("score_definition.tau", sd.tau());
        if (hasVal) {
            metrics.put("score_definition.initial_val_plcc", sd.history().get(0).valPlcc());
            metrics.put("score_definition.best_val_plcc", sd.bestValPlcc());
        }

        HeadParams head = new HeadParams(compression.mean(), 1f, compression.components(), sd.mu(), sd.f(), sd.tau());
        // Final numbers through the inference path itself (float ScoreHead), so they are what users will get.
        ScoreHead scorer = head.toScoreHead();
        double[] trainPred = scoreAll(scorer, trainEmbeddings);
        metrics.put("head.train_plcc", Checks.plcc(trainPred, trainScores));
        metrics.put("head.train_srcc", Checks.srcc(trainPred, trainScores));
        if (hasVal) {
            double[] valPred = scoreAll(scorer, valEmbeddings);
            double v = Checks.plcc(valPred, valScores);
            metrics.put("head.val_plcc", v);
            metrics.put("head.val_srcc", Checks.srcc(valPred, valScores));
            ctx.metric("head/val_plcc", 0, v);
            ctx.metric("head/val_srcc", 0, metrics.get("head.val_srcc"));
        }
        if (workDir != null) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("params_json", params.toJson());
            m.put("code_version", Version.CODE);
            m.put("best_epoch", Integer.toString(sd.bestEpoch()));
            head.write(workDir.resolve(HEAD_FILE), m);
        }
        ctx.log("RALI head: " + metrics);
        return new Result(head, compression, bases, sd, metrics);
    }

    private static double[] scoreAll(ScoreHead head, float[][] x) {
        double[] out = new double[x.length];
        java.util.stream.IntStream.range(0, x.length).parallel().forEach(i -> out[i] = head.score(x[i]));
        return out;
    }

    private static double[] stats(float[] f) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double mean = 0;
        for (float v : f) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            mean += v / (double) f.length;
        }
        double var = 0;
        for (float v : f) {
            var += (v - mean) * (v - mean) / f.length;
        }
        return new double[] {min, max, Math.sqrt(var)};
    }

    private static Map<String, String> meta(String fingerprint, RaliParams params) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Checkpoints.FINGERPRINT, fingerprint);
        m.put("params_json", params.toJson());
        m.put("code_version", Version.CODE);
        return m;
    }

    private static void putIfNumber(Map<String, Double> m, String key, String value) {
        if (value != null) {
            try {
                m.put(key, Double.parseDouble(value));
            } catch (NumberFormatException ignored) {
                // metadata written by another version: skip
            }
        }
    }
}
