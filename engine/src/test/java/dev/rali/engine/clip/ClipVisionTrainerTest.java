package dev.rali.engine.clip;

import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipVisionTrainerTest {

    private static float[] pixels(ClipConfig c, int n, long seed) {
        Random r = new Random(seed);
        float[] px = new float[n * c.vision().numChannels() * c.vision().imageSize() * c.vision().imageSize()];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        return px;
    }

    private static float[][] targets(ClipConfig c, int n, long seed) {
        Random r = new Random(seed);
        float[][] t = new float[n][c.projectionDim()];
        for (float[] row : t) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return t;
    }

    @Test
    void lossDecreasesOnATinyRandomModel() throws Exception {
        ClipConfig cfg = ClipConfig.read(ClipFixtures.dir("clip-b").resolve("config.json"));
        float[] px = pixels(cfg, 4, 1);
        float[][] tg = targets(cfg, 4, 2);
        try (ClipModel m = ClipModel.random(cfg, 3);
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(30)
                     .withLearningRate(3e-3).withWarmup(2))) {
            float before = tr.evalLoss(px, 4, tg);
            float first = 0;
            float last = 0;
            for (int i = 0; i < 12; i++) {
                last = tr.step(px, 4, tg);
                if (i == 0) {
                    first = last;
                    assertEquals(before, first, 1e-6, "step returns the loss before its update");
                }
            }
            float after = tr.evalLoss(px, 4, tg);
            assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
            ClipVisionTrainer.StepTimes t = tr.lastStepTimes();
            assertTrue(t.forwardS() > 0 && t.backwardS() > 0 && t.optimizerS() > 0, t.toString());
            assertTrue(last < first);
            assertEquals(12, tr.stepCount());
            assertTrue(tr.lastGradNorm() > 0 && Double.isFinite(tr.lastGradNorm()));
        }
    }

    @Test
    void onlyTheVisionTowerMoves() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu())) {
            float[] text0 = m.parameter("text_model.encoder.layers.0.mlp.fc1.weight");
            float[] proj0 = m.parameter("text_projection.weight");
            float[] vis0 = m.parameter("vision_model.encoder.layers.1.self_attn.q_proj.weight");
            float[] vproj0 = m.parameter("visual_projection.weight");
            double scale0 = m.logitScale();
            float[][] embeds0 = m.embedImages(pixels(cfg, 3, 4), 3); // builds the fused inference weights
            try (ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(5)
                    .withLearningRate(1e-3))) {
                tr.step(pixels(cfg, 3, 4), 3, targets(cfg, 3, 5));
                assertFalse(tr.trainableNames().contains("logit_scale"));
            }
            // inference sees the trained weights (derived caches were dropped), same as a saved-and-reloaded copy
            float[][] embeds1 = m.embedImages(pixels(cfg, 3, 4), 3);
            assertFalse(Arrays.equals(embeds0[0], embeds1[0]));
            Path saved = java.nio.file.Files.createTempDirectory("clip-trained");
            m.saveHf(saved);
            try (ClipModel re = ClipModel.load(saved, ClipLoadOptions.cpu())) {
                assertArrayEquals(embeds1, re.embedImages(pixels(cfg, 3, 4), 3));
            }
            assertArrayEquals(text0, m.parameter("text_model.encoder.layers.0.mlp.fc1.weight"));
            assertArrayEquals(proj0, m.parameter("text_projection.weight"));
            assertEquals(scale0, m.logitScale());
            assertFalse(Arrays.equals(vis0, m.parameter("vision_model.encoder.layers.1.self_attn.q_proj.weight")));
            assertFalse(Arrays.equals(vproj0, m.parameter("visual_projection.weight")));
            // the model still runs inference after the trainer is closed
            assertEquals(3, m.embedImages(pixels(cfg, 3, 4), 3).length);
        }
    }

    /** Central differences in float64 against autograd, for weights spread over the whole vision tower. */
    @Test
    void gradientsMatchFiniteDifferences() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        float[] px = pixels(cfg, 3, 7);
        float[][] tg = targets(cfg, 3, 8);
        List<String> names = List.of("vision_model.embeddings.patch_embedding.weight",
                "vision_model.embeddings.class_embedding", "vision_model.embeddings.position_embedding.weight",
                "vision_model.pre_layrnorm.weight", "vision_model.encoder.layers.0.self_attn.q_proj.weight",
                "vision_model.encoder.layers.0.self_attn.k_proj.weight",
                "vision_model.encoder.layers.1.self_attn.v_proj.bias", "vision_model.encoder.layers.1.mlp.fc1.weight",
                "vision_model.encoder.layers.1.mlp.fc2.bias", "vision_model.post_layernorm.bias",
                "visual_projection.weight", "logit_scale");
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(1)
                     .withLearnLogitScale(true), DataType.FLOAT64)) {
            Map<String, double[]> grads = tr.gradients(px, 3, tg);
            Random r = new Random(9);
            int checked = 0;
            for (String name : names) {
                float[] w = m.parameter(name);
                for (int k = 0; k < 3; k++) {
                    int i = r.nextInt(w.length);
                    float orig = w[i];
                    float h = 1e-4f * Math.max(1f, Math.abs(orig)); // small: LN inputs here are ~0.03
                    float plus = orig + h;
                    float minus = orig - h;
                    w[i] = plus;
                    tr.setParameter(name, w);
                    double lp = tr.evalLossDouble(px, 3, tg);
                    w[i] = minus;
                    tr.setParameter(name, w);
                    double lm = tr.evalLossDouble(px, 3, tg);
                    w[i] = orig;
                    tr.setParameter(name, w);
                    double fd = (lp - lm) / ((double) plus - minus);
                    double an = grads.get(name)[i];
                    double tol = 2e-3 * Math.max(Math.abs(fd), Math.abs(an)) + 1e-6;
                    assertEquals(fd, an, tol, name + "[" + i + "]");
                    checked++;
                }
            }
            assertEquals(36, checked);
            double norm = 0;
            for (double[] g : grads.values()) {
                for (double v : g) {
                    norm += v * v;
                }
            }
            assertTrue(Math.sqrt(norm) > 1e-3, "gradients are not trivially zero");
        }
    }

    /** The master-weight path (mixed precision on a GPU) with float64 working copies tracks plain float32. */
    @Test
    void masterWeightPathTrainsLikeFloat32() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        ClipVisionTrainer.Options opt = ClipVisionTrainer.Options.defaults(10).withLearningRate(1e-3);
        float[] f32 = new float[4];
        float[] f64 = new float[4];
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu()); ClipVisionTrainer tr = new ClipVisionTrainer(m, opt)) {
            for (int i = 0; i < 4; i++) {
                f32[i] = tr.step(pixels(cfg, 3, i), 3, targets(cfg, 3, 20 + i));
            }
        }
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, opt, DataType.FLOAT64)) {
            for (int i = 0; i < 4; i++) {
                f64[i] = tr.step(pixels(cfg, 3, i), 3, targets(cfg, 3, 20 + i));
            }
        }
        assertArrayEquals(f32, f64, 1e-4f);
        assertTrue(f32[3] != f32[0]);
    }

    /**
     * bf16 mixed precision (autocast-style layers, fp32 master weights): its gradients point where the fp32 ones
     * do, within bf16's rounding, and one step moves the fp32 weights nearly as the fp32 step does.
     */
    @Test
    void bf16StepMovesTheWeightsCloseToTheFp32Step() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        float[] px = pixels(cfg, 4, 5);
        float[][] tg = targets(cfg, 4, 6);
        ClipVisionTrainer.Options opt = ClipVisionTrainer.Options.defaults(10).withLearningRate(1e-3);
        String w = "vision_model.encoder.layers.0.mlp.fc1.weight";
        Map<String, double[]> g32;
        Map<String, double[]> g16;
        float[] before;
        float[] after32;
        float[] after16;
        float loss32;
        float loss16;
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu()); ClipVisionTrainer tr = new ClipVisionTrainer(m, opt)) {
            before = m.parameter(w);
            g32 = tr.gradients(px, 4, tg);
            loss32 = tr.step(px, 4, tg);
            after32 = m.parameter(w);
        }
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, opt.withMixedPrecision(true))) {
            g16 = tr.gradients(px, 4, tg);
            loss16 = tr.step(px, 4, tg);
            after16 = m.parameter(w);
        }
        assertEquals(loss32, loss16, 0.02 * Math.abs(loss32), "bf16 loss");
        for (String name : g32.keySet()) {
            if (name.endsWith("k_proj.bias")) {
                continue; // exactly 0 in exact math (a key bias shifts a query's scores evenly): rounding noise only
            }
            double[] a = g32.get(name);
            double[] b = g16.get(name);
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int i = 0; i < a.length; i++) {
                dot += a[i] * b[i];
                na += a[i] * a[i];
                nb += b[i] * b[i];
            }
            if (na > 1e-20) {
                assertTrue(dot / Math.sqrt(na * nb) > 0.98, name + ": cosine " + dot / Math.sqrt(na * nb));
            }
        }
        assertFalse(Arrays.equals(g32.get(w), g16.get(w)), "the bf16 layers ran (gradients differ from fp32)");
        // The step's displacement: mostly the same direction and size (Adam's first step is ~lr * sign(g), so
        // entries whose gradient is near zero may flip; they are few).
        double dot = 0;
        double n32 = 0;
        double n16 = 0;
        for (int i = 0; i < before.length; i++) {
            double d32 = after32[i] - before[i];
            double d16 = after16[i] - before[i];
            dot += d32 * d16;
            n32 += d32 * d32;
            n16 += d16 * d16;
        }
        assertTrue(n32 > 0, "the fp32 step moved the weights");
        assertTrue(dot / Math.sqrt(n32 * n16) > 0.9, "step cosine " + dot / Math.sqrt(n32 * n16));
        assertEquals(1.0, Math.sqrt(n16 / n32), 0.1, "step size ratio");
    }

    @Test
    void resumeContinuesBitForBit(@TempDir Path tmp) throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        ClipVisionTrainer.Options opt = ClipVisionTrainer.Options.defaults(10).withLearningRate(2e-3).withWarmup(2)
                .withLearnLogitScale(true);
        Path state = tmp.resolve("state.safetensors");
        float a3;
        float a4;
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu()); ClipVisionTrainer tr = new ClipVisionTrainer(m, opt)) {
            tr.step(pixels(cfg, 3, 1), 3, targets(cfg, 3, 11));
            tr.step(pixels(cfg, 3, 2), 3, targets(cfg, 3, 12));
            tr.saveState(state);
            a3 = tr.step(pixels(cfg, 3, 3), 3, targets(cfg, 3, 13));
            a4 = tr.step(pixels(cfg, 3, 4), 3, targets(cfg, 3, 14));
        }
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu()); ClipVisionTrainer tr = new ClipVisionTrainer(m, opt)) {
            tr.loadState(state);
            assertEquals(2, tr.stepCount());
            assertEquals(a3, tr.step(pixels(cfg, 3, 3), 3, targets(cfg, 3, 13)));
            assertEquals(a4, tr.step(pixels(cfg, 3, 4), 3, targets(cfg, 3, 14)));
        }
    }

    @Test
    void stateOfAnotherModelIsRejected(@TempDir Path tmp) throws Exception {
        Path state = tmp.resolve("state.safetensors");
        try (ClipModel m = ClipModel.load(ClipFixtures.dir("clip-c"), ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3))) {
            tr.saveState(state);
        }
        try (ClipModel m = ClipModel.load(ClipFixtures.dir("clip-b"), ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3))) {
            Exception e = assertThrows(java.io.IOException.class, () -> tr.loadState(state));
            assertTrue(e.getMessage().contains("expected shape"), e.getMessage());
        }
    }

    @Test
    void scheduleWarmsUpLinearlyThenDecaysByCosine() throws Exception {
        try (ClipModel m = ClipModel.random(ClipConfig.read(ClipFixtures.dir("clip-c").resolve("config.json")), 1);
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(110)
                     .withLearningRate(1e-3).withWarmup(10))) {
            assertEquals(1e-4, tr.learningRate(1), 1e-12);
            assertEquals(1e-3, tr.learningRate(10), 1e-12);
            assertEquals(5e-4, tr.learningRate(60), 1e-12);
            assertEquals(0, tr.learningRate(110), 1e-12);
            assertEquals(0, tr.learningRate(500), 1e-12);
        }
    }

    @Test
    void gradientNormIsTheGlobalNormBeforeClipping() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3).withMaxGradNorm(1e-4))) {
            Map<String, double[]> g = tr.gradients(pixels(cfg, 3, 1), 3, targets(cfg, 3, 2));
            double sq = 0;
            for (double[] a : g.values()) {
                for (double v : a) {
                    sq += v * v;
                }
            }
            float[] before = m.parameter("visual_projection.weight");
            tr.step(pixels(cfg, 3, 1), 3, targets(cfg, 3, 2));
            assertEquals(Math.sqrt(sq), tr.lastGradNorm(), 1e-5 * Math.sqrt(sq));
            assertTrue(tr.lastGradNorm() > 1e-4, "the test must actually clip");
            // the step still moves the weights (Adam normalises the clipped gradient)
            assertFalse(Arrays.equals(before, m.parameter("visual_projection.weight")));
        }
    }

    @Test
    void twoStepsFollowTorchAdamWWithClippingAndDecoupledDecay() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        double lr = 1e-3;
        double wd = 0.05;
        double maxNorm = 0.5;
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(1000)
                     .withLearningRate(lr).withWeightDecay(wd).withMaxGradNorm(maxNorm))) {
            ClipVisionTrainer.Options o = tr.options();
            List<String> names = tr.trainableNames();
            Map<String, double[]> p = new java.util.HashMap<>();
            Map<String, double[]> mom = new java.util.HashMap<>();
            Map<String, double[]> vel = new java.util.HashMap<>();
            for (String n : names) {
                float[] f = m.parameter(n);
                double[] d = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    d[i] = f[i];
                }
                p.put(n, d);
                mom.put(n, new double[f.length]);
                vel.put(n, new double[f.length]);
            }
            for (int t = 1; t <= 2; t++) {
                float[] px = pixels(cfg, 3, 10 + t);
                float[][] tg = targets(cfg, 3, 20 + t);
                Map<String, double[]> g = tr.gradients(px, 3, tg);
                double sq = 0;
                for (double[] a : g.values()) {
                    for (double v : a) {
                        sq += v * v;
                    }
                }
                double clip = Math.min(1, maxNorm / (Math.sqrt(sq) + 1e-6)); // torch's clip_grad_norm_
                double rate = tr.learningRate(t);
                double bc1 = 1 - Math.pow(o.beta1(), t);
                double bc2 = 1 - Math.pow(o.beta2(), t);
                for (String n : names) {
                    double[] w = p.get(n);
                    double[] gm = g.get(n);
                    boolean decay = m.params().get(n).getShape().dimension() >= 2;
                    for (int i = 0; i < w.length; i++) {
                        double gi = gm[i] * clip;
                        mom.get(n)[i] = o.beta1() * mom.get(n)[i] + (1 - o.beta1()) * gi;
                        vel.get(n)[i] = o.beta2() * vel.get(n)[i] + (1 - o.beta2()) * gi * gi;
                        if (decay) {
                            w[i] *= 1 - rate * wd;
                        }
                        double denom = Math.sqrt(vel.get(n)[i]) / Math.sqrt(bc2) + o.epsilon();
                        w[i] -= rate / bc1 * mom.get(n)[i] / denom;
                    }
                }
                tr.step(px, 3, tg);
                assertTrue(clip < 1, "the test must clip at step " + t);
            }
            for (String n : names) {
                float[] got = m.parameter(n);
                double[] want = p.get(n);
                for (int i = 0; i < got.length; i++) {
                    assertEquals(want[i], got[i], 1e-6 + 1e-5 * Math.abs(want[i]), n + "[" + i + "]");
                }
            }
        }
    }

    private static float[] fourSteps(Path dir, ClipConfig cfg) throws Exception {
        float[] out = new float[5];
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(10)
                     .withLearningRate(1e-3))) {
            for (int i = 0; i < 4; i++) {
                out[i] = tr.step(pixels(cfg, 3, i), 3, targets(cfg, 3, 20 + i));
            }
            assertEquals(0, tr.skippedSteps(), "skipped: " + tr.lastNonFiniteGradients());
            out[4] = tr.evalLoss(pixels(cfg, 3, 9), 3, targets(cfg, 3, 29));
        }
        return out;
    }

    /**
     * Regression: DJL's op(Number) frees its scalar's memory while autograd still holds it for the backward pass,
     * so while the garbage collector ran, gradients were now and then Infinity, the step was skipped and two
     * identical runs diverged (19 of 30 runs differed in this setting before the fix; ClipGraph.k).
     */
    @Test
    void trainingIsRepeatableWhileTheGarbageCollectorRuns() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        ClipConfig cfg = ClipConfig.read(dir.resolve("config.json"));
        float[] ref = fourSteps(dir, cfg);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread collector = new Thread(() -> {
            while (!stop.get()) {
                byte[][] junk = new byte[8][];
                for (int i = 0; i < junk.length; i++) {
                    junk[i] = new byte[1 << 17];
                }
                System.gc();
            }
        });
        collector.setDaemon(true);
        collector.start();
        try {
            for (int run = 0; run < 10; run++) {
                assertArrayEquals(ref, fourSteps(dir, cfg), "run " + run + " differs from the first");
            }
        } finally {
            stop.set(true);
            collector.join();
        }
    }

    @Test
    void badBatchesAndBf16WorkingCopiesAreRefused() throws Exception {
        ClipConfig cfg = ClipConfig.read(ClipFixtures.dir("clip-c").resolve("config.json"));
        try (ClipModel m = ClipModel.random(cfg, 1)) {
            // bf16 working copies are refused before any cast to bfloat16, which aborts the JVM under DJL 0.36
            // (this test would not get to report otherwise)
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3), DataType.BFLOAT16));
            assertTrue(e.getMessage().contains("not available") && e.getMessage().contains("withMixedPrecision"),
                    e.getMessage());
            try (ClipVisionTrainer tr = new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3))) {
                assertThrows(IllegalArgumentException.class, () -> tr.step(pixels(cfg, 1, 1), 1, targets(cfg, 1, 1)));
                e = assertThrows(IllegalArgumentException.class,
                        () -> tr.step(pixels(cfg, 2, 1), 2, new float[][] {new float[16], new float[15]}));
                assertTrue(e.getMessage().contains("projection_dim"), e.getMessage());
                float[][] nan = targets(cfg, 2, 1);
                nan[1][3] = Float.NaN;
                assertThrows(IllegalArgumentException.class, () -> tr.step(pixels(cfg, 2, 1), 2, nan));
                assertThrows(IllegalArgumentException.class, () -> tr.step(new float[5], 2, targets(cfg, 2, 1)));
            }
        }
    }
}
