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
    void badBatchesAndBf16MixedPrecisionAreRefused() throws Exception {
        ClipConfig cfg = ClipConfig.read(ClipFixtures.dir("clip-c").resolve("config.json"));
        try (ClipModel m = ClipModel.random(cfg, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3).withMixedPrecision(true)));
            assertTrue(e.getMessage().contains("bf16") && e.getMessage().contains("float32"), e.getMessage());
            // the same refusal where a caller asks for bf16 directly: it must come before any cast to bfloat16,
            // which aborts the JVM under DJL 0.36 (this test would not get to report otherwise)
            e = assertThrows(IllegalArgumentException.class,
                    () -> new ClipVisionTrainer(m, ClipVisionTrainer.Options.defaults(3), DataType.BFLOAT16));
            assertTrue(e.getMessage().contains("not available"), e.getMessage());
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
