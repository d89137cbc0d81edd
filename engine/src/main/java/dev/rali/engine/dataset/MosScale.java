package dev.rali.engine.dataset;

/**
 * The one place where MOS is normalised (paper, Sec. 4.1): s' = 1 + 4 (s - lo) / (hi - lo), or
 * s' = 5 - 4 (s - lo) / (hi - lo) when lower is better, with [lo, hi] the scale's nominal range.
 */
public record MosScale(double lo, double hi, boolean lowerIsBetter) {
    public MosScale {
        if (!(hi > lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("score range must satisfy lo < hi, got [" + lo + ", " + hi + "]");
        }
    }

    public double normalise(double raw) {
        double t = (raw - lo) / (hi - lo);
        return lowerIsBetter ? 5 - 4 * t : 1 + 4 * t;
    }

    /** True when raw lies in [lo, hi] up to a relative tolerance of 1e-9 of the range (rounding in exports). */
    public boolean inRange(double raw) {
        double eps = (hi - lo) * 1e-9;
        return raw >= lo - eps && raw <= hi + eps;
    }

    @Override
    public String toString() {
        return "[" + lo + ", " + hi + "]" + (lowerIsBetter ? " lower is better" : " higher is better");
    }
}
