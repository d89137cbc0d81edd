package dev.rali.engine.analysis.saliency;

import dev.rali.engine.clip.FloatTensor;

import java.util.List;

/**
 * Attention rollout (Abnar &amp; Zuidema 2020) of a ViT: per layer the heads' mean attention A, the residual folded
 * in as 0.5·A + 0.5·I with rows renormalised, and the layers multiplied from the first to the last. The class
 * token's row over the patch tokens says how much each patch flows into the pooled embedding.
 * Checked against a NumPy computation ({@code bench/attention_rollout.py}).
 */
public final class AttentionRollout {
    private AttentionRollout() { }

    /** The rolled-out [T, T] matrix from per-layer attentions [heads, T, T] (first layer first). */
    public static double[][] rollout(List<FloatTensor> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no attention layers");
        }
        int t = (int) layers.get(0).shape()[1];
        double[][] r = identity(t);
        for (FloatTensor a : layers) {
            long[] s = a.shape();
            if (s.length != 3 || s[1] != t || s[2] != t) {
                throw new IllegalArgumentException("attention of shape " + java.util.Arrays.toString(s)
                        + ", expected [heads, " + t + ", " + t + "]");
            }
            int h = (int) s[0];
            float[] d = a.data();
            double[][] m = new double[t][t];
            for (int i = 0; i < t; i++) {
                double sum = 0;
                for (int j = 0; j < t; j++) {
                    double mean = 0;
                    for (int k = 0; k < h; k++) {
                        mean += d[(k * t + i) * t + j];
                    }
                    m[i][j] = 0.5 * mean / h + (i == j ? 0.5 : 0);
                    sum += m[i][j];
                }
                for (int j = 0; j < t; j++) {
                    m[i][j] /= sum;
                }
            }
            r = multiply(m, r);
        }
        return r;
    }

    /** The class token's rollout over the patches as a [grid][grid] map (patches row-major after the class token). */
    public static double[][] classTokenMap(List<FloatTensor> layers, int grid) {
        double[][] r = rollout(layers);
        if (r.length != grid * grid + 1) {
            throw new IllegalArgumentException(r.length + " tokens do not make a class token and a " + grid + "x" + grid
                    + " patch grid");
        }
        double[][] map = new double[grid][grid];
        for (int p = 0; p < grid * grid; p++) {
            map[p / grid][p % grid] = r[0][p + 1];
        }
        return map;
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double v = a[i][k];
                if (v == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    c[i][j] += v * b[k][j];
                }
            }
        }
        return c;
    }
}
