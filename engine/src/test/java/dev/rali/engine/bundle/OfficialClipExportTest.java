package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rali.engine.io.Safetensors;
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
                .putFloats("logit_scale", new float[] {2.0f})
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
    void shapeMismatchNamesTheTensor() throws Exception {
        Path dir = release(new long[] {5, 3});
        try (OfficialRelease r = OfficialRelease.read(dir)) {
            IOException e = assertThrows(IOException.class, () -> OfficialClipExport.export(r, tmp.resolve("o"), TaskContext.silent()));
            assertTrue(e.getMessage().contains("clip.visual_projection.weight has shape [3, 5] but best/ has [5, 3]"), e.getMessage());
        }
    }

    @Test
    void officialImportWritesABundleThatScoresLikeTheirFormula() throws Exception {
        Path dir = release(new long[] {3, 5});
        Files.writeString(dir.resolve("best/config.json"), "{\"model_type\": \"clip\", \"projection_dim\": 8}");
        ModelBundle b = OfficialImport.toBundle(dir, tmp.resolve("bundle"), OfficialRelease.LogitScale.RAW, TaskContext.silent());
        JsonNode exp = OfficialReleaseTest.expected();
        float[] e = OfficialReleaseTest.row(exp.get("embeddings").get(3));
        assertEquals(exp.get("scores").get(3).asDouble(), b.head().toScoreHead().score(e), 1e-4);
        assertEquals("official-release", b.manifest().path("source").path("kind").asText());
        assertEquals("ckpt.pt:scorer.prototypes", b.manifest().path("source").path("provenance").path("prototypes").asText());
        assertTrue(Files.isRegularFile(b.encoderDir().resolve("model.safetensors")));
        assertTrue(Files.notExists(tmp.resolve("bundle.clip-tmp")));
    }

    @Test
    void officialImportRejectsAClipOfAnotherWidth() throws Exception {
        Path dir = release(new long[] {3, 5});
        Files.writeString(dir.resolve("best/config.json"), "{\"model_type\": \"clip\", \"projection_dim\": 768}");
        IOException e = assertThrows(IOException.class,
                () -> OfficialImport.toBundle(dir, tmp.resolve("bundle"), OfficialRelease.LogitScale.RAW, TaskContext.silent()));
        assertTrue(e.getMessage().contains("projection_dim is 768") && e.getMessage().contains("8-d"), e.getMessage());
    }
}
