package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rali.engine.io.Safetensors;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OfficialClipExportTest {
    @TempDir
    Path tmp;

    private Path release(long[] projShape) throws Exception {
        return release(projShape, new long[0]);
    }

    private Path release(long[] projShape, long[] logitShape) throws Exception {
        Path dir = tmp.resolve("release");
        Files.createDirectories(dir.resolve("best"));
        for (String f : List.of("pca.pkl", "basis.npz", "ckpt.pt")) {
            Files.copy(OfficialReleaseTest.fixture().resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("best/config.json"), "{\"model_type\": \"clip\"}");
        Files.writeString(dir.resolve("best/preprocessor_config.json"), "{\"crop_size\": 336}");
        int n = (int) (projShape[0] * projShape[1]);
        new Safetensors.Writer()
                .putFloats("visual_projection.weight", new float[n], projShape)
                .putFloats("logit_scale", new float[] {2.0f}, logitShape)
                .putFloats("vision_model.post_layernorm.bias", new float[] {0.5f, -0.5f}, 2)
                .putLongs("text_model.embeddings.position_ids", new long[] {0, 1, 2, 3}, 1, 4)
                .write(dir.resolve("best/model.safetensors"));
        Files.writeString(dir.resolve("best/pytorch_model.bin"), "stale weights, not copied");
        return dir;
    }

    @Test
    void mergesCheckpointClipTensorsIntoBestWeights() throws Exception {
        Path dir = release(new long[] {3, 5});
        JsonNode exp = OfficialReleaseTest.expected();
        Path out = tmp.resolve("clip");
        try (OfficialRelease r = OfficialRelease.read(dir)) {
            OfficialClipExport.Result res = OfficialClipExport.export(r, out, TaskContext.silent());
            assertEquals(2, res.fromBest());
            assertEquals(2, res.fromCheckpoint());
            assertTrue(res.extra().isEmpty());
        }
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
        assertTrue(Files.isRegularFile(out.resolve("preprocessor_config.json")));
        assertTrue(Files.notExists(out.resolve("pytorch_model.bin")));
        try (Safetensors.Reader w = Safetensors.open(out.resolve("model.safetensors"))) {
            float[] proj = w.floats("visual_projection.weight");
            assertEquals(exp.get("clip_visual_projection").get(2).get(4).asDouble(), proj[14], 1e-6);
            assertEquals(4.6052, w.floats("logit_scale")[0], 1e-4);
            assertArrayEquals(new float[] {0.5f, -0.5f}, w.floats("vision_model.post_layernorm.bias"));
            assertArrayEquals(new long[] {0, 1, 2, 3}, w.longs("text_model.embeddings.position_ids"));
            assertEquals(Safetensors.DType.I64, w.info("text_model.embeddings.position_ids").dtype());
        }
    }

    @Test
    void aOneElementLogitScaleInBestTakesTheCheckpointsScalarAndKeepsItsShape() throws Exception {
        Path dir = release(new long[] {3, 5}, new long[] {1}); // ckpt.pt's clip.logit_scale is 0-d
        Path out = tmp.resolve("clip1");
        try (OfficialRelease r = OfficialRelease.read(dir)) {
            assertArrayEquals(new long[0], r.clipWeights().get("logit_scale").shape());
            assertEquals(2, OfficialClipExport.export(r, out, TaskContext.silent()).fromCheckpoint());
        }
        try (Safetensors.Reader w = Safetensors.open(out.resolve("model.safetensors"))) {
            assertArrayEquals(new long[] {1}, w.info("logit_scale").shape());
            assertEquals(4.6052, w.floats("logit_scale")[0], 1e-4);
        }
    }

    @Test
    void shapeMismatchNamesTheTensor() throws Exception {
        Path dir = release(new long[] {5, 3});
        try (OfficialRelease r = OfficialRelease.read(dir)) {
            IOException e = assertThrows(IOException.class, () -> OfficialClipExport.export(r, tmp.resolve("o"), TaskContext.silent()));
            assertTrue(e.getMessage().contains("clip.visual_projection.weight has shape [3, 5] but best/ has [5, 3]"), e.getMessage());
        }
    }

    /** A release whose best/ is a complete tiny CLIP (projection 8 = the fixture PCA's input) and no ckpt.pt. */
    static Path completeRelease(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String f : List.of("pca.pkl", "basis.npz")) {
            Files.copy(OfficialReleaseTest.fixture().resolve(f), dir.resolve(f));
        }
        DemoClipFactory.create(dir.resolve("best"), new DemoClipFactory.Config(16, 16, 8, 8, 1, 2, 16, 8, 1, 2, 16, 8,
                8, 49408, 14.29), 3);
        return dir;
    }

    @Test
    void officialImportWritesABundleThatScoresLikeTheirFormula() throws Exception {
        Path dir = completeRelease(tmp.resolve("release"));
        ModelBundle b = OfficialImport.toBundle(dir, tmp.resolve("bundle"), OfficialRelease.LogitScale.RAW, false, TaskContext.silent());
        JsonNode exp = OfficialReleaseTest.expected();
        try (OfficialRelease r = OfficialRelease.read(dir)) {
            for (int i = 0; i < 3; i++) {
                float[] e = OfficialReleaseTest.row(exp.get("embeddings").get(i));
                assertEquals(r.referenceScore(e), b.head().toScoreHead().score(e), 1e-4);
            }
        }
        assertEquals("official-release", b.manifest().path("source").path("kind").asText());
        assertEquals("basis.npz:vectors", b.manifest().path("source").path("provenance").path("prototypes").asText());
        assertTrue(Files.isRegularFile(b.encoderDir().resolve("model.safetensors")));
        try (var left = Files.list(tmp)) {
            assertEquals(List.of("bundle", "release"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary folders left beside the bundle");
        }
    }

    @Test
    void officialImportRefusesAnIncompleteClipNamingTheMissingTensors() throws Exception {
        Path dir = release(new long[] {3, 5}); // best/ holds 4 tensors, the config implies a whole CLIP
        IOException e = assertThrows(IOException.class,
                () -> OfficialImport.toBundle(dir, tmp.resolve("bundle"), OfficialRelease.LogitScale.RAW, false, TaskContext.silent()));
        assertTrue(e.getMessage().contains("incomplete CLIP in best/") && e.getMessage().contains("missing")
                && e.getMessage().contains("text_model.embeddings.token_embedding.weight")
                && e.getMessage().contains("more"), e.getMessage());
        assertTrue(Files.notExists(tmp.resolve("bundle")), "nothing written");
    }

    @Test
    void officialImportRefusesACompleteClipWithOneTensorMissing() throws Exception {
        Path dir = completeRelease(tmp.resolve("release"));
        Path weights = dir.resolve("best/model.safetensors");
        Safetensors.Writer w = new Safetensors.Writer();
        try (Safetensors.Reader r = Safetensors.open(weights)) {
            for (Safetensors.TensorInfo t : r.tensors().values()) {
                if (!t.name().equals("vision_model.post_layernorm.weight") && t.dtype().isFloat()) {
                    w.putFloats(t.name(), r.floats(t.name()), t.shape());
                }
            }
        }
        w.write(weights);
        IOException e = assertThrows(IOException.class,
                () -> OfficialImport.toBundle(dir, tmp.resolve("bundle"), OfficialRelease.LogitScale.RAW, false, TaskContext.silent()));
        assertTrue(e.getMessage().contains("vision_model.post_layernorm.weight: missing"), e.getMessage());
    }

    @Test
    void officialImportRejectsAClipOfAnotherWidth() throws Exception {
        Path dir = release(new long[] {3, 5});
        Files.writeString(dir.resolve("best/config.json"), "{\"model_type\": \"clip\", \"projection_dim\": 768}");
        IOException e = assertThrows(IOException.class,
                () -> OfficialImport.toBundle(dir, tmp.resolve("bundle"), OfficialRelease.LogitScale.RAW, false, TaskContext.silent()));
        assertTrue(e.getMessage().contains("projection_dim is 768") && e.getMessage().contains("8-d"), e.getMessage());
    }
}
