package dev.rali.engine.eval;

/**
 * PLCC, SRCC, KRCC and RMSE of a bootstrap resample given as multiplicities {@code counts[k]} of the original
 * pairs, without materialising or sorting it: the original data are sorted once, a resample's ranks follow from
 * walking that order with the counts (O(n)), and Kendall's discordant pairs are counted with a Fenwick tree
 * (O(n log n), integers only). Gives the same figures as {@link Metrics} on the expanded resample (up to rounding).
 */
final class ResampleMetrics {
    private final double[] x;
    private final double[] y;
    private final int n;
    private final int[] byXY; // indices in lexicographic (x, y) order
    private final int[] byY;  // indices in y order
    private final int[] yRank; // dense rank of y, 1-based for the Fenwick tree
    private final int distinctY;

    ResampleMetrics(double[] x, double[] y) {
        this.x = x;
        this.y = y;
        this.n = x.length;
        int[] id = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = i;
        }
        byY = Metrics.argsort(y, id.clone());
        byXY = Metrics.argsort(x, byY.clone());
        yRank = new int[n];
        int r = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || y[byY[i]] != y[byY[i - 1]]) {
                r++;
            }
            yRank[byY[i]] = r;
        }
        distinctY = r;
    }

    /** PLCC alone of the resample with these multiplicities. */
    double plcc(int[] counts) {
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        return weightedPearson(x, y, counts, total);
    }

    /** {PLCC, SRCC, KRCC, RMSE} of the resample with these multiplicities (they sum to the resample size). */
    double[] compute(int[] counts) {
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        double[] rx = averageRanks(byXY, x, counts);
        double[] ry = averageRanks(byY, y, counts);
        double se = 0;
        for (int k = 0; k < n; k++) {
            double d = x[k] - y[k];
            se += counts[k] * d * d;
        }
        return new double[] {weightedPearson(x, y, counts, total), weightedPearson(rx, ry, counts, total),
                tauB(counts, total), Math.sqrt(se / total)};
    }

    private static double[] averageRanks(int[] order, double[] v, int[] counts) {
        double[] r = new double[v.length];
        long pos = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            long c = counts[order[i]];
            while (j + 1 < order.length && v[order[j + 1]] == v[order[i]]) {
                j++;
                c += counts[order[j]];
            }
            double avg = pos + (c + 1) / 2.0;
            for (int k = i; k <= j; k++) {
                r[order[k]] = avg;
            }
            pos += c;
            i = j + 1;
        }
        return r;
    }

    private static double weightedPearson(double[] a, double[] b, int[] w, long total) {
        double ma = 0, mb = 0;
        for (int k = 0; k < a.length; k++) {
            ma += w[k] * a[k];
            mb += w[k] * b[k];
        }
        ma /= total;
        mb /= total;
        double sab = 0, saa = 0, sbb = 0;
        for (int k = 0; k < a.length; k++) {
            if (w[k] == 0) {
                continue;
            }
            double da = a[k] - ma, db = b[k] - mb;
            sab += w[k] * da * db;
            saa += w[k] * da * da;
            sbb += w[k] * db * db;
        }
        if (saa == 0 || sbb == 0) {
            return Double.NaN;
        }
        return Math.max(-1.0, Math.min(1.0, sab / Math.sqrt(saa * sbb)));
    }

    private double tauB(int[] counts, long total) {
        long n0 = total * (total - 1) / 2;
        long tiesX = 0, tiesXY = 0, tiesY = 0, discordant = 0;
        long[] fenwick = new long[distinctY + 1];
        long inserted = 0;
        int i = 0;
        while (i < n) {
            int j = i; // x-group [i, j]
            while (j + 1 < n && x[byXY[j + 1]] == x[byXY[i]]) {
                j++;
            }
            long cx = 0;
            for (int a = i; a <= j; ) {
                int b = a;
                long cxy = counts[byXY[a]];
                while (b + 1 <= j && y[byXY[b + 1]] == y[byXY[a]]) {
                    b++;
                    cxy += counts[byXY[b]];
                }
                tiesXY += cxy * (cxy - 1) / 2;
                cx += cxy;
                a = b + 1;
            }
            tiesX += cx * (cx - 1) / 2;
            // pairs with a strictly smaller x already inserted: discordant when their y is strictly greater
            for (int a = i; a <= j; a++) {
                int k = byXY[a];
                if (counts[k] != 0) {
                    discordant += counts[k] * (inserted - prefix(fenwick, yRank[k]));
                }
            }
            for (int a = i; a <= j; a++) {
                int k = byXY[a];
                if (counts[k] != 0) {
                    for (int p = yRank[k]; p <= distinctY; p += p & -p) {
                        fenwick[p] += counts[k];
                    }
                    inserted += counts[k];
                }
            }
            i = j + 1;
        }
        for (int a = 0; a < n; ) {
            int b = a;
            long c = counts[byY[a]];
            while (b + 1 < n && y[byY[b + 1]] == y[byY[a]]) {
                b++;
                c += counts[byY[b]];
            }
            tiesY += c * (c - 1) / 2;
            a = b + 1;
        }
        double dx = n0 - tiesX, dy = n0 - tiesY;
        if (dx == 0 || dy == 0) {
            return Double.NaN;
        }
        double s = (double) n0 - tiesX - tiesY + tiesXY - 2.0 * discordant;
        return Math.max(-1.0, Math.min(1.0, s / Math.sqrt(dx) / Math.sqrt(dy)));
    }

    private static long prefix(long[] f, int p) {
        long s = 0;
        for (; p > 0; p -= p & -p) {
            s += f[p];
        }
        return s;
    }
}
