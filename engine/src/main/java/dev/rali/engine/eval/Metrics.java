package dev.rali.engine.eval;

import java.util.Arrays;

/**
 * The IQA correlation metrics of the paper's tables (PLCC, SRCC) plus KRCC and RMSE, computed exactly the way
 * scipy.stats does: Pearson, Spearman on average ranks (ties share the mean of their positions), Kendall tau-b
 * (tie-corrected) and the root-mean-square error of {@code pred - mos}.
 *
 * <p>Every method checks its input: equal lengths, at least 3 pairs, no NaN/infinity (the message names the index).
 * A constant input has no defined correlation and yields {@code NaN}, as scipy does.
 */
public final class Metrics {
    /** Smallest sample a correlation is reported for. */
    public static final int MIN_N = 3;

    private Metrics() { }

    /** Pearson linear correlation coefficient (raw, no logistic mapping; see {@link LogisticFit} for the fitted one). */
    public static double plcc(double[] pred, double[] mos) {
        check(pred, mos);
        return pearson(pred, mos);
    }

    /** Spearman rank correlation: Pearson on average ranks (scipy.stats.spearmanr). */
    public static double srcc(double[] pred, double[] mos) {
        check(pred, mos);
        return pearson(ranks(pred), ranks(mos));
    }

    /** Kendall tau-b (scipy.stats.kendalltau default), O(n log n) with Knight's merge-sort algorithm. */
    public static double krcc(double[] pred, double[] mos) {
        check(pred, mos);
        return kendallTauB(pred, mos);
    }

    /** Root-mean-square error of {@code pred - mos} (raw scales; both should be on [1, 5]). */
    public static double rmse(double[] pred, double[] mos) {
        check(pred, mos);
        return rmseUnchecked(pred, mos);
    }

    /**
     * Validates a prediction/MOS pair: same length, n &gt;= {@value #MIN_N}, every value finite.
     *
     * @throws IllegalArgumentException naming the problem (and the index for non-finite values)
     */
    public static void check(double[] pred, double[] mos) {
        if (pred == null || mos == null) {
            throw new IllegalArgumentException("predictions and MOS must not be null");
        }
        if (pred.length != mos.length) {
            throw new IllegalArgumentException("predictions and MOS differ in length: " + pred.length + " vs " + mos.length);
        }
        if (pred.length < MIN_N) {
            throw new IllegalArgumentException("need at least " + MIN_N + " prediction/MOS pairs for correlation metrics, got "
                    + pred.length);
        }
        for (int i = 0; i < pred.length; i++) {
            if (!Double.isFinite(pred[i])) {
                throw new IllegalArgumentException("prediction at index " + i + " is " + pred[i] + " (must be a finite number)");
            }
            if (!Double.isFinite(mos[i])) {
                throw new IllegalArgumentException("MOS at index " + i + " is " + mos[i] + " (must be a finite number)");
            }
        }
    }

    // ---- unchecked kernels (also used by the bootstrap on already-validated data) ----

