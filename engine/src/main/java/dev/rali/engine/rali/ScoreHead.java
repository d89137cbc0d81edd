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
    private final double[][] mu;          // [K][M] basis centroids μ_i, L2-normalised in float like the release
    private final double[] f;             // [K] basis scores f_i
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
        this.mu = new double[mu.length][];
        for (int i = 0; i < mu.length; i++) {
            if (mu[i].length != m) {
                throw new IllegalArgumentException("basis μ_" + i + " has dimension " + mu[i].length + ", expected " + m);
            }
            this.mu[i] = ScoreFunction.widen(ScoreFunction.normaliseToFloat(mu[i]));
        }
        this.f = ScoreFunction.widen(f);
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
        return Compression.project(e, pcaMean, pcaScale, pcaComponents);
    }

    /** The basis weights w (Eq. 3) for one embedding. */
    public double[] weights(float[] e) {
        double[] w = new double[mu.length];
        eq3(e, w);
        return w;
    }

    /** The predicted quality score ŝ = Σ w_i f_i. */
    public double score(float[] embedding) {
        return eq3(embedding, new double[mu.length]);
    }

    private double eq3(float[] e, double[] w) {
        double[] x = ScoreFunction.widen(ScoreFunction.normaliseToFloat(compress(e)));
        return ScoreFunction.forward(x, mu, f, logitScale, new double[mu.length], w);
    }
}
