package dev.rali.engine.rali;

import java.util.stream.IntStream;

/**
 * Eq. 3 of the paper, the one place its forward math lives (the fit in {@link ScoreDefinition} and inference in
 * {@link ScoreHead} both call it):
 * <pre>
 *   x̂ = z/|z|,  μ̂_i = μ_i/|μ_i|,  c_i = x̂·μ̂_i,  w = softmax(a·c),  a = 1/τ,  ŝ = Σ_i w_i f_i
 * </pre>
 * Sums run in double in index order, so training's evaluation and the scorer agree bit for bit on the same inputs.
 * Norms are clamped at 1e-12 like torch's {@code F.normalize}.
 */
public final class ScoreFunction {
    private static final double EPS = 1e-12;

    private ScoreFunction() { }

    /**
     * ŝ for one sample x̂ against normalised bases μ̂ (rows), scores f and logit scale a = 1/τ; fills c (cosines)
     * and w (softmax weights), each of length K.
     */
    static double forward(double[] x, double[][] mh, double[] f, double a, double[] c, double[] w) {
        int k = mh.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double[] u = mh[i];
            double dot = 0;
            for (int j = 0; j < x.length; j++) {
                dot += x[j] * u[j];
            }
            c[i] = dot;
            max = Math.max(max, a * dot);
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            w[i] = Math.exp(a * c[i] - max);
            sum += w[i];
        }
        double sh = 0;
        for (int i = 0; i < k; i++) {
            w[i] /= sum;
            sh += w[i] * f[i];
        }
        return sh;
    }

    /** Scores of compressed embeddings under bases (mu, f) and temperature tau, all in double. */
    public static double[] predict(float[][] z, float[][] mu, float[] f, double tau) {
        double[][] x = normalise(z);
        double[][] mh = normalise(mu);
        double[] fd = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            fd[i] = f[i];
        }
        return predict(x, mh, fd, 1.0 / tau);
    }

    /** Scores of normalised samples x̂ under normalised bases μ̂, f and logit scale a. */
    static double[] predict(double[][] x, double[][] mh, double[] f, double a) {
        double[] out = new double[x.length];
        IntStream.range(0, x.length).parallel().forEach(b -> out[b] = forward(x[b], mh, f, a,
                new double[mh.length], new double[mh.length]));
        return out;
    }

    /** Rows scaled to unit length, in double. */
    static double[][] normalise(float[][] z) {
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double[] v = new double[z[i].length];
            double nn = 0;
            for (int j = 0; j < v.length; j++) {
                v[j] = z[i][j];
                nn += v[j] * v[j];
            }
            double n = Math.max(Math.sqrt(nn), EPS);
            for (int j = 0; j < v.length; j++) {
                v[j] /= n;
            }
            out[i] = v;
        }
        return out;
    }

    /** Rows scaled to unit length. */
    static double[][] normalise(double[][] z) {
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double nn = 0;
            for (double v : z[i]) {
                nn += v * v;
            }
            double n = Math.max(Math.sqrt(nn), EPS);
            out[i] = new double[z[i].length];
            for (int j = 0; j < z[i].length; j++) {
                out[i][j] = z[i][j] / n;
            }
        }
        return out;
    }

    /**
     * A vector scaled to unit length and rounded to float, as the released float32 scorer does (the norm itself in
     * double). Inference ({@link ScoreHead}) normalises this way, training in double.
     */
    static float[] normaliseToFloat(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.max(Math.sqrt(n), EPS);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }

    static double[] widen(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
