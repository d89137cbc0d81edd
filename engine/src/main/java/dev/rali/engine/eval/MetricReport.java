package dev.rali.engine.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * All figures for one prediction/MOS set: raw PLCC, SRCC, KRCC, RMSE, PLCC/RMSE after the {@link LogisticFit VQEG
 * 4-parameter logistic} mapping, and optional percentile-bootstrap 95% confidence intervals.
 * <p>
 * The headline PLCC of the tables is {@link #plccFitted()}: the baselines' evaluation code that the paper's tables
 * compare with (DeQA-Score {@code cal_plcc_srcc.py}) fits the logistic before Pearson. Both are always reported.
 *
 * @param n            number of pairs
 * @param plcc         Pearson on raw predictions
 * @param srcc         Spearman
 * @param krcc         Kendall tau-b
 * @param rmse         RMSE of raw predictions against MOS
 * @param plccFitted   Pearson after the logistic mapping
 * @param rmseFitted   RMSE after the logistic mapping
 * @param fit          the fitted logistic
 * @param bootstrap    number of bootstrap resamples (0: no intervals; then every {@link Interval} is null)
 * @param plccCi       95% percentile interval of PLCC
 * @param srccCi       of SRCC
 * @param krccCi       of KRCC
 * @param rmseCi       of RMSE
 * @param plccFittedCi of the fitted PLCC (the logistic fitted once on the whole set, Pearson per resample)
 */
public record MetricReport(int n, double plcc, double srcc, double krcc, double rmse,
                           double plccFitted, double rmseFitted, LogisticFit fit, int bootstrap,
                           Interval plccCi, Interval srccCi, Interval krccCi, Interval rmseCi,
                           Interval plccFittedCi) {

    /** A two-sided percentile interval (2.5th and 97.5th percentile of the bootstrap distribution). */
    public record Interval(double lo, double hi) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "[%.3f, %.3f]", lo, hi);
        }
    }

    /**
     * Computes the report.
     *
     * @param pred      predictions
     * @param mos       ground truth, same order
     * @param bootstrap resamples for the CIs (0 for none; 1000 is the usual choice)
     * @param seed      seed of the resampling (same seed, same intervals)
     * @throws IllegalArgumentException if n &lt; 3, lengths differ, a value is NaN/infinite (named by index) or
     *                                  bootstrap is negative
     */
    public static MetricReport compute(double[] pred, double[] mos, int bootstrap, long seed) {
        Metrics.check(pred, mos);
        if (bootstrap < 0) {
            throw new IllegalArgumentException("bootstrap resamples must be >= 0, got " + bootstrap);
        }
        int n = pred.length;
        LogisticFit fit = LogisticFit.fitUnchecked(pred, mos);
        double[] mapped = fit.apply(pred);
        double plccFitted = Metrics.pearson(mapped, mos);
        double rmseFitted = Metrics.rmseUnchecked(mapped, mos);
        Interval[] ci = new Interval[5];
        if (bootstrap > 0) {
            // one generator per resample, split off in order: the same seed gives the same intervals on any
            // number of threads
            SplittableRandom root = new SplittableRandom(seed);
            SplittableRandom[] rngs = new SplittableRandom[bootstrap];
            for (int b = 0; b < bootstrap; b++) {
                rngs[b] = root.split();
            }
            ResampleMetrics kernel = new ResampleMetrics(pred, mos);
            // the fitted PLCC's interval keeps the whole-set logistic (refitting 4 parameters per resample would
            // cost a Levenberg–Marquardt run each); it is Pearson of the mapped predictions per resample
            ResampleMetrics fittedKernel = new ResampleMetrics(mapped, mos);
            double[][] values = new double[bootstrap][];
            IntStream.range(0, bootstrap).parallel().forEach(b -> {
                SplittableRandom rnd = rngs[b];
                int[] counts = new int[n];
                for (int i = 0; i < n; i++) {
                    counts[rnd.nextInt(n)]++;
                }
                double[] v = kernel.compute(counts);
                values[b] = java.util.Arrays.copyOf(v, 5);
                values[b][4] = fittedKernel.plcc(counts);
            });
            double[][] samples = new double[5][bootstrap];
            int[] counts = new int[5];
            for (double[] v : values) {
                for (int m = 0; m < 5; m++) {
                    // a resample can be constant (tiny n): its correlation is undefined and is left out
                    if (!Double.isNaN(v[m])) {
                        samples[m][counts[m]++] = v[m];
                    }
                }
            }
            for (int m = 0; m < 5; m++) {
                ci[m] = counts[m] == 0 ? new Interval(Double.NaN, Double.NaN)
                        : new Interval(percentile(samples[m], counts[m], 2.5), percentile(samples[m], counts[m], 97.5));
            }
        }
        return new MetricReport(n, Metrics.pearson(pred, mos), Metrics.pearson(Metrics.ranks(pred), Metrics.ranks(mos)),
                Metrics.kendallTauB(pred, mos), Metrics.rmseUnchecked(pred, mos), plccFitted, rmseFitted, fit, bootstrap,
                ci[0], ci[1], ci[2], ci[3], ci[4]);
    }

    /** Without bootstrap intervals. */
    public static MetricReport compute(double[] pred, double[] mos) {
        return compute(pred, mos, 0, 0L);
    }

    /** Linear-interpolation percentile (numpy's default method) of the first {@code count} values. */
    static double percentile(double[] values, int count, double q) {
        double[] v = Arrays.copyOf(values, count);
        Arrays.sort(v);
        double pos = q / 100.0 * (count - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, count - 1);
        double frac = pos - lo;
        return v[lo] + (v[hi] - v[lo]) * frac;
    }
}
