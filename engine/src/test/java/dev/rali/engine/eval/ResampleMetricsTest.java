package dev.rali.engine.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResampleMetricsTest {
    /** The count-based kernel equals Metrics on the explicitly expanded resample, ties and repeats included. */
    @Test
    void equalsMetricsOnTheExpandedResample() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 3 + r.nextInt(60);
            double[] x = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = trial % 2 == 0 ? r.nextInt(6) : r.nextGaussian();
                y[i] = r.nextInt(4) + 0.3 * x[i];
            }
            int[] counts = new int[n];
            double[] ex = new double[n], ey = new double[n];
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(n);
                counts[k]++;
            }
            int p = 0;
            for (int k = 0; k < n; k++) {
                for (int c = 0; c < counts[k]; c++) {
                    ex[p] = x[k];
                    ey[p++] = y[k];
                }
            }
            double[] got = new ResampleMetrics(x, y).compute(counts);
            double[] want = {Metrics.pearson(ex, ey), Metrics.pearson(Metrics.ranks(ex), Metrics.ranks(ey)),
                    Metrics.kendallTauB(ex, ey), Math.sqrt(sq(ex, ey) / n)};
            for (int m = 0; m < 4; m++) {
                if (Double.isNaN(want[m])) {
                    assertEquals(Double.NaN, got[m], "trial " + trial + " metric " + m);
                } else {
                    assertEquals(want[m], got[m], 1e-12, "trial " + trial + " metric " + m);
                }
            }
        }
    }

    private static double sq(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return s;
    }
}
