package dev.rali.engine.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Huge but finite values give the right figures (no -0 PLCC, no infinite RMSE), and the outlier rule finds them. */
class ExtremeValuesTest {
    @Test
    void correlationAndRmseSurviveValuesNearTheDoubleLimit() {
        double[] pred = {1e308, 2, 3, 4};
        double[] mos = {1, 2, 3, 4};
        // pred is [1, 0, 0, 0] up to a factor of 1e308: Pearson with 1..4 is -sqrt(0.6)
        assertEquals(-Math.sqrt(0.6), Metrics.plcc(pred, mos), 1e-12);
        assertEquals(1e308 / 2, Metrics.rmse(pred, mos), 1e294);
        assertEquals(Metrics.plcc(new double[] {1.5, 2, 3, 4}, mos), Metrics.plcc(new double[] {1.5, 2, 3, 4}, mos));
        double[] both = {-1.7e308, 1.7e308, 0};
        assertTrue(Double.isFinite(Metrics.plcc(both, new double[] {1, 3, 2})));
    }

    @Test
    void outliersAreFarFromTheMedianInMadsAndNeedASpreadToJudgeBy() {
        assertEquals(List.of(4), Outliers.find(new double[] {1, 2, 3, 4, 1e308}));
        assertEquals(List.of(0), Outliers.find(new double[] {-1e9, 50, 40, 60, Double.NaN}));
        assertEquals(List.of(), Outliers.find(new double[] {0, 25, 50, 75, 100}));
        // more than half equal: MAD 0, nothing is judged
        assertEquals(List.of(), Outliers.find(new double[] {3, 3, 3, 1e308}));
        assertEquals(List.of(), Outliers.find(new double[] {1, 1e308}));
    }
}
