package dev.rali.engine.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricReportTest {
    @Test
    void pointEstimatesEqualTheMetrics() {
        MetricReport r = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 0, 1);
        assertEquals(40, r.n());
        assertEquals(0.9815557888878709, r.plcc(), 1e-12);
        assertEquals(0.9787893395944527, r.srcc(), 1e-12);
        assertEquals(0.8954905801834866, r.krcc(), 1e-12);
        assertEquals(2.7144285770673724, r.rmse(), 1e-12);
        assertNull(r.plccCi());
    }

    @Test
    void bootstrapIntervalsAreDeterministicPerSeedAndBracketTheEstimate() {
        MetricReport a = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 500, 42);
        MetricReport b = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 500, 42);
        MetricReport c = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 500, 43);
        assertEquals(a.plccCi(), b.plccCi());
        assertEquals(a.krccCi(), b.krccCi());
        assertTrue(!a.srccCi().equals(c.srccCi()), "another seed, other resamples");
        for (double[] t : new double[][] {
                {a.plccCi().lo(), a.plcc(), a.plccCi().hi()},
                {a.srccCi().lo(), a.srcc(), a.srccCi().hi()},
                {a.krccCi().lo(), a.krcc(), a.krccCi().hi()},
                {a.rmseCi().lo(), a.rmse(), a.rmseCi().hi()}}) {
            assertTrue(t[0] <= t[1] && t[1] <= t[2], java.util.Arrays.toString(t));
            assertTrue(t[2] - t[0] < 1.0, "interval is not degenerate-wide: " + java.util.Arrays.toString(t));
        }
        assertTrue(a.plccCi().hi() <= 1.0);
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4], 2.5) = 1.075, 97.5 -> 3.925
        double[] v = {4, 1, 3, 2};
        assertEquals(1.075, MetricReport.percentile(v, 4, 2.5), 1e-12);
        assertEquals(3.925, MetricReport.percentile(v, 4, 97.5), 1e-12);
    }

    @Test
    void rejectsTooFewPairsAndNaN() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricReport.compute(new double[] {1}, new double[] {2}, 100, 1));
        assertTrue(e.getMessage().contains("at least 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MetricReport.compute(new double[] {1, Double.NaN, 3}, new double[] {1, 2, 3}, 0, 1));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> MetricReport.compute(new double[] {1, 2, 3}, new double[] {1, 2, 3}, -1, 1));
    }
}
