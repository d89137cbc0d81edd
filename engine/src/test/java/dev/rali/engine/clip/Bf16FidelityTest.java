package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.eval.Metrics;
import dev.rali.engine.rali.Compression;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bf16 scoring against fp32 on fixture-sized towers with a head of the demo bundle's shape fitted to the tower's own
 * fp32 embeddings (PCA to 16, 20 bases between sample pairs, the paper's τ = 0.07, f over 1–5). Issue 14's bound
 * (max |Δscore| ≤ 0.02 MOS, SRCC ≥ 0.999) is met on the demo bundle (bench/bf16_fidelity.py, docs/PERFORMANCE.md)
 * but cannot be asserted here: random-weight towers map different images to nearly the same embedding (bf16's
 * error is 1–2 % of the between-image spread), and a τ = 0.07 head amplifies exactly that. So the test asserts
 * the SRCC bound where it holds (bf16-mlp), and max |Δscore| bounds that catch a broken path (measured 0.09 and
 * 0.13 with this construction, 2026-12-04), not the 0.02.
 */
class Bf16FidelityTest {

    private static final int N = 64;

    private static float[] images(ClipConfig.Vision v, long seed) {
        // smooth random images (a few low-frequency waves per channel), not white noise
        int s = v.imageSize();
        float[] px = new float[N * v.numChannels() * s * s];
        Random r = new Random(seed);
        int i = 0;
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < v.numChannels(); c++) {
                double fx = r.nextDouble() * 0.5, fy = r.nextDouble() * 0.5, ph = r.nextDouble() * 6, a = r.nextGaussian();
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        px[i++] = (float) (a * Math.sin(fx * x + fy * y + ph) + 0.3 * r.nextGaussian());
                    }
                }
            }
        }
        return px;
    }

    /** PCA to 8 dims of the fp32 embeddings, 10 bases halfway between sample pairs, f over 1–5, τ 0.07. */
    private static ScoreHead headFittedTo(float[][] e) {
        Compression c = Compression.fit(e, 16, TaskContext.silent());
        float[][] z = c.applyAll(e);
        float[][] mu = new float[20][];
        float[] f = new float[mu.length];
        for (int i = 0; i < mu.length; i++) {
            float[] a = z[2 * i];
            float[] b = z[2 * i + 1];
            mu[i] = new float[a.length];
            for (int k = 0; k < a.length; k++) {
                mu[i][k] = (a[k] + b[k]) / 2;
            }
            f[i] = 1 + 4f * i / (mu.length - 1);
        }
        return new ScoreHead(c.mean(), 1f, c.components(), mu, f, 0.07);
    }

    private static double[] fidelity(ClipModel fp32, ClipModel bf16, float[] px) {
        float[][] e32 = fp32.embedImages(px, N);
        float[][] e16 = bf16.embedImages(px, N);
        ScoreHead head = headFittedTo(e32);
        double[] s32 = new double[N];
        double[] s16 = new double[N];
        double max = 0;
        for (int i = 0; i < N; i++) {
            s32[i] = head.score(e32[i]);
            s16[i] = head.score(e16[i]);
            max = Math.max(max, Math.abs(s32[i] - s16[i]));
        }
        double spread = java.util.Arrays.stream(s32).max().getAsDouble() - java.util.Arrays.stream(s32).min().getAsDouble();
        assertTrue(spread > 0.5, "the head must spread the scores for the bound to mean anything: " + spread);
        assertTrue(!java.util.Arrays.equals(e32[0], e16[0]), "the bf16 path was not taken: identical embeddings");
        return new double[] {max, Metrics.srcc(s16, s32)};
    }

    @Test
    void narrowTowerUnderBf16RunsTheMlpInBf16AndKeepsTheRanking() throws Exception {
        java.nio.file.Path dir = ClipFixtures.dir("clip-b");
        try (ClipModel fp32 = ClipModel.load(dir, ClipLoadOptions.cpu());
             ClipModel bf16 = ClipModel.load(dir, ClipLoadOptions.cpu().withPrecision("bf16"))) {
            assertEquals(Precision.BF16_MLP, bf16.precision(), "a 36-wide tower runs bf16 in the MLP only");
            double[] r = fidelity(fp32, bf16, images(fp32.config().vision(), 5));
            assertTrue(r[0] <= 0.15, "max |Δscore| " + r[0]);
            assertTrue(r[1] >= 0.999, "SRCC " + r[1]);
        }
    }

    @Test
    void wideTowerRunsTheWholeLayerInBf16CloseToFp32() throws Exception {
        // clip-b's architecture widened to 512 (the width where bf16 covers the attention too), two layers, random weights
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = (ObjectNode) om.readTree(ClipFixtures.dir("clip-b").resolve("config.json").toFile());
        ObjectNode v = (ObjectNode) root.get("vision_config");
        v.put("hidden_size", 512).put("intermediate_size", 2048).put("num_attention_heads", 8).put("num_hidden_layers", 2);
        ClipConfig cfg = ClipConfig.fromJson(root);
        try (ClipModel fp32 = ClipModel.random(cfg, 11, ClipLoadOptions.cpu());
             ClipModel bf16 = ClipModel.random(cfg, 11, ClipLoadOptions.cpu().withPrecision("bf16"))) {
            assertEquals(Precision.BF16, bf16.precision());
            double[] r = fidelity(fp32, bf16, images(cfg.vision(), 6));
            assertTrue(r[0] <= 0.25, "max |Δscore| " + r[0]);
            assertTrue(r[1] >= 0.995, "SRCC " + r[1]);
        }
    }
}
