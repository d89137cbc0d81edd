package dev.rali.engine.rali;

import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ScoreDefinitionTest {

    /** Compressed embeddings: isotropic noise plus the score along one direction. */
    static float[][] synth(int n, int m, long seed, double noise, double[] s) {
        Random r = new Random(seed);
        float[][] z = new float[n][m];
        for (int i = 0; i < n; i++) {
            s[i] = 1 + 4 * r.nextDouble();
            for (int j = 0; j < m; j++) {
                z[i][j] = (float) (noise * r.nextGaussian());
            }
            z[i][0] += (float) (s[i] - 3);
            z[i][1] += 1.0f; // a constant offset so that cosines are not symmetric around the middle score
        }
        return z;
    }

    static Bases initBases(float[][] z, double[] s, int k, int buckets) {
        RaliParams.BasesParams p = new RaliParams().bases;
        p.count = k;
        p.buckets = buckets;
        return BucketedKMeans.fit(z, s, p, 1, TaskContext.silent()).bases();
    }

    @Test
    void analyticGradientsMatchFiniteDifferences() {
        Random r = new Random(4);
        int k = 5;
        int m = 4;
        int n = 7;
        double[][] mu = new double[k][m];
        double[] f = new double[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < m; j++) {
                mu[i][j] = r.nextGaussian();
            }
            f[i] = 1 + 4 * r.nextDouble();
        }
        float[][] zf = new float[n][m];
        double[] s = new double[n];
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < m; j++) {
                zf[b][j] = (float) r.nextGaussian();
            }
            s[b] = 1 + 4 * r.nextDouble();
        }
        double[][] x = ScoreFunction.normalise(zf);
        int[] idx = {0, 2, 3, 4, 6};
        double a = 2.5;
        for (RaliParams.Loss loss : RaliParams.Loss.values()) {
            double[][] gMu = new double[k][m];
            double[] gF = new double[k];
            double[] gA = new double[1];
            ScoreDefinition.gradients(mu, f, a, x, s, idx, loss, gMu, gF, gA);
            double h = 1e-6;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < m; j++) {
                    double old = mu[i][j];
                    mu[i][j] = old + h;
                    double lp = ScoreDefinition.gradients(mu, f, a, x, s, idx, loss, new double[k][m], new double[k], new double[1]);
                    mu[i][j] = old - h;
                    double lm = ScoreDefinition.gradients(mu, f, a, x, s, idx, loss, new double[k][m], new double[k], new double[1]);
                    mu[i][j] = old;
                    assertEquals((lp - lm) / (2 * h), gMu[i][j], 1e-6, loss + " dL/dμ[" + i + "][" + j + "]");
                }
                double old = f[i];
                f[i] = old + h;
                double lp = ScoreDefinition.gradients(mu, f, a, x, s, idx, loss, new double[k][m], new double[k], new double[1]);
                f[i] = old - h;
                double lm = ScoreDefinition.gradients(mu, f, a, x, s, idx, loss, new double[k][m], new double[k], new double[1]);
                f[i] = old;
                assertEquals((lp - lm) / (2 * h), gF[i], 1e-6, loss + " dL/df[" + i + "]");
            }
            double lp = ScoreDefinition.gradients(mu, f, a + h, x, s, idx, loss, new double[k][m], new double[k], new double[1]);
            double lm = ScoreDefinition.gradients(mu, f, a - h, x, s, idx, loss, new double[k][m], new double[k], new double[1]);
            assertEquals((lp - lm) / (2 * h), gA[0], 1e-6, loss + " dL/da");
            // τ is trained as θ = ln a: the chain-rule gradient matches a central difference in θ
            double theta = Math.log(a);
            double tp = ScoreDefinition.gradients(mu, f, Math.exp(theta + h), x, s, idx, loss, new double[k][m],
                    new double[k], new double[1]);
            double tm = ScoreDefinition.gradients(mu, f, Math.exp(theta - h), x, s, idx, loss, new double[k][m],
                    new double[k], new double[1]);
            assertEquals((tp - tm) / (2 * h), ScoreDefinition.logScaleGradient(a, gA[0]), 1e-6, loss + " dL/d ln a");
        }
    }

    @Test
    void predictionMatchesTheInferenceScoreHead() {
        double[] s = new double[200];
        float[][] z = synth(200, 6, 1, 0.5, s);
        Bases b = initBases(z, s, 20, 16);
        double[] p = ScoreFunction.predict(z, b.mu(), b.f(), 0.07);
        ScoreHead head = new ScoreHead(new float[6], 1f, null, b.mu(), b.f(), 0.07);
        for (int i = 0; i < 200; i += 17) {
            assertEquals(head.score(z[i]), p[i], 1e-4);
        }
    }

    /**
     * Embeddings dominated by content (6 blobs unrelated to quality) with the score along a weak direction q:
     * k-means bases mix content into μ, so the score definition has something real to learn (Table 4 case 5).
     */
    static float[][] content(int n, int d, long seed, double q, double[] so) {
        Random r = new Random(seed);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            double s = 1 + 4 * r.nextDouble();
            so[i] = s;
            int blob = r.nextInt(6);
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextGaussian() * 0.3 + (j == blob ? 3 : 0));
            }
            x[i][d - 1] += (float) (q * (s - 3));
        }
        return x;
    }

    @Test
    void fittingRaisesValidationPlccWellAboveTheInitialBases() throws Exception {
        double[] s = new double[2000];
        float[][] z = content(2000, 16, 2, 0.5, s);
        double[] sv = new double[500];
        float[][] zv = content(500, 16, 3, 0.5, sv);
        Compression c = Compression.fit(z, 16, TaskContext.silent());
        z = c.applyAll(z);
        zv = c.applyAll(zv);
        Bases init = initBases(z, s, 40, 30);
        RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
        p.epochs = 10;
        List<Double> valPlcc = new ArrayList<>();
        ScoreDefinition.Result r = ScoreDefinition.fit(z, s, zv, sv, init, p, 5, null, recording(valPlcc, null, -1));
        double initial = r.history().get(0).valPlcc();
        assertEquals(11, r.history().size());
        assertEquals(11, valPlcc.size());
        assertTrue(initial < 0.6, "initial " + initial);
        assertTrue(r.bestValPlcc() > 0.8, "initial " + initial + " → " + r.bestValPlcc());
        double[] pred = ScoreFunction.predict(zv, r.mu(), r.f(), r.tau());
        assertEquals(r.bestValPlcc(), Checks.plcc(pred, sv), 1e-4);
        assertTrue(r.history().get(r.history().size() - 1).trainLoss() < r.history().get(0).trainLoss() / 2);
    }

    @Test
    void disabledReturnsTheInitialBasesWithTheInitialTemperature() throws Exception {
        double[] s = new double[300];
        float[][] z = synth(300, 6, 2, 0.5, s);
        Bases init = initBases(z, s, 20, 16);
        RaliParams.ScoreDefinitionParams p = RaliParams.ablation("no_score_definition").scoreDefinition;
        ScoreDefinition.Result r = ScoreDefinition.fit(z, s, z, s, init, p, 1, null, TaskContext.silent());
        assertArrayEquals(init.mu(), r.mu());
        assertArrayEquals(init.f(), r.f());
        assertEquals(0.07, r.tau(), 1e-12);
        assertEquals(0, r.epochsRun());
    }

    @Test
    void learnableTauMoves() throws Exception {
        double[] s = new double[400];
        float[][] z = synth(400, 6, 2, 0.5, s);
        Bases init = initBases(z, s, 20, 16);
        RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
        p.epochs = 2;
        p.learnTau = true;
        p.tauInit = 1.0;
        ScoreDefinition.Result r = ScoreDefinition.fit(z, s, null, null, init, p, 1, null, TaskContext.silent());
        assertNotEquals(1.0, r.tau());
        assertTrue(r.tau() > 0 && Double.isFinite(r.tau()), "τ " + r.tau());
        p.learnTau = false;
        assertEquals(1.0, ScoreDefinition.fit(z, s, null, null, init, p, 1, null, TaskContext.silent()).tau());
    }

    @Test
    void learnedTauAloneLowersTheLossFromNearlyUniformWeightsAndStaysPositive() throws Exception {
        double[] s = new double[400];
        float[][] z = synth(400, 6, 2, 0.5, s);
        Bases init = initBases(z, s, 20, 16);
        RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
        p.epochs = 3;
        p.learnMu = false;
        p.learnF = false;
        p.keepBestEpoch = false;
        p.tauInit = 50; // a = 0.02: softmax weights nearly uniform, every score near the mean
        p.learnTau = true;
        ScoreDefinition.Result learned = ScoreDefinition.fit(z, s, null, null, init, p, 1, null, TaskContext.silent());
        assertTrue(learned.tau() > 0 && Double.isFinite(learned.tau()), "τ " + learned.tau());
        assertTrue(learned.tau() < 50, "τ moved towards sharper weights: " + learned.tau());
        List<ScoreDefinition.EpochStats> h = learned.history();
        assertTrue(h.get(h.size() - 1).trainLoss() < h.get(0).trainLoss(), "only τ trains, and the loss falls: " + h);
    }

    @Test
    void cancelledRunResumesToBitIdenticalParameters(@TempDir Path tmp) throws Exception {
        double[] s = new double[600];
        float[][] z = synth(600, 8, 7, 0.7, s);
        double[] sv = new double[200];
        float[][] zv = synth(200, 8, 8, 0.7, sv);
        Bases init = initBases(z, s, 30, 24);
        RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
        p.epochs = 5;
        p.batchSize = 50; // 12 steps per epoch
        p.learnTau = true;
        ScoreDefinition.Result straight = ScoreDefinition.fit(z, s, zv, sv, init, p, 3, tmp.resolve("a"),
                TaskContext.silent());

        Path dir = tmp.resolve("b");
        Files.createDirectories(dir);
        // cancel in the middle of epoch 3 (after 30 steps)
        assertThrows(CancelledException.class, () -> ScoreDefinition.fit(z, s, zv, sv, init, p, 3, dir,
                recording(new ArrayList<>(), null, 30)));
        assertTrue(Files.exists(dir.resolve(ScoreDefinition.CHECKPOINT)));
        ScoreDefinition.Result resumed = ScoreDefinition.fit(z, s, zv, sv, init, p, 3, dir, TaskContext.silent());
        assertTrue(resumed.resumed());
        assertArrayEquals(straight.mu(), resumed.mu());
        assertArrayEquals(straight.f(), resumed.f());
        assertEquals(straight.tau(), resumed.tau());
        assertEquals(straight.bestEpoch(), resumed.bestEpoch());
        assertEquals(straight.history(), resumed.history());
        // a finished checkpoint is returned as is
        ScoreDefinition.Result again = ScoreDefinition.fit(z, s, zv, sv, init, p, 3, dir, TaskContext.silent());
        assertArrayEquals(straight.f(), again.f());
        // other settings do not resume from it
        p.lr = 1e-2;
        ScoreDefinition.Result other = ScoreDefinition.fit(z, s, zv, sv, init, p, 3, dir, TaskContext.silent());
        assertFalse(other.resumed());
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() throws Exception {
        double[] s = new double[300];
        float[][] z = synth(300, 6, 9, 0.6, s);
        double[] sv = new double[100];
        float[][] zv = synth(100, 6, 10, 3.0, sv); // noisy validation: PLCC stops improving quickly
        Bases init = initBases(z, s, 20, 16);
        RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
        p.epochs = 60;
        p.lr = 0.3;
        p.earlyStoppingPatience = 2;
        ScoreDefinition.Result r = ScoreDefinition.fit(z, s, zv, sv, init, p, 1, null, TaskContext.silent());
        assertTrue(r.epochsRun() < 60, "ran " + r.epochsRun());
        assertEquals(r.bestEpoch() + 2, r.epochsRun());
        double best = r.history().stream().mapToDouble(ScoreDefinition.EpochStats::valPlcc).max().orElseThrow();
        assertEquals(best, r.bestValPlcc());
    }

    @Test
    void rejectsMismatchedDimensionsAndNanScores() {
        double[] s = new double[50];
        float[][] z = synth(50, 6, 2, 0.5, s);
        Bases init = initBases(z, s, 10, 8);
        RaliParams.ScoreDefinitionParams p = new RaliParams().scoreDefinition;
        float[][] wrong = synth(50, 5, 2, 0.5, new double[50]);
        var e = assertThrows(IllegalArgumentException.class,
                () -> ScoreDefinition.fit(wrong, s, null, null, init, p, 1, null, TaskContext.silent()));
        assertTrue(e.getMessage().contains("dimension"), e.getMessage());
        double[] bad = s.clone();
        bad[4] = Double.NaN;
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> ScoreDefinition.fit(z, bad, null, null, init, p, 1, null, TaskContext.silent()));
        assertTrue(e2.getMessage().contains("score 4 is NaN"), e2.getMessage());
    }

    /** Records val PLCC metrics; cancels once {@code cancelAfterSteps} train-loss metrics were seen (−1 = never). */
    static TaskContext recording(List<Double> valPlcc, List<String> logs, int cancelAfterSteps) {
        return new TaskContext() {
            int steps;

            @Override public void progress(String phase, long done, long total, String message) { }

            @Override public void log(String line) {
                if (logs != null) {
                    logs.add(line);
                }
            }

            @Override public void metric(String name, long step, double value) {
                if (name.equals("score_definition/val_plcc")) {
                    valPlcc.add(value);
                }
                if (name.equals("score_definition/train_loss")) {
                    steps++;
                }
            }

            @Override public boolean isCancelled() {
                return cancelAfterSteps >= 0 && steps >= cancelAfterSteps;
            }
        };
    }
}
