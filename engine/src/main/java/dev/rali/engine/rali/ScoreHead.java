package dev.rali.engine.rali;

import java.util.Objects;

/**
 * Inference of RALI's score definition (paper Eq. 3), the part of a model bundle after the CLIP image encoder:
 * <pre>
 *   z   = ((e - pcaMean) / |pcaScale|) · Uᵀ          compression, U = pcaComponents [M x D]   (Stage C)
 *   w_i = softmax_i( cos(z, μ_i) / τ )               τ = 1 / logitScale                        (Eq. 3)
 *   ŝ   = Σ_i w_i f_i
 * </pre>
 * This is also the official release's scorer (x = ((e − mean)/|scale|)·componentsᵀ, L2-normalised x and
 * prototypes, softmax of cosine·logit_scale, weighted proto_scores), so an imported release scores identically.
 * Without PCA (ablation) pcaComponents is null and z = e - pcaMean. Immutable and thread-safe.
 */
public final class ScoreHead {
    private final float[] pcaMean;        // [D]
    private final float pcaScale;         // scalar |scale| divisor, 1 for a plain PCA
    private final float[][] pcaComponents; // [M][D] or null (no compression)
    private final float[][] mu;           // [K][M] basis centroids μ_i, stored L2-normalised
    private final float[] f;              // [K] basis scores f_i
    private final double logitScale;      // 1/τ

    public ScoreHead(float[] pcaMean, float pcaScale, float[][] pcaComponents, float[][] mu, float[] f, double tau) {
        this.pcaMean = Objects.requireNonNull(pcaMean, "pcaMean").clone();
        this.pcaScale = Math.abs(pcaScale);
        this.pcaComponents = pcaComponents;
        int m = pcaComponents == null ? pcaMean.length : pcaComponents.length;
        if (pcaComponents != null) {
            for (float[] row : pcaComponents) {
                if (row.length != pcaMean.length) {
                    throw new IllegalArgumentException("pca_components rows have " + row.length + " columns, pca_mean has "
                            + pcaMean.length);
                }
            }
        }
        if (mu.length == 0 || mu.length != f.length) {
            throw new IllegalArgumentException("bases: " + mu.length + " centroids μ but " + f.length + " scores f");
        }
        this.mu = new float[mu.length][];
        for (int i = 0; i < mu.length; i++) {
            if (mu[i].length != m) {
                throw new IllegalArgumentException("basis μ_" + i + " has dimension " + mu[i].length + ", expected " + m);
            }
            this.mu[i] = normalised(mu[i]);
        }
        this.f = f.clone();
        if (!(tau > 0) || !Double.isFinite(tau)) {
            throw new IllegalArgumentException("temperature τ must be positive and finite, got " + tau);
        }
        if (this.pcaScale == 0 || !Float.isFinite(this.pcaScale)) {
            throw new IllegalArgumentException("pca scale must be non-zero and finite, got " + pcaScale);
        }
        this.logitScale = 1.0 / tau;
    }

    /** Embedding dimension D the head expects (768 for ViT-L/14). */
    public int inputDim() {
        return pcaMean.length;
    }

    /** Compressed dimension M (512 in the paper). */
    public int compressedDim() {
        return pcaComponents == null ? pcaMean.length : pcaComponents.length;
    }

    public int numBases() {
        return f.length;
    }

    public double tau() {
        return 1.0 / logitScale;
    }

    /** Stage C: z = ((e - mean)/|scale|) Uᵀ. */
    public float[] compress(float[] e) {
        if (e.length != pcaMean.length) {
            throw new IllegalArgumentException("embedding has dimension " + e.length + ", the model expects " + pcaMean.length);
        }
        double[] c = new double[e.length];
        for (int d = 0; d < e.length; d++) {
            c[d] = (e[d] - pcaMean[d]) / pcaScale;
        }
        if (pcaComponents == null) {
            float[] z = new float[c.length];
            for (int d = 0; d < c.length; d++) {
                z[d] = (float) c[d];
            }
            return z;
        }
        float[] z = new float[pcaComponents.length];
        for (int j = 0; j < z.length; j++) {
            float[] u = pcaComponents[j];
            double s = 0;
            for (int d = 0; d < c.length; d++) {
                s += c[d] * u[d];
            }
            z[j] = (float) s;
        }
        return z;
    }

    /** The basis weights w (Eq. 3) for one embedding. */
    public double[] weights(float[] e) {
        float[] z = normalised(compress(e));
        double[] logits = new double[mu.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < mu.length; i++) {
            double cos = 0;
            for (int j = 0; j < z.length; j++) {
                cos += (double) z[j] * mu[i][j];
            }
            logits[i] = cos * logitScale;
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            logits[i] = Math.exp(logits[i] - max);
            sum += logits[i];
        }
        for (int i = 0; i < logits.length; i++) {
            logits[i] /= sum;
        }
        return logits;
    }

    /** The predicted quality score ŝ = Σ w_i f_i. */
    public double score(float[] embedding) {
        double[] w = weights(embedding);
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += w[i] * f[i];
        }
        return s;
    }

    private static float[] normalised(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.sqrt(n);
        float[] out = new float[v.length];
        if (n < 1e-12) { // torch's F.normalize clamps the norm at eps=1e-12
            n = 1e-12;
        }
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }
}
