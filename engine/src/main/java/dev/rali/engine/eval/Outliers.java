package dev.rali.engine.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Extreme outliers by the median absolute deviation (MAD), which a handful of wild values cannot move: a value more
 * than {@link #MADS} MADs from the median. So far out that no real MOS or prediction column gets there (a normal
 * sample would need a 34-sigma value), yet a stray {@code 1e308} or a score typed on the wrong scale is caught
 * before it can stretch an observed range or dominate a correlation.
 */
public final class Outliers {
    /** Distance from the median, in MADs, beyond which a value is an outlier. */
    public static final double MADS = 50;

    private Outliers() { }

    /**
     * Indices of the outliers among the finite values (non-finite ones are left to the caller's own checks), in
     * order; none when there are fewer than 3 finite values or over half of them are equal (MAD 0: no spread to
     * judge by).
     */
    public static List<Integer> find(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        List<Integer> out = new ArrayList<>();
        if (v.length < 3) {
            return out;
        }
        double median = median(v);
        double[] dev = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            dev[i] = Math.abs(v[i] - median);
        }
        Arrays.sort(dev);
        double mad = median(dev);
        if (!(mad > 0)) {
            return out;
        }
        for (int i = 0; i < values.length; i++) {
            // a ratio, so that |x - median| overflowing to infinity still counts
            if (Double.isFinite(values[i]) && Math.abs(values[i] - median) / mad > MADS) {
                out.add(i);
            }
        }
        return out;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : sorted[n / 2 - 1] / 2 + sorted[n / 2] / 2;
    }
}
