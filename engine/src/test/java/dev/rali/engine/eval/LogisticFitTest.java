package dev.rali.engine.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogisticFitTest {

    /**
     * scipy.optimize.curve_fit of the same function on MetricsTest.N40 from p0 = [max y, min y, mean x, std x / 4]
     * (xtol = ftol = 1e-14): b = [5.54267483647973, 0.5325415697056101, 0.5057665116624077, 0.17218860843611508],
     * SSE 1.9414246062771436, PLCC after mapping 0.9901261986415969, RMSE 0.22030800066481607.
     */
    @Test
    void reachesTheScipyLeastSquaresOptimum() {
        LogisticFit f = LogisticFit.fit(MetricsTest.N40_X, MetricsTest.N40_Y);
        assertEquals(1.9414246062771436, f.sse(), 1e-9);
        assertEquals(5.54267483647973, f.b1(), 1e-5);
        assertEquals(0.5325415697056101, f.b2(), 1e-5);
        assertEquals(0.5057665116624077, f.b3(), 1e-5);
        assertEquals(0.17218860843611508, Math.abs(f.b4()), 1e-5);
        MetricReport r = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y);
        assertEquals(0.9901261986415969, r.plccFitted(), 1e-9);
        assertEquals(0.22030800066481607, r.rmseFitted(), 1e-9);
    }

    @Test
    void recoversAnExactLogisticIncludingFallingCurves() {
        double[] x = new double[30], y = new double[30], yFall = new double[30];
        for (int i = 0; i < 30; i++) {
            x[i] = i / 3.0;
            y[i] = (4.5 - 1.2) / (1 + Math.exp(-(x[i] - 5.0) / 1.3)) + 1.2;
            yFall[i] = 6.2 - y[i];
        }
        LogisticFit f = LogisticFit.fit(x, y);
        assertEquals(0, f.sse(), 1e-12);
        assertEquals(4.5, f.b1(), 1e-6);
        assertEquals(1.2, f.b2(), 1e-6);
        assertEquals(5.0, f.b3(), 1e-6);
        assertEquals(1.3, Math.abs(f.b4()), 1e-6);
        LogisticFit g = LogisticFit.fit(x, yFall);
        assertEquals(0, g.sse(), 1e-12);
        assertTrue(g.apply(0) > g.apply(9), "falling curve");
    }

    @Test
    void mappingIsMonotoneSoRankMetricsAreUnchanged() {
        LogisticFit f = LogisticFit.fit(MetricsTest.TIES_X, MetricsTest.TIES_Y);
        double[] m = f.apply(MetricsTest.TIES_X);
        assertEquals(Metrics.srcc(MetricsTest.TIES_X, MetricsTest.TIES_Y), Metrics.srcc(m, MetricsTest.TIES_Y), 1e-12);
    }

    /** An affine change of the prediction scale (Elo-like 1000..2000) moves b3/b4 and leaves the optimum SSE. */
    @Test
    void fitIsInvariantToThePredictionScale() {
        double[] x = new double[MetricsTest.N40_X.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1000 + 1000 * MetricsTest.N40_X[i];
        }
        LogisticFit f = LogisticFit.fit(x, MetricsTest.N40_Y);
        assertEquals(1.9414246062771436, f.sse(), 1e-8);
        assertEquals(1000 + 1000 * 0.5057665116624077, f.b3(), 1e-2);
        assertEquals(1000 * 0.17218860843611508, Math.abs(f.b4()), 1e-2);
    }

    @Test
    void threePointsStillGiveAFiniteMapping() {
        MetricReport r = MetricReport.compute(new double[] {1, 2, 3}, new double[] {3, 1, 2});
        assertTrue(Double.isFinite(r.fit().sse()));
        assertTrue(Math.abs(r.plccFitted()) <= 1.0, "fitted PLCC " + r.plccFitted());
        assertEquals(-0.5, r.plcc(), 1e-12);
    }
}
