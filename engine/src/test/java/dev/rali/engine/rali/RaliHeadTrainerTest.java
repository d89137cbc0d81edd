package dev.rali.engine.rali;

import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RaliHeadTrainerTest {

    static final int D = 24;

    static RaliParams small(String ablation) {
        RaliParams p = RaliParams.ablation(ablation);
        p.compression.dim = 12;
        p.bases.count = 40;
        p.bases.buckets = 30;
        p.scoreDefinition.epochs = 8;
        return p;
    }

    @Test
    void fullHeadReachesHighPlccAndBeatsTheUntrainedBases() throws Exception {
        double[] s = new double[2000];
        float[][] x = ScoreDefinitionTest.content(2000, D, 21, 0.5, s);
        double[] sv = new double[500];
        float[][] xv = ScoreDefinitionTest.content(500, D, 22, 0.5, sv);
        RaliHeadTrainer.Result full = RaliHeadTrainer.train(x, s, xv, sv, small("full"), null, TaskContext.silent());
        assertEquals(12, full.head().pcaComponents().length);
        assertEquals(D, full.head().pcaComponents()[0].length);
        assertEquals(40, full.head().numBases());
        assertEquals(12, full.head().mu()[0].length);
        double v = full.metrics().get("head.val_plcc");
        assertTrue(v > 0.8, "val PLCC " + v);
        assertEquals(full.metrics().get("score_definition.best_val_plcc"), v, 1e-3);
        assertTrue(full.metrics().get("pca.explained_variance_ratio") > 0.5);

        RaliHeadTrainer.Result none = RaliHeadTrainer.train(x, s, xv, sv, small("no_score_definition"), null,
                TaskContext.silent());
        assertTrue(none.metrics().get("head.val_plcc") < v - 0.1,
                "untrained " + none.metrics().get("head.val_plcc") + " vs trained " + v);
        assertEquals(0.07, none.head().tau(), 1e-9);

        RaliHeadTrainer.Result noPca = RaliHeadTrainer.train(x, s, xv, sv, small("no_pca"), null, TaskContext.silent());
        assertNull(noPca.head().pcaComponents());
        assertEquals(D, noPca.head().mu()[0].length);
        // the ablation drops the reduction only: the head still subtracts the training mean, like PCA does
        assertArrayEquals(Compression.centred(x).mean(), noPca.head().pcaMean());
        assertTrue(Math.abs(noPca.head().pcaMean()[0]) > 1e-6, "the fixture's mean is not zero");
        assertTrue(noPca.metrics().get("head.val_plcc") > 0.6);

        RaliHeadTrainer.Result plain = RaliHeadTrainer.train(x, s, xv, sv, small("plain_kmeans"), null,
                TaskContext.silent());
        assertTrue(plain.metrics().get("bases.f_max") - plain.metrics().get("bases.f_min")
                < full.metrics().get("bases.f_max") - full.metrics().get("bases.f_min"));
    }

    @Test
    void resumesEveryStageAfterACancelToTheSameHead(@TempDir Path tmp) throws Exception {
        double[] s = new double[600];
        float[][] x = ScoreDefinitionTest.content(600, D, 31, 0.5, s);
        double[] sv = new double[200];
        float[][] xv = ScoreDefinitionTest.content(200, D, 32, 0.5, sv);
        RaliParams p = small("full");
        p.scoreDefinition.batchSize = 100; // 6 steps per epoch
        RaliHeadTrainer.Result straight = RaliHeadTrainer.train(x, s, xv, sv, p, tmp.resolve("a"), TaskContext.silent());

        Path dir = tmp.resolve("b");
        assertThrows(CancelledException.class, () -> RaliHeadTrainer.train(x, s, xv, sv, p, dir,
                ScoreDefinitionTest.recording(new ArrayList<>(), null, 20)));
        assertTrue(Files.exists(dir.resolve(RaliHeadTrainer.PCA_FILE)));
        assertTrue(Files.exists(dir.resolve(RaliHeadTrainer.BASES_FILE)));
        assertFalse(Files.exists(dir.resolve(RaliHeadTrainer.HEAD_FILE)));
        List<String> logs = new ArrayList<>();
        RaliHeadTrainer.Result resumed = RaliHeadTrainer.train(x, s, xv, sv, p, dir,
                ScoreDefinitionTest.recording(new ArrayList<>(), logs, -1));
        assertTrue(logs.stream().anyMatch(l -> l.startsWith("PCA: reusing")), logs.toString());
        assertTrue(logs.stream().anyMatch(l -> l.startsWith("bases: reusing")), logs.toString());
        assertTrue(logs.stream().anyMatch(l -> l.startsWith("score definition: resuming")), logs.toString());
        assertArrayEquals(straight.head().mu(), resumed.head().mu());
        assertArrayEquals(straight.head().f(), resumed.head().f());
        assertArrayEquals(straight.head().pcaComponents(), resumed.head().pcaComponents());
        assertEquals(straight.metrics(), resumed.metrics());
        HeadParams written = HeadParams.read(dir.resolve(RaliHeadTrainer.HEAD_FILE));
        assertArrayEquals(straight.head().f(), written.f());

        // changed bases settings recompute the bases but reuse the PCA
        p.bases.count = 30;
        logs.clear();
        RaliHeadTrainer.Result changed = RaliHeadTrainer.train(x, s, xv, sv, p, dir,
                ScoreDefinitionTest.recording(new ArrayList<>(), logs, -1));
        assertEquals(30, changed.head().numBases());
        assertTrue(logs.stream().anyMatch(l -> l.startsWith("PCA: reusing")));
        assertFalse(logs.stream().anyMatch(l -> l.startsWith("bases: reusing")));
    }

    @Test
    void rejectsBadInputsWithClearMessages() {
        double[] s = new double[50];
        float[][] x = ScoreDefinitionTest.content(50, D, 1, 0.5, s);
        float[][] xv = ScoreDefinitionTest.content(10, D - 1, 2, 0.5, new double[10]);
        var e = assertThrows(IllegalArgumentException.class, () -> RaliHeadTrainer.train(x, s, xv, new double[10],
                small("full"), null, TaskContext.silent()));
        assertTrue(e.getMessage().contains("dimension " + (D - 1)), e.getMessage());
        double[] bad = s.clone();
        bad[7] = Double.NaN;
        var e2 = assertThrows(IllegalArgumentException.class, () -> RaliHeadTrainer.train(x, bad, null, null,
                small("full"), null, TaskContext.silent()));
        assertTrue(e2.getMessage().contains("training scores: score 7 is NaN"), e2.getMessage());
        var e3 = assertThrows(IllegalArgumentException.class, () -> RaliHeadTrainer.train(x, new double[49], null,
                null, small("full"), null, TaskContext.silent()));
        assertTrue(e3.getMessage().contains("49 scores for 50 embeddings"), e3.getMessage());
    }

    @Test
    void valFractionHoldsOutASeededSubsetWhenNoValidationSetIsGiven() throws Exception {
        double[] s = new double[500];
        float[][] x = ScoreDefinitionTest.content(500, D, 41, 0.5, s);
        RaliParams p = small("full");
        p.scoreDefinition.valFraction = 0.2;
        RaliHeadTrainer.Result r = RaliHeadTrainer.train(x, s, null, null, p, null, TaskContext.silent());
        assertEquals(400.0, r.metrics().get("data.train_size"));
        assertEquals(100.0, r.metrics().get("data.val_size"));
        assertTrue(r.metrics().containsKey("head.val_plcc"));
        RaliHeadTrainer.Result again = RaliHeadTrainer.train(x, s, null, null, p, null, TaskContext.silent());
        assertArrayEquals(r.head().f(), again.head().f());
        RaliHeadTrainer.Result none = RaliHeadTrainer.train(x, s, null, null, small("full"), null, TaskContext.silent());
        assertEquals(0.0, none.metrics().get("data.val_size"));
        assertFalse(none.metrics().containsKey("head.val_plcc"));
    }
}
