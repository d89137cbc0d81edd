package dev.rali.engine.rali;

import dev.rali.engine.eval.Metrics;

/** Input checks shared by the stages: every message names the array, the row and the problem. */
final class Checks {
    private Checks() { }

    /** Requires a non-empty rectangular matrix of finite values; returns its column count. */
    static int matrix(String what, float[][] x) {
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException(what + ": no embeddings given");
        }
        int d = x[0] == null ? 0 : x[0].length;
        if (d == 0) {
            throw new IllegalArgumentException(what + ": embedding 0 is empty");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != d) {
                throw new IllegalArgumentException(what + ": embedding " + i + " has dimension "
                        + (x[i] == null ? 0 : x[i].length) + ", embedding 0 has " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Float.isFinite(x[i][j])) {
                    throw new IllegalArgumentException(what + ": embedding " + i + " holds a non-finite value ("
                            + x[i][j] + " at " + j + ")");
                }
            }
        }
        return d;
    }

    /** Requires finite scores, one per embedding. */
    static void scores(String what, double[] s, int n) {
        if (s == null) {
            throw new IllegalArgumentException(what + ": no scores given");
        }
        if (s.length != n) {
            throw new IllegalArgumentException(what + ": " + s.length + " scores for " + n + " embeddings");
        }
        for (int i = 0; i < s.length; i++) {
            if (!Double.isFinite(s[i])) {
                throw new IllegalArgumentException(what + ": score " + i + " is " + s[i]
                        + " (every training image needs a finite MOS)");
            }
        }
    }

    /** Pearson correlation via {@link Metrics#plcc}; NaN when either side is constant or n < 3. */
    static double plcc(double[] a, double[] b) {
        return a.length < Metrics.MIN_N ? Double.NaN : Metrics.plcc(a, b);
    }

    /** Spearman correlation via {@link Metrics#srcc}; NaN when either side is constant or n < 3. */
    static double srcc(double[] a, double[] b) {
        return a.length < Metrics.MIN_N ? Double.NaN : Metrics.srcc(a, b);
    }
}
