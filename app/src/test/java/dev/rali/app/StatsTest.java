package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void pearsonMatchesHandComputedValue() {
        // x = 1..4, y = 2,1,4,3: r = 0.6 (scipy.stats.pearsonr gives 0.6)
        assertEquals(0.6, Stats.plcc(new double[] {1, 2, 3, 4}, new double[] {2, 1, 4, 3}), 1e-12);
    }

    @Test
    void spearmanIsOneForMonotoneNonLinearData() {
        double[] x = {1, 2, 3, 4, 5};
        double[] y = {1, 4, 9, 16, 100};
        assertEquals(1.0, Stats.srcc(x, y), 1e-12);
        assertTrue(Stats.plcc(x, y) < 0.95);
    }

    @Test
    void samplesTheMetricsRejectGiveNaNNotAnError() {
        assertTrue(Double.isNaN(Stats.plcc(new double[] {1, 2}, new double[] {1, 2})));
        assertTrue(Double.isNaN(Stats.srcc(new double[] {1, Double.NaN, 3}, new double[] {1, 2, 3})));
        assertTrue(Double.isNaN(Stats.plcc(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    }
}