    static double rmseUnchecked(double[] a, double[] b) {
        double k = Math.min(overflowScale(a), overflowScale(b));
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] * k - b[i] * k;
            s += d * d;
        }
        return Math.sqrt(s / a.length) / k;
    }

    /**
     * 1, or for values so large that sums of squares would overflow (above 1e150) the power of two that brings the
     * largest near 1. Multiplying by a power of two only changes exponents, so ordinary data is computed exactly as
     * before and huge values give the right correlation instead of -0 or NaN.
     */
    static double overflowScale(double[] v) {
        double max = 0;
        for (double d : v) {
            max = Math.max(max, Math.abs(d));
        }
        return max > 1e150 ? Math.scalb(1.0, -Math.getExponent(max) - 1) : 1;
    }

    private static double[] scaled(double[] v, double k) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * k;
        }
        return out;
    }

    static double pearson(double[] x, double[] y) {
        double kx = overflowScale(x);
        double ky = overflowScale(y);
        return kx == 1 && ky == 1 ? pearsonKernel(x, y) : pearsonKernel(scaled(x, kx), scaled(y, ky));
    }

    private static double pearsonKernel(double[] x, double[] y) {
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        // centred sums: numerically stable for MOS-sized values
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) {
            return Double.NaN;
        }
        double r = sxy / Math.sqrt(sxx * syy);
        return Math.max(-1.0, Math.min(1.0, r));
    }

    /** Average ranks, 1-based (scipy.stats.rankdata method='average'). */
    static double[] ranks(double[] v) {
        int n = v.length;
        int[] order = argsort(v, identity(n));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1.0;
            for (int k = i; k <= j; k++) {
                r[order[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Stable merge sort of the index array {@code idx} by {@code key[idx]} (no boxing: bootstrap calls this a lot). */
    static int[] argsort(double[] key, int[] idx) {
        int[] tmp = new int[idx.length];
        mergeSort(idx, tmp, 0, idx.length, key);
        return idx;
    }

    private static void mergeSort(int[] a, int[] tmp, int lo, int hi, double[] key) {
        if (hi - lo < 2) {
            return;
        }
        if (hi - lo <= 24) { // insertion sort for short runs (stable)
            for (int i = lo + 1; i < hi; i++) {
                int v = a[i];
                double kv = key[v];
                int j = i - 1;
                while (j >= lo && key[a[j]] > kv) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(a, tmp, lo, mid, key);
        mergeSort(a, tmp, mid, hi, key);
        if (key[a[mid - 1]] <= key[a[mid]]) {
            return;
        }
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) {
            tmp[k++] = key[a[j]] < key[a[i]] ? a[j++] : a[i++];
        }
        while (i < mid) {
            tmp[k++] = a[i++];
        }
        while (j < hi) {
            tmp[k++] = a[j++];
        }
        System.arraycopy(tmp, lo, a, lo, hi - lo);
    }

    static double kendallTauB(double[] x, double[] y) {
        int n = x.length;
        // lexicographic (x, y) order: stable sort by y, then stable sort by x
        int[] idx = argsort(x, argsort(y, identity(n)));
        long n0 = (long) n * (n - 1) / 2;
        long tiesX = 0, tiesXY = 0;
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && x[idx[j]] == x[idx[i]]) {
                j++;
            }
            long t = j - i;
            tiesX += t * (t - 1) / 2;
            for (int a = i; a < j; ) {
                int b = a + 1;
                while (b < j && y[idx[b]] == y[idx[a]]) {
                    b++;
                }
                long u = b - a;
                tiesXY += u * (u - 1) / 2;
                a = b;
            }
            i = j;
        }
        // merge sort by y counting discordant swaps
        long swaps = mergeSortCount(idx, new int[n], 0, n, y);
        long tiesY = 0;
        for (int i = 0; i < n; ) {
            int j = i + 1;
            while (j < n && y[idx[j]] == y[idx[i]]) {
                j++;
            }
            long t = j - i;
            tiesY += t * (t - 1) / 2;
            i = j;
        }
        double denomX = n0 - tiesX, denomY = n0 - tiesY;
        if (denomX == 0 || denomY == 0) {
            return Double.NaN;
        }
        // concordant - discordant = n0 - tiesX - tiesY + tiesXY - 2 * swaps
        double s = (double) n0 - tiesX - tiesY + tiesXY - 2.0 * swaps;
        double tau = s / Math.sqrt(denomX) / Math.sqrt(denomY);
        return Math.max(-1.0, Math.min(1.0, tau));
    }

    private static long mergeSortCount(int[] a, int[] tmp, int lo, int hi, double[] key) {
        if (hi - lo < 2) {
            return 0;
        }
        int mid = (lo + hi) >>> 1;
        long swaps = mergeSortCount(a, tmp, lo, mid, key) + mergeSortCount(a, tmp, mid, hi, key);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) {
            if (key[a[i]] <= key[a[j]]) {
                tmp[k++] = a[i++];
            } else {
                swaps += mid - i; // a[j] jumps over every remaining left element: strictly greater in y
                tmp[k++] = a[j++];
            }
        }
        while (i < mid) {
            tmp[k++] = a[i++];
        }
        while (j < hi) {
            tmp[k++] = a[j++];
        }
        System.arraycopy(tmp, lo, a, lo, hi - lo);
        return swaps;
    }
}
