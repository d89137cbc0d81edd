package dev.rali.engine.rali;

import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The learned parameters after the image encoder: PCA (Stage C.2) and the bases μ, f with temperature τ
 * (Stages C.3/D). Stored in a bundle as {@code rali.safetensors} with tensors {@code pca_mean [D]},
 * {@code pca_scale []}, {@code pca_components [M,D]} (absent when PCA is off), {@code bases_mu [K,M]},
 * {@code bases_f [K]}, {@code tau []}.
 */
public record HeadParams(float[] pcaMean, float pcaScale, float[][] pcaComponents, float[][] mu, float[] f, double tau) {

    public ScoreHead toScoreHead() {
        return new ScoreHead(pcaMean, pcaScale, pcaComponents, mu, f, tau);
    }

    public int numBases() {
        return f.length;
    }

    public void write(Path file, java.util.Map<String, String> metadata) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer();
        metadata.forEach(w::metadata);
        w.putFloats("pca_mean", pcaMean, pcaMean.length);
        w.putFloats("pca_scale", new float[] {pcaScale});
        if (pcaComponents != null) {
            w.putFloats("pca_components", flatten(pcaComponents), pcaComponents.length, pcaMean.length);
        }
        int m = mu[0].length;
        w.putFloats("bases_mu", flatten(mu), mu.length, m);
        w.putFloats("bases_f", f, f.length);
        w.putFloats("tau", new float[] {(float) tau});
        w.write(file);
    }

    /** Reads and validates shapes; every problem names the file and the tensor. */
    public static HeadParams read(Path file) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            List<String> missing = new ArrayList<>();
            for (String name : List.of("pca_mean", "bases_mu", "bases_f", "tau")) {
                if (!r.has(name)) {
                    missing.add(name);
                }
            }
            if (!missing.isEmpty()) {
                throw new IOException(file + ": missing tensors " + missing);
            }
            float[] mean = r.floats("pca_mean");
            float scale = r.has("pca_scale") ? r.floats("pca_scale")[0] : 1f;
            float[][] comps = null;
            if (r.has("pca_components")) {
                comps = rows(r, file, "pca_components", mean.length);
            }
            int m = comps == null ? mean.length : comps.length;
            float[][] mu = rows(r, file, "bases_mu", m);
            float[] f = r.floats("bases_f");
            if (f.length != mu.length) {
                throw new IOException(file + ": bases_f has " + f.length + " scores but bases_mu has " + mu.length + " rows");
            }
            double tau = r.floats("tau")[0];
            for (int i = 0; i < f.length; i++) {
                if (!Float.isFinite(f[i])) {
                    throw new IOException(file + ": bases_f[" + i + "] is " + f[i]);
                }
            }
            if (!(tau > 0) || !Double.isFinite(tau)) {
                throw new IOException(file + ": tau must be positive and finite, got " + tau);
            }
            return new HeadParams(mean, scale, comps, mu, f, tau);
        }
    }

    private static float[][] rows(Safetensors.Reader r, Path file, String name, int cols) throws IOException {
        Safetensors.TensorInfo t = r.info(name);
        if (t.shape().length != 2 || t.shape()[1] != cols) {
            throw new IOException(file + ": " + name + " has shape " + t.shapeString() + ", expected [*, " + cols + "]");
        }
        float[] flat = r.floats(name);
        int n = (int) t.shape()[0];
        float[][] out = new float[n][cols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * cols, out[i], 0, cols);
            for (float v : out[i]) {
                if (!Float.isFinite(v)) {
                    throw new IOException(file + ": " + name + " row " + i + " holds a non-finite value");
                }
            }
        }
        return out;
    }

    static float[] flatten(float[][] m) {
        int cols = m[0].length;
        float[] out = new float[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * cols, cols);
        }
        return out;
    }
}
