package dev.rali.engine.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reference values from scipy 1.10.1 / numpy (pearsonr, spearmanr, kendalltau default tau-b,
 * sqrt(mean((x-y)**2))), computed by the script test resource dev/rali/engine/eval/ref_metrics.py.
 */
class MetricsTest {
    static final double[] TIES_X = {1, 2, 2, 3, 4, 4, 4, 5, 6, 7};
    static final double[] TIES_Y = {1.5, 2.0, 2.0, 2.5, 3.0, 2.8, 3.2, 4.0, 4.1, 4.1};

    // rng = np.random.default_rng(7); x = round(uniform(0,1,40),2);
    // y = round(1 + 4/(1+exp(-(x-0.5)/0.12)) + normal(0,0.3,40), 2)
    static final double[] N40_X = {0.63, 0.9, 0.78, 0.23, 0.3, 0.87, 0.01, 0.82, 0.8, 0.47, 0.3, 0.28, 0.25, 0.45,
            0.5, 0.55, 1.0, 0.79, 0.62, 0.99, 0.22, 0.16, 0.61, 0.04, 0.04, 0.51, 0.47, 0.92, 0.63, 0.51, 0.5, 0.25,
            0.01, 0.19, 0.69, 0.2, 0.37, 0.0, 0.83, 0.15};
    static final double[] N40_Y = {3.95, 4.9, 4.67, 1.01, 1.66, 5.23, 0.6, 5.0, 4.73, 2.56, 2.24, 1.78, 1.08, 2.61,
            3.17, 3.35, 5.14, 4.65, 4.12, 5.37, 1.15, 1.28, 3.72, 1.12, 0.73, 2.91, 2.69, 5.15, 4.33, 2.69, 2.76,
            1.64, 0.47, 1.14, 4.29, 1.68, 2.22, 0.96, 4.65, 1.13};

    @Test
    void matchesScipyOnDataWithTiesInBothVariables() {
        assertEquals(0.9686814623603677, Metrics.plcc(TIES_X, TIES_Y), 1e-12);
        assertEquals(0.9845625916784139, Metrics.srcc(TIES_X, TIES_Y), 1e-12);
        assertEquals(0.952651016459082, Metrics.krcc(TIES_X, TIES_Y), 1e-12);
        assertEquals(1.2884098726725126, Metrics.rmse(TIES_X, TIES_Y), 1e-12);
    }

    @Test
    void matchesScipyOnForty2DecimalPairsWithTies() {
        assertEquals(0.9815557888878709, Metrics.plcc(N40_X, N40_Y), 1e-12);
        assertEquals(0.9787893395944527, Metrics.srcc(N40_X, N40_Y), 1e-12);
        assertEquals(0.8954905801834866, Metrics.krcc(N40_X, N40_Y), 1e-12);
        assertEquals(2.7144285770673724, Metrics.rmse(N40_X, N40_Y), 1e-12);
    }

    @Test
    void smallestAllowedSampleOfThree() {
        double[] x = {1, 2, 3}, y = {3, 1, 2};
        assertEquals(-0.5, Metrics.plcc(x, y), 1e-12);
        assertEquals(-0.5, Metrics.srcc(x, y), 1e-12);
        assertEquals(-1.0 / 3, Metrics.krcc(x, y), 1e-12);
        assertEquals(Math.sqrt(2), Metrics.rmse(x, y), 1e-12);
    }

    @Test
    void averageRanksShareTiedPositions() {
        assertEquals(java.util.Arrays.toString(new double[] {1, 2.5, 2.5, 4, 6, 6, 6, 8}),
                java.util.Arrays.toString(Metrics.ranks(new double[] {1, 2, 2, 3, 4, 4, 4, 5})));
    }

    @Test
    void kendallMatchesBruteForceTauBWithManyTies() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int n = 3 + r.nextInt(200);
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(7);
                y[i] = r.nextInt(5) + 0.5 * x[i];
            }
            if (bruteTauB(x, y) != bruteTauB(x, y)) {
                continue; // constant input
            }
            assertEquals(bruteTauB(x, y), Metrics.krcc(x, y), 1e-12, "trial " + trial);
        }
    }

    private static double bruteTauB(double[] x, double[] y) {
        long c = 0, d = 0, tx = 0, ty = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i + 1; j < x.length; j++) {
                double a = Math.signum(x[i] - x[j]), b = Math.signum(y[i] - y[j]);
                if (a == 0 && b == 0) {
                    continue;
                } else if (a == 0) {
                    tx++;
                } else if (b == 0) {
                    ty++;
                } else if (a == b) {
                    c++;
                } else {
                    d++;
                }
            }
        }
        return (c - d) / Math.sqrt((double) (c + d + tx) * (c + d + ty));
    }

    @Test
    void constantInputHasNoCorrelation() {
        double[] x = {2, 2, 2, 2}, y = {1, 2, 3, 4};
        assertTrue(Double.isNaN(Metrics.plcc(x, y)));
        assertTrue(Double.isNaN(Metrics.srcc(x, y)));
        assertTrue(Double.isNaN(Metrics.krcc(x, y)));
        assertEquals(Math.sqrt((1 + 0 + 1 + 4) / 4.0), Metrics.rmse(x, y), 1e-12);
    }

    @Test
    void fewerThanThreePairsIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.plcc(new double[] {1, 2}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("at least 3"), e.getMessage());
        assertTrue(e.getMessage().contains("got 2"), e.getMessage());
    }

    @Test
    void nanIsRejectedNamingTheIndex() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.srcc(new double[] {1, 2, 3, 4}, new double[] {1, 2, Double.NaN, 4}));
        assertEquals("MOS at index 2 is NaN (must be a finite number)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.krcc(new double[] {Double.POSITIVE_INFINITY, 2, 3}, new double[] {1, 2, 3}));
        assertTrue(e.getMessage().startsWith("prediction at index 0"), e.getMessage());
    }

    @Test
    void differentLengthsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.rmse(new double[] {1, 2, 3}, new double[] {1, 2, 3, 4}));
        assertTrue(e.getMessage().contains("3 vs 4"), e.getMessage());
    }
}
