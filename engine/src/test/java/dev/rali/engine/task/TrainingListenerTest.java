package dev.rali.engine.task;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingListenerTest {

    private static TrainingListener.Epoch epoch(int e, double trainLoss, double val) {
        return new TrainingListener.Epoch(e, e * 10L, trainLoss, Double.NaN, val);
    }

    private static TaskContext recording(List<String> lines) {
        return new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) { }
            @Override public void log(String line) { lines.add(line); }
            @Override public void metric(String name, long step, double value) { lines.add(name + "@" + step + "=" + value); }
            @Override public boolean isCancelled() { return false; }
        };
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutABetterMetric() {
        List<String> log = new ArrayList<>();
        EarlyStopping es = new EarlyStopping(2, "fit", "PLCC", recording(log));
        es.start(0, 0.5);
        es.onEpoch(epoch(1, 1, 0.6));
        assertTrue(es.improved());
        es.onEpoch(epoch(2, 1, 0.55));
        assertFalse(es.improved());
        assertFalse(es.stopped());
        es.onEpoch(epoch(3, 1, 0.6)); // equal is not better
        assertTrue(es.stopped());
        assertEquals(1, es.bestEpoch());
        assertEquals(0.6, es.best());
        assertEquals(List.of("fit: early stop after epoch 3 (best epoch 1, val PLCC 0.6)"), log);
    }

    @Test
    void withoutValidationEveryEpochIsTheBestAndPatienceZeroNeverStops() {
        EarlyStopping es = new EarlyStopping(0, "fit", "PLCC", TaskContext.silent());
        es.start(0, Double.NaN);
        for (int e = 1; e <= 5; e++) {
            es.onEpoch(epoch(e, 1, Double.NaN));
            assertTrue(es.improved());
        }
        assertEquals(5, es.bestEpoch());
        EarlyStopping never = new EarlyStopping(0, "fit", "PLCC", TaskContext.silent());
        never.start(0, 0.9);
        for (int e = 1; e <= 50; e++) {
            never.onEpoch(epoch(e, 1, 0.1));
        }
        assertFalse(never.stopped());
        assertEquals(50, never.badEpochs());
    }

    @Test
    void restoredStateContinuesCountingWhereItStopped() {
        EarlyStopping es = new EarlyStopping(3, "fit", "PLCC", TaskContext.silent());
        es.restore(0.8, 4, 2, false);
        es.onEpoch(epoch(7, 1, 0.7));
        assertTrue(es.stopped(), "third bad epoch after two before the checkpoint");
        assertEquals(4, es.bestEpoch());
    }

    @Test
    void divergenceCheckFailsOnANonFiniteTrainingLossNamingTheFix() {
        DivergenceCheck d = new DivergenceCheck("score definition", "lower scoreDefinition.lr");
        d.onEpoch(epoch(1, 0.3, Double.NaN));
        var e = assertThrows(IllegalStateException.class, () -> d.onEpoch(epoch(2, Double.POSITIVE_INFINITY, 0.5)));
        assertEquals("score definition diverged at epoch 2 (training loss Infinity); lower scoreDefinition.lr",
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> d.onEpoch(epoch(3, Double.NaN, 0.5)));
    }

    @Test
    void allCallsListenersInOrderAndStepLossRecordsTheMetric() throws Exception {
        List<String> seen = new ArrayList<>();
        TrainingListener all = TrainingListener.all(List.of(TrainingListener.stepLoss(recording(seen), "align"),
                e -> seen.add("first " + e.epoch()), e -> seen.add("second " + e.epoch())));
        all.onTrainingBatch(3, 0.25);
        all.onEpoch(epoch(1, 0.2, 0.1));
        assertEquals(List.of("align/train_loss@3=0.25", "first 1", "second 1"), seen);
    }
}
