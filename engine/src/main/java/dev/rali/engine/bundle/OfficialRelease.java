package dev.rali.engine.bundle;

import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.ScoreHead;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The authors' released RALI checkpoint (Q-Insight repository, {@code src/eval/demo_rali_score.py}), read without
 * Python and without executing pickle:
 * <pre>
 *   best/       aligned CLIP, Hugging Face layout (config.json + weights)
 *   basis.npz   vectors [K,M], scores [K]: bucketed k-means initialisation
 *   pca.pkl     joblib-pickled sklearn PCA: mean_ [D], components_ [M,D]
 *   ckpt.pt     torch.save zip; state_dict: clip.* and scorer.pca_scale, scorer.pca_components,
 *               scorer.prototypes, scorer.proto_scores, scorer.logit_scale
 * </pre>
 * Precedence as in their loader: ckpt.pt's tensors override basis.npz (prototypes, scores) and pca.pkl
 * (components); clip.* in ckpt.pt override best/'s weights. The PCA mean exists only in pca.pkl. Without ckpt.pt
 * their scorer's initial values apply: pca_scale 1, logit_scale 1/0.07.
 * <p>Their forward: x = ((e − mean)/|scale|)·componentsᵀ; x̂, p̂ = L2-normalised x and prototypes;
 * w = softmax(x̂·p̂ᵀ·logit_scale); score = w·proto_scores. logit_scale is used as stored (not exponentiated,
 * unlike CLIP's own logit_scale), i.e. τ = 1/logit_scale; {@link LogitScale#EXP} covers a checkpoint that stores
 * its log.
 */
public final class OfficialRelease implements AutoCloseable {

    /** How scorer.logit_scale is stored. */
    public enum LogitScale {
        /** The multiplier itself (authors' code: default 1/0.07 ≈ 14.29). */
        RAW,
        /** Its natural log, as CLIP stores its own logit_scale. */
        EXP
    }

    /** Default logit scale of their scorer when ckpt.pt is absent (τ = 0.07). */
    public static final double DEFAULT_LOGIT_SCALE = 1 / 0.07;

    private final Path dir;
    private final float[] pcaMean;        // [D]
    private final float[] pcaScale;       // [1] or [D]
    private final float[][] pcaComponents; // [M][D]
    private final float[][] prototypes;    // [K][M]
    private final float[] protoScores;     // [K]
    private final double logitScale;       // as stored
    private final Map<String, String> provenance;
    private final TorchCheckpointReader ckpt;
    private final Map<String, TorchTensor> clip;

    private OfficialRelease(Path dir, float[] mean, float[] scale, float[][] comps, float[][] protos, float[] scores,
                            double logitScale, Map<String, String> provenance, TorchCheckpointReader ckpt,
                            Map<String, TorchTensor> clip) {
        this.dir = dir;
        this.pcaMean = mean;
        this.pcaScale = scale;
        this.pcaComponents = comps;
        this.prototypes = protos;
        this.protoScores = scores;
        this.logitScale = logitScale;
        this.provenance = Collections.unmodifiableMap(provenance);
        this.ckpt = ckpt;
        this.clip = Collections.unmodifiableMap(clip);
    }

    /** Reads a release folder; every problem names the file and the value. */
    public static OfficialRelease read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a folder (expected an official RALI release with pca.pkl, basis.npz, ckpt.pt, best/)");
        }
        Map<String, String> prov = new LinkedHashMap<>();
        Path pcaFile = dir.resolve("pca.pkl");
        if (!Files.isRegularFile(pcaFile)) {
            throw new IOException(pcaFile + ": missing; the PCA mean is only stored there");
        }
        SafeUnpickler.AttributeBag pca = pcaBag(pcaFile, JoblibFile.read(pcaFile));
        float[] mean = vector(pcaFile, "mean_", pca.get("mean_"));
        prov.put("pca_mean", "pca.pkl:mean_");
        float[][] comps = matrix(pcaFile, "components_", pca.get("components_"));
        prov.put("pca_components", "pca.pkl:components_");
        if (Boolean.TRUE.equals(pca.get("whiten"))) {
            // their scorer ignores whitening too (it multiplies by components_ only); say so rather than guess
            prov.put("note", "pca.pkl has whiten=True; the released scorer does not whiten, neither does this import");
        }
        float[] scale = {1f};
        prov.put("pca_scale", "default 1");
        double logit = DEFAULT_LOGIT_SCALE;
        prov.put("logit_scale", "default 1/0.07");
        float[][] protos = null;
        float[] scores = null;
        Path basisFile = dir.resolve("basis.npz");
        if (Files.isRegularFile(basisFile)) {
            Map<String, NdArray> basis = NpyReader.readNpz(basisFile);
            if (!basis.containsKey("vectors") || !basis.containsKey("scores")) {
                throw new IOException(basisFile + ": needs arrays 'vectors' and 'scores', has " + basis.keySet());
            }
            protos = matrix(basisFile, "vectors", basis.get("vectors"));
            scores = vector(basisFile, "scores", basis.get("scores"));
            prov.put("prototypes", "basis.npz:vectors");
            prov.put("proto_scores", "basis.npz:scores");
        }
        TorchCheckpointReader ckpt = null;
        Map<String, TorchTensor> clip = new LinkedHashMap<>();
        Path ckptFile = dir.resolve("ckpt.pt");
        if (Files.isRegularFile(ckptFile)) {
            ckpt = TorchCheckpointReader.open(ckptFile);
            try {
                Map<String, TorchTensor> sd = ckpt.stateDict();
                for (var e : sd.entrySet()) {
                    String k = e.getKey().startsWith("module.") ? e.getKey().substring(7) : e.getKey();
                    if (k.startsWith("clip.")) {
                        clip.put(k.substring(5), e.getValue());
                    }
                }
                TorchTensor t;
                if ((t = scorer(sd, "pca_components")) != null) {
                    comps = matrix(ckptFile, "scorer.pca_components", t.toArray());
                    prov.put("pca_components", "ckpt.pt:scorer.pca_components");
                }
                if ((t = scorer(sd, "pca_scale")) != null) {
                    scale = vector(ckptFile, "scorer.pca_scale", t.toArray());
                    prov.put("pca_scale", "ckpt.pt:scorer.pca_scale");
                }
                if ((t = scorer(sd, "prototypes")) != null) {
                    protos = matrix(ckptFile, "scorer.prototypes", t.toArray());
                    prov.put("prototypes", "ckpt.pt:scorer.prototypes");
                }
                if ((t = scorer(sd, "proto_scores")) != null) {
                    scores = vector(ckptFile, "scorer.proto_scores", t.toArray());
                    prov.put("proto_scores", "ckpt.pt:scorer.proto_scores");
                }
                if ((t = scorer(sd, "logit_scale")) != null) {
                    logit = t.toArray().scalar(ckptFile + ": scorer.logit_scale");
                    prov.put("logit_scale", "ckpt.pt:scorer.logit_scale");
                }
            } catch (IOException | RuntimeException e) {
                ckpt.close();
                throw e;
            }
        }
        try {
            if (protos == null || scores == null) {
                throw new IOException(dir + ": no prototypes: neither ckpt.pt (scorer.prototypes, scorer.proto_scores) nor basis.npz is present");
            }
            check(dir, mean, scale, comps, protos, scores, logit);
        } catch (IOException e) {
            if (ckpt != null) {
                ckpt.close();
            }
            throw e;
        }
        return new OfficialRelease(dir, mean, scale, comps, protos, scores, logit, prov, ckpt, clip);
    }

    private static TorchTensor scorer(Map<String, TorchTensor> sd, String name) {
        TorchTensor t = sd.get("scorer." + name);
        return t != null ? t : sd.get("module.scorer." + name);
    }

    private static SafeUnpickler.AttributeBag pcaBag(Path file, Object o) throws IOException {
        if (o instanceof SafeUnpickler.AttributeBag bag) {
            return bag;
        }
        if (o instanceof Map<?, ?> m && m.get("mean_") != null) { // a plain dict of PCA attributes also works
            Map<String, Object> attrs = new LinkedHashMap<>();
            m.forEach((k, v) -> attrs.put(String.valueOf(k), v));
            return new SafeUnpickler.AttributeBag("dict", attrs);
        }
        throw new IOException(file + ": expected a pickled sklearn PCA, found " + (o == null ? "None" : o.getClass().getSimpleName()));
    }

    private static float[] vector(Path file, String name, Object o) throws IOException {
        if (!(o instanceof NdArray a)) {
            throw new IOException(file + ": " + name + " is missing or not an array");
        }
        if (a.ndim() > 1) {
            throw new IOException(file + ": " + name + " must be 1-D, has shape " + a.shapeString());
        }
        return finite(file, name, a.floats());
    }

    private static float[][] matrix(Path file, String name, Object o) throws IOException {
        if (!(o instanceof NdArray a)) {
            throw new IOException(file + ": " + name + " is missing or not an array");
        }
        if (a.ndim() != 2 || a.shape()[0] == 0 || a.shape()[1] == 0) {
            throw new IOException(file + ": " + name + " must be a non-empty 2-D array, has shape " + a.shapeString());
        }
        float[][] m = a.matrix(name);
        for (float[] row : m) {
            finite(file, name, row);
        }
        return m;
    }

    private static float[] finite(Path file, String name, float[] v) throws IOException {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IOException(file + ": " + name + " holds a non-finite value at index " + i);
            }
        }
        return v;
    }

    private static void check(Path dir, float[] mean, float[] scale, float[][] comps, float[][] protos, float[] scores,
                              double logit) throws IOException {
        int d = mean.length, m = comps.length;
        if (comps[0].length != d) {
            throw new IOException(dir + ": PCA components have " + comps[0].length + " columns but the PCA mean has " + d
                    + " values");
        }
        if (scale.length != 1 && scale.length != d) {
            throw new IOException(dir + ": pca_scale has " + scale.length + " values; expected 1 or " + d);
        }
        for (int i = 0; i < scale.length; i++) {
            if (scale[i] == 0) {
                throw new IOException(dir + ": pca_scale[" + i + "] is 0");
            }
        }
        if (protos[0].length != m) {
            throw new IOException(dir + ": prototypes have dimension " + protos[0].length + " but PCA gives " + m);
        }
        if (protos.length != scores.length) {
            throw new IOException(dir + ": " + protos.length + " prototypes but " + scores.length + " proto_scores");
        }
        if (!(logit > 0) || !Double.isFinite(logit)) {
            throw new IOException(dir + ": logit_scale must be positive and finite, got " + logit);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The HF CLIP folder best/, or null when the release has none. */
    public Path bestDir() {
        Path b = dir.resolve("best");
        return Files.isDirectory(b) ? b : null;
    }

    /**
     * CLIP weights from ckpt.pt with the "clip." prefix removed (Hugging Face CLIPModel names such as
     * vision_model.embeddings.patch_embedding.weight); they override best/'s weights. Empty without ckpt.pt.
     * Tensors are lazy and readable while this release is open.
     */
    public Map<String, TorchTensor> clipWeights() {
        return clip;
    }

    /** Which file each head value came from (for the import report). */
    public Map<String, String> provenance() {
        return provenance;
    }

    public float[] pcaMean() {
        return pcaMean.clone();
    }

    public float[] pcaScale() {
        return pcaScale.clone();
    }

    public float[][] pcaComponents() {
        return pcaComponents;
    }

    public float[][] prototypes() {
        return prototypes;
    }

    public float[] protoScores() {
        return protoScores.clone();
    }

    public double logitScale() {
        return logitScale;
    }

    /**
     * Their head as ours: 1/|scale_d| (per input dimension, or one scalar) is folded into the components
     * (U'_jd = U_jd/|scale_d|), so pcaScale becomes 1; μ = prototypes, f = proto_scores,
     * τ = 1/logit_scale (RAW) or 1/exp(logit_scale) (EXP). Scores are identical to their forward.
     */
    public HeadParams toHeadParams(LogitScale mode) {
        float[][] folded = new float[pcaComponents.length][];
        for (int j = 0; j < folded.length; j++) {
            float[] row = pcaComponents[j];
            folded[j] = new float[row.length];
            for (int d = 0; d < row.length; d++) {
                float s = Math.abs(pcaScale.length == 1 ? pcaScale[0] : pcaScale[d]);
                folded[j][d] = (float) (row[d] / (double) s);
            }
        }
        float[][] mu = new float[prototypes.length][];
        for (int i = 0; i < mu.length; i++) {
            mu[i] = prototypes[i].clone();
        }
        double scale = mode == LogitScale.EXP ? Math.exp(logitScale) : logitScale;
        return new HeadParams(pcaMean.clone(), 1f, folded, mu, protoScores.clone(), 1.0 / scale);
    }

    public ScoreHead toScoreHead() {
        return toHeadParams(LogitScale.RAW).toScoreHead();
    }

    /** Their forward computed literally (reference for tests and the import check), logit_scale used as stored. */
    public double referenceScore(float[] e) {
        int m = pcaComponents.length;
        double[] x = new double[m];
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int d = 0; d < e.length; d++) {
                double sc = Math.abs(pcaScale.length == 1 ? pcaScale[0] : pcaScale[d]);
                s += (e[d] - pcaMean[d]) / sc * pcaComponents[j][d];
            }
            x[j] = s;
        }
        double xn = Math.max(norm(x), 1e-12);
        double[] logits = new double[prototypes.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < prototypes.length; i++) {
            double[] p = new double[m];
            for (int j = 0; j < m; j++) {
                p[j] = prototypes[i][j];
            }
            double pn = Math.max(norm(p), 1e-12);
            double dot = 0;
            for (int j = 0; j < m; j++) {
                dot += x[j] / xn * p[j] / pn;
            }
            logits[i] = dot * logitScale;
            max = Math.max(max, logits[i]);
        }
        double sum = 0, acc = 0;
        for (int i = 0; i < logits.length; i++) {
            double w = Math.exp(logits[i] - max);
            sum += w;
            acc += w * protoScores[i];
        }
        return acc / sum;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Override
    public void close() throws IOException {
        if (ckpt != null) {
            ckpt.close();
        }
    }
}
