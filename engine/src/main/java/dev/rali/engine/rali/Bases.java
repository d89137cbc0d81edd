package dev.rali.engine.rali;

import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The K basis pairs {μ_i, f_i} of paper Eq. 2: μ_i a centroid in the compressed space (M-d, not normalised; the
 * score head normalises), f_i the mean ground-truth score of its members. File format (safetensors), named as
 * the released {@code basis.npz}: {@code vectors [K,M]} F32, {@code scores [K]} F32, optional
 * {@code cluster_sizes [K]} I64.
 */
public record Bases(float[][] mu, float[] f, long[] clusterSizes) {

    public Bases {
        if (mu == null || f == null || mu.length == 0 || mu.length != f.length) {
            throw new IllegalArgumentException("bases: " + (mu == null ? 0 : mu.length) + " vectors μ but "
                    + (f == null ? 0 : f.length) + " scores f");
        }
        int m = mu[0].length;
        for (int i = 0; i < mu.length; i++) {
            if (mu[i].length != m) {
                throw new IllegalArgumentException("bases: μ_" + i + " has dimension " + mu[i].length + ", μ_0 has " + m);
            }
        }
        if (clusterSizes != null && clusterSizes.length != f.length) {
            throw new IllegalArgumentException("bases: " + clusterSizes.length + " cluster sizes for " + f.length + " bases");
        }
    }

    /** Bases without cluster sizes (e.g. after the score definition moved them). */
    public Bases(float[][] mu, float[] f) {
        this(mu, f, null);
    }

    public int count() {
        return f.length;
    }

    public int dim() {
        return mu[0].length;
    }

    public void save(Path file) throws IOException {
        save(file, java.util.Map.of());
    }

    /** Writes the bases with extra string metadata (e.g. the fingerprint of the inputs they were fitted to). */
    public void save(Path file, java.util.Map<String, String> metadata) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer();
        metadata.forEach(w::metadata);
        w.putFloats("vectors", HeadParams.flatten(mu), mu.length, dim());
        w.putFloats("scores", f, f.length);
        if (clusterSizes != null) {
            w.putLongs("cluster_sizes", clusterSizes, clusterSizes.length);
        }
        w.write(file);
    }

    public static Bases load(Path file) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            if (!r.has("vectors") || !r.has("scores")) {
                throw new IOException(file + ": not a bases file (needs tensors 'vectors' and 'scores')");
            }
            Safetensors.TensorInfo t = r.info("vectors");
            if (t.shape().length != 2) {
                throw new IOException(file + ": vectors has shape " + t.shapeString() + ", expected [K, M]");
            }
            int k = (int) t.shape()[0];
            int m = (int) t.shape()[1];
            float[] flat = r.floats("vectors");
            float[] f = r.floats("scores");
            if (f.length != k) {
                throw new IOException(file + ": " + f.length + " scores for " + k + " vectors");
            }
            float[][] mu = new float[k][m];
            for (int i = 0; i < k; i++) {
                System.arraycopy(flat, i * m, mu[i], 0, m);
            }
            for (float v : flat) {
                if (!Float.isFinite(v)) {
                    throw new IOException(file + ": vectors hold a non-finite value");
                }
            }
            for (int i = 0; i < k; i++) {
                if (!Float.isFinite(f[i])) {
                    throw new IOException(file + ": scores[" + i + "] is " + f[i]);
                }
            }
            long[] sizes = r.has("cluster_sizes") ? r.longs("cluster_sizes") : null;
            if (sizes != null && sizes.length != k) {
                throw new IOException(file + ": cluster_sizes has " + sizes.length + " entries for " + k + " bases");
            }
            return new Bases(mu, f, sizes);
        }
    }
}
