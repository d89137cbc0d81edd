package dev.rali.engine.analysis;

import dev.rali.engine.eval.Metrics;
import dev.rali.engine.task.TaskContext;
import smile.classification.LogisticRegression;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The numbers no figure gives: how well a linear classifier tells the datasets apart, the kernel two-sample
 * distance between each pair (MMD²), whether nearest neighbours in the space share quality, and how much of the
 * neighbourhood structure a 2-D map keeps. Plain functions on double matrices; callers subsample.
 */
public final class GapStatistics {
    /** L2 penalty of the domain classifier (on standardised features): keeps separable folds finite. */
    static final double CLASSIFIER_LAMBDA = 0.1;

    private GapStatistics() { }

    /** Cross-validated accuracy of the domain classifier and the accuracy of always guessing the largest class. */
    public record ClassifierScore(double accuracy, double chance, int folds, int n) { }

    /**
     * Stratified k-fold cross-validated multinomial logistic regression (Smile, L-BFGS) predicting the group from
     * the embedding; features standardised on each training fold. Needs at least two groups with at least two
     * rows each; folds are reduced to the smallest group's size.
     */
    public static ClassifierScore domainClassifier(double[][] x, int[] y, int folds, long seed, TaskContext ctx) {
        int k = Arrays.stream(y).max().orElse(-1) + 1;
        int[] counts = new int[k];
        for (int c : y) {
            counts[c]++;
        }
        int smallest = Arrays.stream(counts).min().orElse(0);
        if (k < 2 || smallest < 2) {
            throw new IllegalArgumentException("the domain classifier needs at least two datasets with two rows each"
                    + " (sizes " + Arrays.toString(counts) + ")");
        }
        int f = Math.min(folds, smallest);
        int[] fold = stratifiedFolds(y, k, f, new Random(seed));
        int correct = 0;
        for (int t = 0; t < f; t++) {
            ctx.checkCancelled();
            ctx.progress("domain classifier", t, f, "fold " + (t + 1) + "/" + f);
            List<Integer> tr = new ArrayList<>();
            List<Integer> te = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                (fold[i] == t ? te : tr).add(i);
            }
            double[][] xtr = rows(x, tr);
            int[] ytr = tr.stream().mapToInt(i -> y[i]).toArray();
            double[][] std = standardiser(xtr);
            LogisticRegression lr = LogisticRegression.fit(apply(std, xtr), ytr, CLASSIFIER_LAMBDA, 1e-5, 500);
            for (int i : te) {
                if (lr.predict(apply(std, x[i])) == y[i]) {
                    correct++;
                }
            }
        }
        ctx.progress("domain classifier", f, f, "done");
        int max = Arrays.stream(counts).max().getAsInt();
        return new ClassifierScore((double) correct / y.length, (double) max / y.length, f, y.length);
    }

    static int[] stratifiedFolds(int[] y, int k, int folds, Random rnd) {
        int[] fold = new int[y.length];
        for (int c = 0; c < k; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                if (y[i] == c) {
                    members.add(i);
                }
            }
            java.util.Collections.shuffle(members, rnd);
            for (int j = 0; j < members.size(); j++) {
                fold[members.get(j)] = j % folds;
            }
        }
        return fold;
    }

    private static double[][] standardiser(double[][] x) {
        int d = x[0].length;
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= x.length;
        }
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                double v = r[j] - mean[j];
                sd[j] += v * v;
            }
        }
        for (int j = 0; j < d; j++) {
            sd[j] = Math.sqrt(sd[j] / x.length);
            if (sd[j] < 1e-12) {
                sd[j] = 1; // a constant feature carries nothing; leave it centred
            }
        }
        return new double[][] {mean, sd};
    }

    private static double[] apply(double[][] std, double[] r) {
        double[] o = new double[r.length];
        for (int j = 0; j < r.length; j++) {
            o[j] = (r[j] - std[0][j]) / std[1][j];
        }
        return o;
    }

    private static double[][] apply(double[][] std, double[][] x) {
        double[][] o = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            o[i] = apply(std, x[i]);
        }
        return o;
    }

    static double[][] rows(double[][] x, List<Integer> idx) {
        double[][] o = new double[idx.size()][];
        for (int i = 0; i < o.length; i++) {
            o[i] = x[idx.get(i)];
        }
        return o;
    }

    // ---------------------------------------------------------------- MMD

    /** MMD² of two samples with its bandwidth and permutation p-value. */
    public record Mmd(double mmd2, double bandwidth, double pValue, int permutations) { }

    /**
     * Unbiased MMD² (Gretton et al. 2012, Eq. 3) with the RBF kernel {@code exp(-|x-y|² / (2σ²))}, σ = the median
     * of the pairwise Euclidean distances of the pooled sample (median heuristic), and a permutation p-value
     * {@code (1 + #{permuted ≥ observed}) / (1 + permutations)}.
     */
    public static Mmd mmd(double[][] a, double[][] b, int permutations, long seed) {
        if (a.length < 2 || b.length < 2) {
            throw new IllegalArgumentException("MMD² needs at least two rows in each sample (got " + a.length
                    + " and " + b.length + ")");
        }
        int n = a.length + b.length;
        double[][] pooled = new double[n][];
        System.arraycopy(a, 0, pooled, 0, a.length);
        System.arraycopy(b, 0, pooled, a.length, b.length);
        double[][] d2 = squaredDistances(pooled);
        double sigma = medianDistance(d2);
        double[][] kern = new double[n][n];
        double gamma = sigma > 0 ? 1.0 / (2 * sigma * sigma) : 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                kern[i][j] = Math.exp(-d2[i][j] * gamma);
            }
        }
        boolean[] inA = new boolean[n];
        Arrays.fill(inA, 0, a.length, true);
        double observed = mmd2(kern, inA, a.length);
        Random rnd = new Random(seed);
        int atLeast = 0;
        boolean[] perm = inA.clone();
        for (int p = 0; p < permutations; p++) {
            shuffle(perm, rnd);
            if (mmd2(kern, perm, a.length) >= observed) {
                atLeast++;
            }
        }
        return new Mmd(observed, sigma, (1.0 + atLeast) / (1.0 + permutations), permutations);
    }

    /** Unbiased MMD² from a pooled kernel matrix and a membership mask (m rows in the first sample). */
    static double mmd2(double[][] kern, boolean[] inA, int m) {
        int n = inA.length;
        int nb = n - m;
        double saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < n; i++) {
            double[] row = kern[i];
            boolean ai = inA[i];
            for (int j = i + 1; j < n; j++) {
                boolean aj = inA[j];
                if (ai && aj) {
                    saa += row[j];
                } else if (!ai && !aj) {
                    sbb += row[j];
                } else {
                    sab += row[j];
                }
            }
        }
        return 2 * saa / ((double) m * (m - 1)) + 2 * sbb / ((double) nb * (nb - 1)) - 2 * sab / ((double) m * nb);
    }

    private static void shuffle(boolean[] v, Random rnd) {
        for (int i = v.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            boolean t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }

    static double[][] squaredDistances(double[][] x) {
        int n = x.length;
        double[][] d = new double[n][n];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = i + 1; j < n; j++) {
                double s = sq(x[i], x[j]);
                d[i][j] = s;
                d[j][i] = s;
            }
        });
        return d;
    }

    /** Median of the pairwise (i &lt; j) Euclidean distances, from squared distances. */
    static double medianDistance(double[][] d2) {
        int n = d2.length;
        double[] v = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                v[k++] = Math.sqrt(d2[i][j]);
            }
        }
        Arrays.sort(v);
        int m = v.length;
        return m % 2 == 1 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
    }

    static double sq(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double t = a[j] - b[j];
            s += t * t;
        }
        return s;
    }

    // ---------------------------------------------------------------- kNN score regression

    /**
     * Predicts each query's score as the mean score of its k nearest reference rows by cosine similarity (the
     * geometry the score definition uses). With {@code leaveOneOut} the query set is the reference set and a row is
     * never its own neighbour.
     */
    public static double[] knnRegress(double[][] ref, double[] refScores, double[][] query, int k, boolean leaveOneOut) {
        double[][] rn = normalised(ref);
        double[][] qn = leaveOneOut ? rn : normalised(query);
        int kk = Math.min(k, ref.length - (leaveOneOut ? 1 : 0));
        if (kk < 1) {
            throw new IllegalArgumentException("kNN regression needs at least " + (leaveOneOut ? 2 : 1)
                    + " reference rows, got " + ref.length);
        }
        double[] pred = new double[qn.length];
        int d = rn[0].length;
        // 4 queries × 4 references per tile (NeighbourTable.gram: the same sums as a dot product loop, 16 at a
        // time, ~4× faster than one dot product after another); references still offered in index order
        IntStream.range(0, (qn.length + 3) / 4).parallel().forEach(block -> {
            int q0 = 4 * block;
            int rows = Math.min(4, qn.length - q0);
            double[][] best = new double[rows][kk];
            int[][] bestIdx = new int[rows][kk];
            for (double[] b : best) {
                Arrays.fill(b, Double.NEGATIVE_INFINITY);
            }
            double[] g = new double[16];
            for (int r0 = 0; r0 < rn.length; r0 += 4) {
                int cols = Math.min(4, rn.length - r0);
                NeighbourTable.gram(qn, q0, rows, rn, r0, cols, d, g);
                for (int i = 0; i < rows; i++) {
                    for (int c = 0; c < cols; c++) {
                        int r = r0 + c;
                        if (!(leaveOneOut && r == q0 + i)) {
                            offerLargest(best[i], bestIdx[i], g[4 * i + c], r);
                        }
                    }
                }
            }
            for (int i = 0; i < rows; i++) {
                double sum = 0;
                for (int m = 0; m < kk; m++) {
                    sum += refScores[bestIdx[i][m]];
                }
                pred[q0 + i] = sum / kk;
            }
        });
        return pred;
    }

    /** Keeps the kk largest similarities, largest first; a tie keeps the earlier (lower-index) reference. */
    private static void offerLargest(double[] best, int[] bestIdx, double s, int r) {
        int kk = best.length;
        if (s > best[kk - 1]) {
            int p = kk - 1;
            while (p > 0 && best[p - 1] < s) {
                best[p] = best[p - 1];
                bestIdx[p] = bestIdx[p - 1];
                p--;
            }
            best[p] = s;
            bestIdx[p] = r;
        }
    }

    /** SRCC of kNN-regressed scores against the true ones (NaN when fewer than 3 rows or constant). */
    public static double knnSrcc(double[][] ref, double[] refScores, double[][] query, double[] queryScores, int k,
                                 boolean leaveOneOut) {
        if (query.length < Metrics.MIN_N) {
            return Double.NaN;
        }
        return Metrics.srcc(knnRegress(ref, refScores, query, k, leaveOneOut), queryScores);
    }

    private static double[][] normalised(double[][] x) {
        double[][] o = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double n = Math.sqrt(dot(x[i], x[i]));
            o[i] = new double[x[i].length];
            for (int j = 0; j < o[i].length; j++) {
                o[i][j] = n > 0 ? x[i][j] / n : 0;
            }
        }
        return o;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    // ---------------------------------------------------------------- trustworthiness

    /**
     * Trustworthiness of a low-dimensional map (Venna &amp; Kaski 2001; the definition of scikit-learn's
     * {@code sklearn.manifold.trustworthiness}, Euclidean in both spaces): 1 minus the normalised penalty for points
     * that are among a point's k nearest neighbours in the map but not in the original space, weighted by how far
     * down the original ranking they are. 1 = every map neighbourhood is a true one. Needs k &lt; n/2.
     */
    public static double trustworthiness(double[][] high, double[][] low, int k) {
        int n = high.length;
        if (low.length != n) {
            throw new IllegalArgumentException("trustworthiness: " + n + " original rows but " + low.length
                    + " map rows");
        }
        if (k < 1 || k >= n / 2.0) {
            throw new IllegalArgumentException("trustworthiness with " + k + " neighbours needs more than "
                    + (2 * k) + " points, got " + n);
        }
        // original-space distances of 4 rows at a time from register-tiled Gram blocks (NeighbourTable.gram; the
        // O(n²·D) part, several times faster than a distance call per pair); a comparison whose Gram values lie
        // within rounding of each other is redone with exact distances, so ranks equal the exact ones
        int d = high[0].length;
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            for (double v : high[i]) {
                norm[i] += v * v;
            }
        }
        int blocks = (n + 3) / 4;
        double total = IntStream.range(0, blocks).parallel().mapToDouble(b -> {
            int i0 = 4 * b;
            int rows = Math.min(4, n - i0);
            double[][] dh = new double[rows][n];
            double[] g = new double[16];
            for (int j0 = 0; j0 < n; j0 += 4) {
                int cols = Math.min(4, n - j0);
                NeighbourTable.gram(high, i0, rows, j0, cols, d, g);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        dh[r][j0 + c] = norm[i0 + r] + norm[j0 + c] - 2 * g[4 * r + c];
                    }
                }
            }
            double penalty = 0;
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                double[] row = dh[r];
                for (int j : nearest(low, i, k)) {
                    // 1-based rank of j among i's original-space neighbours (ties: lower index first, like a stable
                    // sort)
                    double dj = row[j];
                    double exactJ = sq(high[i], high[j]);
                    int rank = 1;
                    for (int l = 0; l < n; l++) {
                        if (l == i || l == j) {
                            continue;
                        }
                        double diff = row[l] - dj;
                        // the Gram formula's rounding is ≲ D·ε relative: this bound holds to D ≈ 90,000
                        double tol = 1e-11 * (norm[i] + norm[l] + norm[j]) + 1e-300;
                        if (diff < -tol) {
                            rank++;
                        } else if (diff <= tol) {
                            double el = sq(high[i], high[l]);
                            if (el < exactJ || (el == exactJ && l < j)) {
                                rank++;
                            }
                        }
                    }
                    if (rank > k) {
                        penalty += rank - k;
                    }
                }
            }
            return penalty;
        }).sum();
        return 1.0 - total * (2.0 / (n * (double) k * (2.0 * n - 3.0 * k - 1.0)));
    }

    /** Indices of the k nearest rows to row i (Euclidean, excluding i), nearest first. */
    static int[] nearest(double[][] x, int i, int k) {
        double[] best = new double[k];
        int[] idx = new int[k];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        Arrays.fill(idx, -1);
        for (int j = 0; j < x.length; j++) {
            if (j == i) {
                continue;
            }
            double d = sq(x[i], x[j]);
            if (d < best[k - 1]) {
                int p = k - 1;
                while (p > 0 && best[p - 1] > d) {
                    best[p] = best[p - 1];
                    idx[p] = idx[p - 1];
                    p--;
                }
                best[p] = d;
                idx[p] = j;
            }
        }
        return idx;
    }
}
