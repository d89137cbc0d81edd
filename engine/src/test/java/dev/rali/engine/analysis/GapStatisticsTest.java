package dev.rali.engine.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GapStatisticsTest {
    private static JsonNode reference;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = GapStatisticsTest.class.getResourceAsStream("/analysis/reference.json")) {
            reference = new ObjectMapper().readTree(in); // made by bench/analysis_reference.py (NumPy, scikit-learn)
        }
    }

    static double[][] matrix(JsonNode n) {
        double[][] m = new double[n.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new double[n.get(i).size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = n.get(i).get(j).asDouble();
            }
        }
        return m;
    }

    /** Two Gaussian samples; the second shifted by {@code shift} along the first axis. */
    static double[][][] twoSamples(int n, int d, double shift, long seed) {
        Random r = new Random(seed);
        double[][] a = new double[n][d];
        double[][] b = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                a[i][j] = r.nextGaussian();
                b[i][j] = r.nextGaussian() + (j == 0 ? shift : 0);
            }
        }
        return new double[][][] {a, b};
    }

    @Test
    void mmdSquaredAndMedianBandwidthMatchADirectNumPyComputation() {
        JsonNode m = reference.get("mmd");
        GapStatistics.Mmd r = GapStatistics.mmd(matrix(m.get("a")), matrix(m.get("b")), 0, 1);
        assertEquals(m.get("sigma").asDouble(), r.bandwidth(), 1e-12);
        assertEquals(m.get("mmd2").asDouble(), r.mmd2(), 1e-12);
        assertEquals(1.0, r.pValue()); // no permutations: (1 + 0) / (1 + 0)
    }

    @Test
    void trustworthinessMatchesScikitLearnOnTheSameCoordinates() {
        JsonNode t = reference.get("trustworthiness");
        double[][] x = matrix(t.get("x"));
        double[][] y = matrix(t.get("y"));
        for (String k : new String[] {"1", "5", "10"}) {
            assertEquals(t.get("by_k").get(k).asDouble(), GapStatistics.trustworthiness(x, y, Integer.parseInt(k)),
                    1e-12, "k = " + k);
        }
    }

    @Test
    void trustworthinessFromGramBlocksRanksExactlyLikeDirectDistancesEvenWithTies() {
        // integer coordinates: many exactly tied distances, and rows far from the origin where the Gram formula
        // rounds; 4 duplicate rows; 103 rows so the last block of 4 is partial
        Random r = new Random(12);
        double[][] x = new double[103][7];
        double[][] y = new double[103][2];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 7; j++) {
                x[i][j] = 1e4 + r.nextInt(3);
            }
            y[i][0] = r.nextGaussian();
            y[i][1] = r.nextGaussian();
        }
        for (int i = 1; i < 4; i++) {
            x[i] = x[0].clone();
        }
        for (int k : new int[] {1, 5, 20}) {
            assertEquals(directTrustworthiness(x, y, k), GapStatistics.trustworthiness(x, y, k), 1e-12, "k = " + k);
        }
    }

    /** The definition, one exact distance per pair (what the blocked computation must reproduce). */
    private static double directTrustworthiness(double[][] high, double[][] low, int k) {
        int n = high.length;
        double total = 0;
        for (int i = 0; i < n; i++) {
            for (int j : GapStatistics.nearest(low, i, k)) {
                int rank = 1;
                for (int l = 0; l < n; l++) {
                    double dl = GapStatistics.sq(high[i], high[l]), dj = GapStatistics.sq(high[i], high[j]);
                    if (l != i && (dl < dj || (dl == dj && l < j))) {
                        rank++;
                    }
                }
                total += Math.max(0, rank - k);
            }
        }
        return 1.0 - total * (2.0 / (n * (double) k * (2.0 * n - 3.0 * k - 1.0)));
    }

    @Test
    void aMapThatKeepsTheSpaceIsFullyTrustworthy() {
        double[][][] s = twoSamples(60, 2, 0, 3);
        assertEquals(1.0, GapStatistics.trustworthiness(s[0], s[0], 5), 1e-12);
    }

    @Test
    void identicalDistributionsLookAlikeAndSeparatedOnesDoNot() {
        double[][][] same = twoSamples(150, 8, 0, 11);
        GapStatistics.Mmd m0 = GapStatistics.mmd(same[0], same[1], 200, 5);
        assertTrue(Math.abs(m0.mmd2()) < 0.01, "MMD² of identical distributions ≈ 0: " + m0.mmd2());
        assertTrue(m0.pValue() > 0.05, "p-value not small: " + m0.pValue());
        GapStatistics.ClassifierScore c0 = GapStatistics.domainClassifier(stack(same), labels(150),
                5, 7, TaskContext.silent());
        assertEquals(0.5, c0.chance(), 1e-12);
        assertTrue(Math.abs(c0.accuracy() - 0.5) < 0.1, "accuracy ≈ chance: " + c0.accuracy());

        double[][][] apart = twoSamples(150, 8, 8, 12);
        GapStatistics.Mmd m1 = GapStatistics.mmd(apart[0], apart[1], 200, 5);
        assertTrue(m1.mmd2() > 0.1, "MMD² of separated distributions: " + m1.mmd2());
        assertTrue(m1.pValue() < 0.01, "p-value small: " + m1.pValue());
        GapStatistics.ClassifierScore c1 = GapStatistics.domainClassifier(stack(apart), labels(150),
                5, 7, TaskContext.silent());
        assertTrue(c1.accuracy() > 0.97, "accuracy ≈ 1: " + c1.accuracy());
    }

    @Test
    void knnRegressionFindsQualityWhereNeighboursShareItAndNotWhereScoresAreNoise() {
        Random r = new Random(4);
        int n = 200;
        double[][] x = new double[n][5];
        double[] quality = new double[n];
        double[] noise = new double[n];
        for (int i = 0; i < n; i++) {
            double angle = r.nextDouble() * Math.PI / 2; // quality = direction on the unit sphere (cosine geometry)
            x[i][0] = Math.cos(angle);
            x[i][1] = Math.sin(angle);
            for (int j = 2; j < 5; j++) {
                x[i][j] = 0.05 * r.nextGaussian();
            }
            quality[i] = 1 + 4 * angle / (Math.PI / 2);
            noise[i] = r.nextDouble();
        }
        assertTrue(GapStatistics.knnSrcc(x, quality, x, quality, 10, true) > 0.9);
        assertTrue(Math.abs(GapStatistics.knnSrcc(x, noise, x, noise, 10, true)) < 0.2);
    }

    static double[][] stack(double[][][] s) {
        double[][] o = new double[s[0].length + s[1].length][];
        System.arraycopy(s[0], 0, o, 0, s[0].length);
        System.arraycopy(s[1], 0, o, s[0].length, s[1].length);
        return o;
    }

    static int[] labels(int n) {
        int[] y = new int[2 * n];
        for (int i = n; i < 2 * n; i++) {
            y[i] = 1;
        }
        return y;
    }

    /** The tiled search returns exactly what one dot product after another does, ties (duplicate rows) included. */
    @Test
    void tiledKnnRegressionEqualsThePlainSearchExactly() {
        Random r = new Random(3);
        double[][] ref = new double[103][17];
        double[][] query = new double[38][17];
        for (double[][] m : new double[][][] {ref, query}) {
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = r.nextGaussian();
                }
            }
        }
        ref[50] = ref[7].clone(); // a tie: the lower index must win, as before
        double[] scores = new double[ref.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = r.nextDouble() * 4 + 1;
        }
        for (boolean loo : new boolean[] {false, true}) {
            double[][] q = loo ? ref : query;
            double[] got = GapStatistics.knnRegress(ref, scores, q, 5, loo);
            double[] want = plainKnn(ref, scores, q, 5, loo);
            for (int i = 0; i < q.length; i++) {
                assertEquals(want[i], got[i], 0.0, "query " + i + (loo ? " (leave one out)" : ""));
            }
        }
    }

    private static double[] plainKnn(double[][] ref, double[] scores, double[][] query, int k, boolean loo) {
        double[][] rn = unit(ref);
        double[][] qn = loo ? rn : unit(query);
        double[] out = new double[qn.length];
        for (int q = 0; q < qn.length; q++) {
            double[] best = new double[k];
            int[] idx = new int[k];
            java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
            for (int j = 0; j < rn.length; j++) {
                if (loo && j == q) {
                    continue;
                }
                double s = 0;
                for (int t = 0; t < rn[j].length; t++) {
                    s += qn[q][t] * rn[j][t];
                }
                if (s > best[k - 1]) {
                    int p = k - 1;
                    while (p > 0 && best[p - 1] < s) {
                        best[p] = best[p - 1];
                        idx[p] = idx[p - 1];
                        p--;
                    }
                    best[p] = s;
                    idx[p] = j;
                }
            }
            double sum = 0;
            for (int m = 0; m < k; m++) {
                sum += scores[idx[m]];
            }
            out[q] = sum / k;
        }
        return out;
    }

    private static double[][] unit(double[][] x) {
        double[][] o = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double n = 0;
            for (double v : x[i]) {
                n += v * v;
            }
            n = Math.sqrt(n);
            o[i] = new double[x[i].length];
            for (int j = 0; j < o[i].length; j++) {
                o[i][j] = n > 0 ? x[i][j] / n : 0;
            }
        }
        return o;
    }
}
