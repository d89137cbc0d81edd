package dev.rali.engine.analysis;

import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Barnes-Hut t-SNE: P, the gradient against the exact one, the map on clusters, determinism, cancel. */
class BarnesHutTsneTest {
    private static final double RATE = BarnesHutTsne.defaultLearningRate(100);

    /** {@code groups} Gaussian clusters of n points in d dimensions, centres {@code spread} apart on the axes. */
    static double[][] clusters(int groups, int n, int d, double spread, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[groups * n][d];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextGaussian() + (j == i / n ? spread : 0);
            }
        }
        return x;
    }

    @Test
    void eachPointsConditionalDistributionHasThePerplexity() {
        double[] dist = new double[31];
        Random r = new Random(1);
        for (int m = 0; m < dist.length; m++) {
            dist[m] = 20 + 3 * r.nextDouble(); // 512-d-like distances: exp(-d²) alone would underflow to 0
        }
        double[] p = BarnesHutTsne.conditional(dist, Math.log(10));
        double sum = 0, entropy = 0;
        for (double v : p) {
            sum += v;
            entropy -= v > 0 ? v * Math.log(v) : 0;
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(10.0, Math.exp(entropy), 1e-3);
        assertTrue(p[argMin(dist)] > p[argMax(dist)], "nearer neighbours weigh more");
    }

    @Test
    void jointProbabilitiesAreSymmetricSumToOneAndCoverEachPointsNeighbours() {
        double[][] x = clusters(2, 40, 5, 4, 2);
        BarnesHutTsne.Affinities p = BarnesHutTsne.affinities(x, 5, TaskContext.silent());
        double[][] dense = dense(p);
        double total = 0;
        for (int i = 0; i < dense.length; i++) {
            assertEquals(0.0, dense[i][i], 0.0);
            for (int j = 0; j < dense.length; j++) {
                assertEquals(dense[i][j], dense[j][i], 1e-15, "p[" + i + "][" + j + "]");
                total += dense[i][j];
            }
        }
        assertEquals(1.0, total, 1e-12);
        NeighbourTable nn = NeighbourTable.of(x, 16, TaskContext.silent()); // ⌊3 · 5⌋ + 1
        for (int i = 0; i < x.length; i++) {
            for (int j : nn.index[i]) {
                assertTrue(dense[i][j] > 0, "neighbour " + j + " of " + i);
            }
        }
    }

    @Test
    void thetaZeroIsTheExactGradientAndHalfIsClose() {
        double[][] x = clusters(3, 30, 6, 3, 3);
        BarnesHutTsne.Affinities p = BarnesHutTsne.affinities(x, 8, TaskContext.silent());
        double[] y = new double[2 * x.length];
        Random r = new Random(4);
        for (int c = 0; c < y.length; c++) {
            y[c] = 3 * r.nextGaussian();
        }
        y[2] = y[0]; // two coinciding map points: no force between them, but they count in Z
        y[3] = y[1];
        double[] exact = new double[y.length];
        double exactKl = exactGradient(dense(p), y, 12, exact);
        double[] bh0 = new double[y.length];
        double pLogQ = BarnesHutTsne.gradient(p, y, 0.0, 12, bh0, true);
        double pLogP = 0;
        for (double v : p.p()) {
            pLogP += v * Math.log(v);
        }
        assertArrayEquals(exact, bh0, 1e-12 * norm(exact));
        assertEquals(exactKl, pLogP - pLogQ, 1e-10);
        double[] bh = new double[y.length];
        BarnesHutTsne.gradient(p, y, 0.5, 12, bh, false);
        double err = 0;
        for (int c = 0; c < y.length; c++) {
            err += (bh[c] - exact[c]) * (bh[c] - exact[c]);
        }
        assertTrue(Math.sqrt(err) < 0.05 * norm(exact), "θ = 0.5 error " + Math.sqrt(err) + " of " + norm(exact));
        assertTrue(Math.sqrt(err) > 0, "θ = 0.5 summarises some cells");
    }

    @Test
    void separatedClustersStayApartOnTheMapAndNeighbourhoodsAreKept() {
        double[][] x = clusters(4, 100, 20, 8, 5);
        double[][] y = BarnesHutTsne.embed(x, 20, 500, 0.5, RATE, 42, TaskContext.silent());
        double t = GapStatistics.trustworthiness(x, y, 5);
        assertTrue(t > 0.9, "trustworthiness " + t);
        // every point's nearest map centroid is its own cluster's
        double[][] centre = new double[4][2];
        for (int i = 0; i < y.length; i++) {
            centre[i / 100][0] += y[i][0] / 100;
            centre[i / 100][1] += y[i][1] / 100;
        }
        for (int i = 0; i < y.length; i++) {
            assertEquals(i / 100, nearest(centre, y[i]), "point " + i);
        }
    }

    @Test
    void theSameSeedGivesTheSameMapOnAnyNumberOfThreads() throws Exception {
        double[][] x = clusters(3, 70, 8, 3, 6);
        double[][] a = BarnesHutTsne.embed(x, 10, 300, 0.5, RATE, 7, TaskContext.silent());
        ForkJoinPool one = new ForkJoinPool(1);
        double[][] b;
        try {
            b = one.submit(() -> BarnesHutTsne.embed(x, 10, 300, 0.5, RATE, 7, TaskContext.silent())).get();
        } finally {
            one.shutdown();
        }
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0.0, "row " + i);
        }
        double[][] c = BarnesHutTsne.embed(x, 10, 300, 0.5, RATE, 8, TaskContext.silent());
        assertTrue(a[0][0] != c[0][0] || a[0][1] != c[0][1], "another seed, another layout");
    }

    @Test
    void duplicateRowsGetUniformAffinitiesAndAFiniteMap() {
        double[][] x = clusters(2, 40, 4, 5, 8);
        for (int i = 1; i < 15; i++) {
            x[i] = x[0].clone();
        }
        // 14 neighbours at distance 0 cannot reach perplexity 5: the search ends uniform over them, not at NaN
        BarnesHutTsne.Affinities p = BarnesHutTsne.affinities(x, 5, TaskContext.silent());
        double[][] dense = dense(p);
        for (int j = 2; j < 15; j++) {
            assertEquals(dense[1][2], dense[1][j], 1e-12, "duplicate " + j);
        }
        assertTrue(dense[1][2] > 10 * dense[1][20], "duplicates weigh more than other rows");
        double[][] y = BarnesHutTsne.embed(x, 5, 300, 0.5, RATE, 1, TaskContext.silent());
        for (double[] row : y) {
            assertTrue(Double.isFinite(row[0]) && Double.isFinite(row[1]));
        }
        // a clique of identical rows is a cluster, not a point: the map keeps its members apart like any cluster's
        assertTrue(GapStatistics.sq(y[0], y[1]) > 0);
    }

    @Test
    void progressReportsTheCostAndCancelStopsBetweenIterations() {
        AtomicInteger reports = new AtomicInteger();
        TaskContext ctx = new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) {
                if (phase.equals("t-SNE") && message.startsWith("KL ")) {
                    reports.incrementAndGet();
                }
            }
            @Override public void log(String line) { }
            @Override public boolean isCancelled() {
                return reports.get() >= 3;
            }
        };
        assertThrows(CancelledException.class,
                () -> BarnesHutTsne.embed(clusters(2, 30, 4, 3, 9), 5, 1000, 0.5, RATE, 1, ctx));
        assertEquals(3, reports.get(), "cancelled right after the third report, not at the end");
    }

    @Test
    void theLearningRateIsSklearnsAutoRate() {
        assertEquals(50, BarnesHutTsne.defaultLearningRate(2000), 0.0);
        assertEquals(50000 / 48.0, BarnesHutTsne.defaultLearningRate(50000), 1e-12);
    }

    // ---------------------------------------------------------------- helpers

    /** 4 (ex · Σ p q (y_i − y_j) − Σ q² (y_i − y_j) / Z) over all pairs; returns KL(P‖Q). */
    private static double exactGradient(double[][] p, double[] y, double exaggeration, double[] grad) {
        int n = p.length;
        double[][] q = new double[n][n];
        double z = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double d0 = y[2 * i] - y[2 * j], d1 = y[2 * i + 1] - y[2 * j + 1];
                    q[i][j] = 1 / (1 + d0 * d0 + d1 * d1);
                    z += q[i][j];
                }
            }
        }
        double kl = 0;
        for (int i = 0; i < n; i++) {
            double g0 = 0, g1 = 0;
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double m = (exaggeration * p[i][j] - q[i][j] / z) * q[i][j];
                g0 += m * (y[2 * i] - y[2 * j]);
                g1 += m * (y[2 * i + 1] - y[2 * j + 1]);
                if (p[i][j] > 0) {
                    kl += p[i][j] * Math.log(p[i][j] / (q[i][j] / z));
                }
            }
            grad[2 * i] = 4 * g0;
            grad[2 * i + 1] = 4 * g1;
        }
        return kl;
    }

    private static double[][] dense(BarnesHutTsne.Affinities p) {
        double[][] d = new double[p.n()][p.n()];
        for (int i = 0; i < p.n(); i++) {
            for (int e = p.rowStart()[i]; e < p.rowStart()[i + 1]; e++) {
                d[i][p.col()[e]] += p.p()[e];
            }
        }
        return d;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double a : v) {
            s += a * a;
        }
        return Math.sqrt(s);
    }

    private static int nearest(double[][] centres, double[] pt) {
        int best = 0;
        for (int c = 1; c < centres.length; c++) {
            if (GapStatistics.sq(centres[c], pt) < GapStatistics.sq(centres[best], pt)) {
                best = c;
            }
        }
        return best;
    }

    private static int argMin(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            b = v[i] < v[b] ? i : b;
        }
        return b;
    }

    private static int argMax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) {
            b = v[i] > v[b] ? i : b;
        }
        return b;
    }
}
