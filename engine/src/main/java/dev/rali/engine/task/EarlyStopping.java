package dev.rali.engine.task;

/**
 * Tracks the best validation metric (higher is better) and stops after {@code patience} epochs without a better
 * one (0 = never stop). {@link #improved()} tells the loop to snapshot the parameters of the epoch just seen.
 * Without validation (metric NaN from the start) every epoch counts as the best. Its state is part of a
 * trainer's checkpoint: {@link #restore} puts it back, so a resumed run stops where an uninterrupted one would.
 */
public final class EarlyStopping implements TrainingListener {
    private final int patience;
    private final TaskContext ctx;
    private final String what;
    private final String metric;
    private double best = Double.NaN;
    private int bestEpoch;
    private int badEpochs;
    private boolean stopped;
    private boolean improved;

    /** {@code what} and {@code metric} name the training and the validation metric in the log line. */
    public EarlyStopping(int patience, String what, String metric, TaskContext ctx) {
        if (patience < 0) {
            throw new IllegalArgumentException("early-stopping patience must be >= 0, got " + patience);
        }
        this.patience = patience;
        this.what = what;
        this.metric = metric;
        this.ctx = ctx;
    }

    /** Records the starting point (epoch 0, before any update) as the best so far. */
    public void start(int epoch, double metric) {
        best = metric;
        bestEpoch = epoch;
        improved = true;
    }

    /** Puts back the state saved with a checkpoint. */
    public void restore(double best, int bestEpoch, int badEpochs, boolean stopped) {
        this.best = best;
        this.bestEpoch = bestEpoch;
        this.badEpochs = badEpochs;
        this.stopped = stopped;
        this.improved = false;
    }

    @Override
    public void onEpoch(Epoch e) {
        // NaN best = nothing to compare with yet: the epoch is the best so far
        improved = e.valMetric() > best || Double.isNaN(best);
        if (improved) {
            best = e.valMetric();
            bestEpoch = e.epoch();
            badEpochs = 0;
            return;
        }
        badEpochs++;
        if (patience > 0 && badEpochs >= patience) {
            stopped = true;
            ctx.log(what + ": early stop after epoch " + e.epoch() + " (best epoch " + bestEpoch + ", val "
                    + metric + " " + best + ")");
        }
    }

    /** Whether the epoch last seen was the best so far. */
    public boolean improved() {
        return improved;
    }

    public boolean stopped() {
        return stopped;
    }

    public double best() {
        return best;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public int badEpochs() {
        return badEpochs;
    }
}
