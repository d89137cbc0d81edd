package dev.rali.engine.analysis.saliency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.TestPaths;
import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.FloatTensor;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.sample.SampleProjectBuilder;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SaliencyTest {

    @Test
    void rolloutMatchesTheNumpyReference() throws Exception {
        JsonNode ref;
        try (InputStream in = SaliencyTest.class.getResourceAsStream("rollout.json")) {
            ref = new ObjectMapper().readTree(in);
        }
        int l = ref.get("layers").asInt();
        int h = ref.get("heads").asInt();
        int t = ref.get("tokens").asInt();
        List<FloatTensor> layers = new ArrayList<>();
        for (int li = 0; li < l; li++) { // the rule of bench/attention_rollout.py
            float[] a = new float[h * t * t];
            for (int hi = 0; hi < h; hi++) {
                for (int i = 0; i < t; i++) {
                    double[] row = new double[t];
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        row[j] = Math.exp(Math.sin(1 + 0.7 * li + 1.3 * hi + 0.37 * i + 0.61 * j));
                        sum += row[j];
                    }
                    for (int j = 0; j < t; j++) {
                        a[(hi * t + i) * t + j] = (float) (row[j] / sum);
                    }
                }
            }
            layers.add(new FloatTensor(a, new long[] {h, t, t}));
        }
        double[][] r = AttentionRollout.rollout(layers);
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < t; j++) {
                assertEquals(ref.get("rollout").get(i).get(j).asDouble(), r[i][j], 1e-7, "[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void theAppsSaliencyModelsOpenABundleOnceUntilReleased(@TempDir Path tmp) throws Exception {
        Path bundle = SaliencyTestBundles.tiny(tmp);
        Path photo = SampleProjectBuilder.findPhotosDir(Path.of("")).resolve("camera.png");
        SaliencyModels models = new SaliencyModels("cpu");
        double score;
        try (Explainer x = models.open(bundle)) {
            score = x.explain(photo, 2, TaskContext.silent()).score();
        }
        try (Explainer x = models.open(bundle)) { // closing the first did not close the model
            assertEquals(score, x.explain(photo, 2, TaskContext.silent()).score(), 1e-9);
            assertTrue(x.explainText("the image is sharp", TaskContext.silent()).words().size() > 0);
        }
        assertEquals(1, models.opened());
        models.release();
        try (Explainer x = models.open(bundle)) {
            assertEquals(score, x.explain(photo, 2, TaskContext.silent()).score(), 1e-9);
        }
        assertEquals(2, models.opened(), "opened again after a release");
        models.release();
    }

    @Test
    void scoreMatchesTheScorerAndTheMostAttributedWindowMattersMost(@TempDir Path tmp) throws Exception {
        Path bundle = SaliencyTestBundles.tiny(tmp);
        Path photo = SampleProjectBuilder.findPhotosDir(Path.of("")).resolve("camera.png");
        ImageSaliency r;
        try (SaliencyService s = SaliencyService.open(bundle, "cpu")) {
            long t0 = System.nanoTime();
            r = s.explain(photo, 1, TaskContext.silent());
            assertTrue(System.nanoTime() - t0 < 30e9, "seconds at demo size");
            // rollout: the class token's row sums to 1 over all tokens, the patches get a positive part of it
            double patches = 0;
            for (double[] row : r.rollout()) {
                for (double v : row) {
                    assertTrue(v > 0);
                    patches += v;
                }
            }
            assertTrue(patches > 0 && patches < 1, "patches " + patches);
            // occlusion sanity, re-scored independently one image at a time: the window with the largest
            // attribution changes the score more than every other window
            int cells = r.occlusion().length;
            int best = 0;
            for (int i = 0; i < cells * cells; i++) {
                if (Math.abs(r.occlusion()[i / cells][i % cells]) > Math.abs(r.occlusion()[best / cells][best % cells])) {
                    best = i;
                }
            }
            double base = s.score(r.pixels(), 1)[0];
            double bestDelta = Math.abs(base - s.score(occlude(r, best), 1)[0]);
            assertTrue(bestDelta > 0, "occluding changes the score");
            Random rnd = new Random(11);
            for (int k = 0; k < 5; k++) {
                int other = rnd.nextInt(cells * cells);
                if (other != best) {
                    assertTrue(bestDelta > Math.abs(base - s.score(occlude(r, other), 1)[0]), "window " + other);
                }
            }
        }
        try (BundleScorer scorer = BundleScorer.open(bundle, "cpu", 1)) {
            List<ScoreResult> out = new ArrayList<>();
            scorer.scoreAll(List.of(photo), out::add, TaskContext.silent());
            assertEquals(out.get(0).score(), r.score(), 1e-9, "the score rali score gives");
        }
    }

    private static float[] occlude(ImageSaliency r, int cell) {
        float[] p = r.pixels().clone();
        int s = r.size();
        int cells = r.occlusion().length;
        int w = r.window() * r.patch();
        int y0 = (cell / cells) * w;
        int x0 = (cell % cells) * w;
        for (int c = 0; c < 3; c++) {
            for (int y = y0; y < Math.min(s, y0 + w); y++) {
                for (int x = x0; x < Math.min(s, x0 + w); x++) {
                    p[(c * s + y) * s + x] = 0;
                }
            }
        }
        return p;
    }
}
