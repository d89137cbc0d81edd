package dev.rali.engine.clip;

import dev.rali.engine.TestPaths;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageEmbedderTest {
    static final Path TINY_A = TestPaths.shared("fixtures/tiny-clip-a");
    static final Path PHOTOS = TestPaths.shared("fixtures/photos");

    /** Four photos with a corrupt file third: batches of 2 are [a, b], [broken, c], [d]. */
    static List<Path> files(Path tmp) throws IOException {
        Path broken = tmp.resolve("broken.jpg");
        Files.writeString(broken, "not a jpeg");
        return List.of(PHOTOS.resolve("astronaut.png"), PHOTOS.resolve("brick.png"), broken,
                PHOTOS.resolve("camera.png"), PHOTOS.resolve("chelsea.png"));
    }

    /**
     * What BundleScorer, the pipeline's Embeddings and rali embed each did before the embedder existed: preprocess
     * every good file of a decoder batch, stack them, one {@link ClipModel#embedImages} per batch.
     */
    static List<float[]> previousPath(Path modelDir, ClipImagePreprocessor pre, List<List<Path>> batches)
            throws IOException {
        List<float[]> out = new ArrayList<>();
        try (ClipModel m = ClipModel.load(modelDir, ClipLoadOptions.cpu())) {
            for (List<Path> batch : batches) {
                float[] px = new float[0];
                for (Path f : batch) {
                    float[] one = pre.preprocess(ImageLoader.load(f));
                    float[] grown = java.util.Arrays.copyOf(px, px.length + one.length);
                    System.arraycopy(one, 0, grown, px.length, one.length);
                    px = grown;
                }
                out.addAll(List.of(m.embedImages(px, batch.size())));
            }
        }
        return out;
    }

    static void assertSameVectorsAsPreviousPath(Path modelDir, ClipImagePreprocessor pre, Path tmp) throws IOException {
        List<Path> files = files(tmp);
        List<float[]> expected = previousPath(modelDir, pre, List.of(List.of(files.get(0), files.get(1)),
                List.of(files.get(3)), List.of(files.get(4))));
        try (ImageEmbedder e = ImageEmbedder.open(modelDir, "cpu")) {
            for (boolean lookahead : new boolean[] {true, false}) {
                List<ImageEmbedder.Result> r = e.embed(files, ImageEmbedder.Options.defaults().withBatch(2)
                        .withLookahead(lookahead), TaskContext.silent());
                assertEquals(files.size(), r.size());
                List<float[]> got = new ArrayList<>();
                for (int i = 0; i < r.size(); i++) {
                    assertEquals(files.get(i), r.get(i).file(), "results come in file order");
                    if (i != 2) {
                        assertTrue(r.get(i).ok(), r.get(i).error());
                        got.add(r.get(i).embedding());
                    }
                }
                for (int i = 0; i < expected.size(); i++) {
                    assertArrayEquals(expected.get(i), got.get(i), "bit-identical to the model called directly");
                }
            }
        }
    }

    @Test
    void tinyClipVectorsAreBitIdenticalToCallingTheModelDirectly(@TempDir Path tmp) throws IOException {
        // tiny-clip-a has no preprocessor_config.json: CLIP's standard processing at vision_config.image_size
        assertSameVectorsAsPreviousPath(TINY_A, ClipImagePreprocessor.of(56), tmp);
    }

    @Test
    void demoClipVectorsAreBitIdenticalToCallingTheModelDirectly(@TempDir Path tmp) throws IOException {
        Path demo = DemoClipFactory.create(tmp.resolve("demo-clip"), DemoClipFactory.Config.defaults(), 42);
        assertSameVectorsAsPreviousPath(demo, ClipImagePreprocessor.fromConfig(demo.resolve("preprocessor_config.json")),
                tmp);
    }

    @Test
    void aBadFileIsAResultNamingItAndTheRestOfItsBatchIsEmbedded(@TempDir Path tmp) throws IOException {
        List<Path> files = files(tmp);
        try (ImageEmbedder e = ImageEmbedder.open(TINY_A, "cpu")) {
            List<ImageEmbedder.Result> r = e.embed(files, ImageEmbedder.Options.defaults().withBatch(2),
                    TaskContext.silent());
            ImageEmbedder.Result bad = r.get(2);
            assertFalse(bad.ok());
            assertFalse(bad.encoderFailed(), "an unreadable file is a bad file, not an encoder failure");
            assertEquals(null, bad.embedding());
            String msg = bad.message();
            assertTrue(msg.startsWith(files.get(2).toString()), msg);
            assertEquals(msg.indexOf(files.get(2).toString()), msg.lastIndexOf(files.get(2).toString()),
                    "names the file once: " + msg);
            assertTrue(r.get(3).ok(), "the good file in the bad file's batch is embedded");
            assertEquals(e.dim(), r.get(3).embedding().length);
        }
    }

    @Test
    void attentionsAndHiddenStatesComePerImageWithTheRightShapes(@TempDir Path tmp) throws IOException {
        List<Path> files = files(tmp);
        // tiny-clip-a vision: 2 layers, 4 heads, width 64, 56 px / patch 14 = 16 patches + class token = 17 tokens
        try (ImageEmbedder e = ImageEmbedder.open(TINY_A, "cpu")) {
            ImageEmbedder.Options opts = ImageEmbedder.Options.defaults().withBatch(2);
            List<ImageEmbedder.Result> plain = e.embed(files, opts, TaskContext.silent());
            List<ImageEmbedder.Result> traced = e.embed(files, opts.withAttentions(true).withHiddenStates(true),
                    TaskContext.silent());
            assertTrue(plain.get(0).attentions().isEmpty() && plain.get(0).hiddenStates().isEmpty(),
                    "nothing extra unless asked for");
            assertTrue(traced.get(2).attentions().isEmpty(), "a bad file has no attentions");
            for (int i : new int[] {0, 1, 3, 4}) {
                ImageEmbedder.Result r = traced.get(i);
                assertEquals(2, r.attentions().size(), "one per layer");
                for (FloatTensor a : r.attentions()) {
                    assertArrayEquals(new long[] {4, 17, 17}, a.shape());
                    for (int row = 0; row < 4 * 17; row++) {
                        double sum = 0;
                        for (int k = 0; k < 17; k++) {
                            sum += a.data()[row * 17 + k];
                        }
                        assertEquals(1.0, sum, 1e-5, "each attention row is a softmax");
                    }
                }
                assertEquals(3, r.hiddenStates().size(), "encoder input + one per layer");
                for (FloatTensor h : r.hiddenStates()) {
                    assertArrayEquals(new long[] {17, 64}, h.shape());
                }
                assertArrayEquals(plain.get(i).embedding(), r.embedding(), 1e-5f,
                        "the traced forward gives the same vector");
            }
            // Batch-mates get different maps: each image's slice is its own.
            assertFalse(java.util.Arrays.equals(traced.get(0).attentions().get(0).data(),
                    traced.get(1).attentions().get(0).data()));
        }
    }

    @Test
    void streamingHandsOverBatchByBatchAndStopsWhenCancelled(@TempDir Path tmp) throws IOException {
        List<Path> files = files(tmp);
        try (ImageEmbedder e = ImageEmbedder.open(TINY_A, "cpu")) {
            List<Integer> sizes = new ArrayList<>();
            List<long[]> progress = new ArrayList<>();
            TaskContext ctx = new TaskContext() {
                @Override public void progress(String phase, long done, long total, String message) {
                    assertEquals("score", phase);
                    progress.add(new long[] {done, total});
                }
                @Override public void log(String line) { }
                @Override public boolean isCancelled() { return sizes.size() >= 2; }
            };
            assertThrows(CancelledException.class, () -> e.embed(files,
                    ImageEmbedder.Options.defaults().withBatch(2).withPhase("score"), ctx, b -> sizes.add(b.size())));
            assertEquals(List.of(2, 2), sizes, "two batches handed over, the third never started");
            assertArrayEquals(new long[] {4, 5}, progress.get(progress.size() - 1));
        }
    }

    @Test
    void aPreprocessorThatDoesNotFitTheModelIsRefusedAtOpen(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        Files.copy(TINY_A.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(TINY_A.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"size\": 224, \"crop_size\": 224}");
        IOException ex = assertThrows(IOException.class, () -> ImageEmbedder.open(dir, "cpu"));
        assertTrue(ex.getMessage().contains("preprocessor_config.json") && ex.getMessage().contains("224x224")
                && ex.getMessage().contains("56x56"), ex.getMessage());
    }
}
