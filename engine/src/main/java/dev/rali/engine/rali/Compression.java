package dev.rali.engine.rali;

import dev.rali.engine.io.Safetensors;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stage C.2 (paper §4): PCA of the aligned image embeddings, D = 768 → M = 512. Like the released code's sklearn
 * PCA: centred on the training mean, not whitened, inputs not L2-normalised; ẑ = (e − mean) · Uᵀ with U the top-M
 * unit eigenvectors of the sample covariance (rows, M×D). Each component's sign is fixed so that its largest-|·|
 * entry is positive (deterministic; the head is invariant to the signs because the bases live in the same space).
 * <p>
 * {@link #centred(float[][])} is the "no PCA" ablation (Table 4 case 2): z = e − mean, the full D dimensions —
 * the ablation removes the dimensionality reduction only, not the centring PCA implies. {@link #identity(int)} is
 * z = e (no centring; a mean of zeros), kept for heads built by hand and files of older versions.
 * <p>
 * File format (safetensors): {@code pca_mean [D]}, {@code pca_components [M,D]} and
 * {@code pca_explained_variance [M]} (both absent for identity), metadata {@code total_variance}, {@code kind}.
 */
public final class Compression {
    private final float[] mean;
    private final float[][] components; // null = identity
    private final double[] explainedVariance;
    private final double totalVariance;

    private Compression(float[] mean, float[][] components, double[] explainedVariance, double totalVariance) {
        this.mean = mean;
        this.components = components;
        this.explainedVariance = explainedVariance;
        this.totalVariance = totalVariance;
    }

    /** No compression and no centring: z = e. */
    public static Compression identity(int dim) {
        if (dim < 1) {
            throw new IllegalArgumentException("identity compression needs a positive dimension, got " + dim);
        }
        return new Compression(new float[dim], null, null, Double.NaN);
    }

    /**
     * The "no PCA" ablation (paper Table 4 case 2): z = e − mean over {@code x} [n][D], no projection, so the only
     * difference from {@link #fit} is the dimensionality reduction.
     */
    public static Compression centred(float[][] x) {
        int d = Checks.matrix("embeddings to centre", x);
        double[] mu = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mu[j] += row[j];
            }
        }
        float[] meanF = new float[d];
        for (int j = 0; j < d; j++) {
            meanF[j] = (float) (mu[j] / x.length);
        }
        return new Compression(meanF, null, null, Double.NaN);
    }

    /**
     * Fits PCA to {@code x} [n][D], keeping min(m, n − 1, D) components. Explained variances use the n − 1
     * denominator (as sklearn). Reports progress to ctx and checks for cancellation between rows.
     */
    public static Compression fit(float[][] x, int m, TaskContext ctx) {
        int d = Checks.matrix("PCA input", x);
        int n = x.length;
        if (n < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 embeddings, got " + n);
        }
        if (m < 1) {
            throw new IllegalArgumentException("PCA dimension must be positive, got " + m);
        }
        int keep = Math.min(m, Math.min(n - 1, d));
        double[] mu = new double[d];
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                mu[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mu[j] /= n;
        }
        double[][] cov = new double[d][d];
        double[] c = new double[d];
        for (int i = 0; i < n; i++) {
            if ((i & 255) == 0) {
                ctx.checkCancelled();
                ctx.progress("pca", i, n, "covariance");
            }
            float[] row = x[i];
            for (int j = 0; j < d; j++) {
                c[j] = row[j] - mu[j];
            }
            for (int j = 0; j < d; j++) {
                double cj = c[j];
                double[] cr = cov[j];
                for (int k = j; k < d; k++) {
                    cr[k] += cj * c[k];
                }
            }
        }
        double total = 0;
        for (int j = 0; j < d; j++) {
            for (int k = j; k < d; k++) {
                cov[j][k] /= (n - 1);
                cov[k][j] = cov[j][k];
            }
            total += cov[j][j];
        }
        ctx.progress("pca", n, n, "eigen-decomposition of " + d + "x" + d);
        ctx.checkCancelled();
        SymmetricEigen eig = SymmetricEigen.of(cov);
        float[][] comps = new float[keep][d];
        double[] ev = new double[keep];
        for (int r = 0; r < keep; r++) {
            double[] v = eig.vectors[r];
            int arg = 0;
            for (int j = 1; j < d; j++) {
                if (Math.abs(v[j]) > Math.abs(v[arg])) {
                    arg = j;
                }
            }
            double sign = v[arg] < 0 ? -1 : 1;
            for (int j = 0; j < d; j++) {
                comps[r][j] = (float) (sign * v[j]);
            }
            ev[r] = Math.max(0, eig.values[r]);
        }
        float[] meanF = new float[d];
        for (int j = 0; j < d; j++) {
            meanF[j] = (float) mu[j];
        }
        return new Compression(meanF, comps, ev, total);
    }

    public boolean isIdentity() {
        return components == null;
    }

    /** No projection but a non-zero mean subtracted (the "no PCA" ablation's {@link #centred}). */
    public boolean isCentred() {
        if (components != null) {
            return false;
        }
        for (float v : mean) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }

    public int inputDim() {
        return mean.length;
    }

    public int outputDim() {
        return components == null ? mean.length : components.length;
    }

    public float[] mean() {
        return mean.clone();
    }

    /** Rows are the principal axes U [M][D]; null for identity. */
    public float[][] components() {
        if (components == null) {
            return null;
        }
        float[][] out = new float[components.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = components[i].clone();
        }
        return out;
    }

    /** Variance along each kept component (n − 1 denominator); null for identity. */
    public double[] explainedVariance() {
        return explainedVariance == null ? null : explainedVariance.clone();
    }

    /** Share of the total variance the kept components explain (1 for identity). */
    public double explainedVarianceRatio() {
        if (explainedVariance == null) {
            return 1.0;
        }
        double s = 0;
        for (double v : explainedVariance) {
            s += v;
        }
        return totalVariance > 0 ? s / totalVariance : 1.0;
    }

    /** z = (e − mean) · Uᵀ (e itself for identity). */
    public float[] apply(float[] e) {
        if (e == null || e.length != mean.length) {
            throw new IllegalArgumentException("embedding has dimension " + (e == null ? 0 : e.length)
                    + ", the compression expects " + mean.length);
        }
        return project(e, mean, 1f, components);
    }

    /**
     * The one projection of Stage C, shared with {@link ScoreHead#compress}: z = ((e − mean)/scale) · Uᵀ, the
     * centring and scaling in float and the dot products in double, so fit-time and scoring agree bit for bit.
     * components null = no projection (z = (e − mean)/scale). scale is 1 for our PCA; the official release stores
     * a |scale| divisor.
     */
    static float[] project(float[] e, float[] mean, float scale, float[][] components) {
        double[] c = new double[e.length];
        for (int d = 0; d < e.length; d++) {
            c[d] = (e[d] - mean[d]) / scale;
        }
        if (components == null) {
            float[] z = new float[c.length];
            for (int d = 0; d < c.length; d++) {
                z[d] = (float) c[d];
            }
            return z;
        }
        float[] z = new float[components.length];
        for (int j = 0; j < z.length; j++) {
            float[] u = components[j];
            double s = 0;
            for (int d = 0; d < c.length; d++) {
                s += c[d] * u[d];
            }
            z[j] = (float) s;
        }
        return z;
    }

    public float[][] applyAll(float[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = apply(x[i]);
        }
        return out;
    }

    public void save(Path file) throws IOException {
        save(file, java.util.Map.of());
    }

    /** Writes the compression with extra string metadata (e.g. the fingerprint of the data it was fitted to). */
    public void save(Path file, java.util.Map<String, String> metadata) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer();
        metadata.forEach(w::metadata);
        w.metadata("kind", components != null ? "pca" : isCentred() ? "centred" : "identity");
        w.putFloats("pca_mean", mean, mean.length);
        if (components != null) {
            w.putFloats("pca_components", HeadParams.flatten(components), components.length, mean.length);
            w.putDoubles("pca_explained_variance", explainedVariance, explainedVariance.length);
            w.metadata("total_variance", Double.toString(totalVariance));
        }
        w.write(file);
    }

    public static Compression load(Path file) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            if (!r.has("pca_mean")) {
                throw new IOException(file + ": not a PCA file (no tensor 'pca_mean')");
            }
            float[] mean = r.floats("pca_mean");
            if (!r.has("pca_components")) {
                boolean centred = "centred".equals(r.metadata().get("kind"));
                for (float v : mean) {
                    if (!Float.isFinite(v) || (!centred && v != 0)) {
                        throw new IOException(file + ": " + (centred ? "centred" : "identity")
                                + " compression with a " + (centred ? "non-finite" : "non-zero") + " pca_mean");
                    }
                }
                return centred ? new Compression(mean, null, null, Double.NaN) : identity(mean.length);
            }
            Safetensors.TensorInfo t = r.info("pca_components");
            if (t.shape().length != 2 || t.shape()[1] != mean.length) {
                throw new IOException(file + ": pca_components has shape " + t.shapeString() + ", expected [M, "
                        + mean.length + "]");
            }
            int m = (int) t.shape()[0];
            float[] flat = r.floats("pca_components");
            float[][] comps = new float[m][mean.length];
            for (int i = 0; i < m; i++) {
                System.arraycopy(flat, i * mean.length, comps[i], 0, mean.length);
            }
            for (float v : flat) {
                if (!Float.isFinite(v)) {
                    throw new IOException(file + ": pca_components holds a non-finite value");
                }
            }
            double[] ev = r.has("pca_explained_variance") ? r.doubles("pca_explained_variance") : new double[m];
            if (ev.length != m) {
                throw new IOException(file + ": pca_explained_variance has " + ev.length + " values for " + m
                        + " components");
            }
            double total = Double.parseDouble(r.metadata().getOrDefault("total_variance", "NaN"));
            return new Compression(mean, comps, ev, total);
        }
    }
}
