package dev.rali.engine.task;

/**
 * Ends training with a clear error when an epoch's training loss is not finite (DJL's
 * {@code DivergenceCheckTrainingListener} checks the same): continuing would only spread NaN into every parameter.
 */
public final class DivergenceCheck implements TrainingListener {
    private final String what;
    private final String hint;

    /** {@code what} names the training in the message, {@code hint} says what to change ("lower scoreDefinition.lr"). */
    public DivergenceCheck(String what, String hint) {
        this.what = what;
        this.hint = hint;
    }

    @Override
    public void onEpoch(Epoch e) {
        if (!Double.isFinite(e.trainLoss())) {
            throw new IllegalStateException(what + " diverged at epoch " + e.epoch() + " (training loss "
                    + e.trainLoss() + "); " + hint);
        }
    }
}
