package dev.rali.engine.task;

import java.io.IOException;
import java.util.List;

/**
 * Hooks into a training loop, modelled on DJL's {@code TrainingListener}: the loop calls
 * {@link #onTrainingBatch} after every optimisation step and {@link #onEpoch} after every epoch, and the listeners
 * do the rest: metrics ({@link #stepLoss}), divergence checks ({@link DivergenceCheck}), early stopping
 * ({@link EarlyStopping}), a checkpoint per epoch (a lambda). Both trainers use it: the alignment
 * ({@code pipeline.AlignmentStage}) and the score definition ({@code rali.ScoreDefinition}).
 */
public interface TrainingListener {

    /** The numbers of one finished epoch; NaN where there is no validation set. */
    record Epoch(int epoch, long step, double trainLoss, double valLoss, double valMetric) { }

    /** After optimisation step {@code step} (1-based, counted over all epochs) with its mini-batch loss. */
    default void onTrainingBatch(long step, double loss) { }

    /** After an epoch; may throw to end training (divergence) or write a checkpoint. */
    void onEpoch(Epoch epoch) throws IOException;

    /** The per-step training loss as metric {@code prefix + "/train_loss"}, x = step. */
    static TrainingListener stepLoss(TaskContext ctx, String prefix) {
        String name = prefix + "/train_loss";
        return new TrainingListener() {
            @Override
            public void onTrainingBatch(long step, double loss) {
                ctx.metric(name, step, loss);
            }

            @Override
            public void onEpoch(Epoch epoch) { }
        };
    }

    /** Calls every listener in order. */
    static TrainingListener all(List<TrainingListener> listeners) {
        List<TrainingListener> copy = List.copyOf(listeners);
        return new TrainingListener() {
            @Override
            public void onTrainingBatch(long step, double loss) {
                for (TrainingListener l : copy) {
                    l.onTrainingBatch(step, loss);
                }
            }

            @Override
            public void onEpoch(Epoch epoch) throws IOException {
                for (TrainingListener l : copy) {
                    l.onEpoch(epoch);
                }
            }
        };
    }
}
