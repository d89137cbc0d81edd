package dev.rali.engine.analysis.saliency;

import dev.rali.engine.TestPaths;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextOcclusionTest {
    private static final ClipTokenizer TOK = ClipTokenizer.bundled();

    /**
     * A bag-of-tokens "tower": the embedding is the sum of one fixed vector per token id; the pieces of "blurry"
     * get a vector 20 times longer than the others. Removing "blurry" moves the embedding most.
     */
    private static Function<long[][], float[][]> bagOfTokens(AtomicInteger rows) {
        int[] heavy = TOK.tokenIds("blurry");
        return ids -> {
            rows.addAndGet(ids.length);
            float[][] out = new float[ids.length][16];
            for (int r = 0; r < ids.length; r++) {
                for (long id : ids[r]) {
                    if (id == 0 || id == TOK.bosId() || id == TOK.eotId()) {
                        continue;
                    }
                    java.util.Random rnd = new java.util.Random(id);
                    float w = java.util.Arrays.stream(heavy).anyMatch(h -> h == id) ? 20f : 1f;
                    for (int k = 0; k < 16; k++) {
                        out[r][k] += w * (float) rnd.nextGaussian();
                    }
                }
            }
            return out;
        };
    }

    @Test
    void theWordWhoseRemovalMovesTheEmbeddingMostRanksFirst() {
        String text = "the  photo looks blurry and a bit noisy.";
        AtomicInteger rows = new AtomicInteger();
        TextSaliency s = TextOcclusion.words(text, TOK, 77, bagOfTokens(rows), TaskContext.silent());
        assertEquals(List.of("the", "photo", "looks", "blurry", "and", "a", "bit", "noisy."),
                s.words().stream().map(TextSaliency.Word::word).toList());
        assertEquals("blurry", s.ranked().get(0).word());
        TextSaliency.Word w = s.words().get(3);
        assertEquals("blurry", text.substring(w.start(), w.end()), "the span points into the text");
        assertTrue(s.words().stream().allMatch(x -> x.saliency() >= 0 && x.inContext()));
        assertFalse(s.truncated());
        assertEquals(1 + 8, rows.get(), "one forward for the text, one per word");
    }

    @Test
    void wordsAfterTheContextCutAreMarkedAndCostNothing() {
        // 10 one-piece words; a context of 8 holds BOS, 6 words and EOT
        String text = "one two three four five six seven eight nine ten";
        AtomicInteger rows = new AtomicInteger();
        TextSaliency s = TextOcclusion.words(text, TOK, 8, bagOfTokens(rows), TaskContext.silent());
        assertTrue(s.truncated());
        assertEquals(12, s.textTokens());
        for (TextSaliency.Word w : s.words()) {
            assertEquals(w.index() < 6, w.inContext(), w.word());
            if (!w.inContext()) {
                assertEquals(0.0, w.saliency(), w.word());
            } else {
                assertTrue(w.saliency() > 0, w.word());
            }
        }
        assertEquals(1 + 6, rows.get());
    }

    @Test
    void withTheRealTowerEachValueIsOneMinusTheCosineWithoutThatWord(@TempDir Path tmp) throws Exception {
        String text = "The image is sharp but the colours look washed out.";
        TextSaliency s;
        try (SaliencyService service = SaliencyService.open(SaliencyTestBundles.tiny(tmp), "cpu")) {
            s = service.explainText(text, TaskContext.silent());
        }
        assertEquals(10, s.words().size());
        assertEquals(77, s.context());
        try (ClipModel m = ClipModel.load(TestPaths.shared("fixtures/tiny-clip-a"))) {
            float[] full = m.embedTexts(new long[][] {TOK.encode(text, 77)})[0];
            for (int i : new int[] {0, 3, 9}) {
                TextSaliency.Word w = s.words().get(i);
                float[] without = m.embedTexts(new long[][] {
                    TOK.encode(text.substring(0, w.start()) + text.substring(w.end()), 77)})[0];
                assertEquals(1 - TextOcclusion.cosine(full, without), w.saliency(), 1e-6, w.word());
                assertTrue(w.saliency() > 0, w.word());
            }
        }
    }
}
