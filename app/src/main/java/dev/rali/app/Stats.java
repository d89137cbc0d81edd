package dev.rali.app;

import dev.rali.engine.eval.Metrics;

/**
 * PLCC/SRCC for the Results view through the engine's {@link Metrics} (the numbers the CLI reports); a sample the
 * metrics reject (fewer than {@value Metrics#MIN_N} pairs, non-finite values) shows as NaN ("–") instead of an
 * error dialog, since a tiny dataset in a run is normal.
 */
public final class Stats {
    private Stats() { }

    public static double plcc(double[] pred, double[] mos) {
        try {
            return Metrics.plcc(pred, mos);
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    public static double srcc(double[] pred, double[] mos) {
        try {
            return Metrics.srcc(pred, mos);
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }
}
