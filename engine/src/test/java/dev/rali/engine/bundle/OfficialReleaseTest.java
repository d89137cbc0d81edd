package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.ScoreHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fixture made by bench/make_official_fixture.py (expected scores from the authors' formula in torch). */
class OfficialReleaseTest {
    @TempDir
    Path tmp;

    static Path fixture() throws URISyntaxException {
        return Path.of(OfficialReleaseTest.class.getResource("/fixtures/official-release/expected.json").toURI()).getParent();
    }

    static JsonNode expected() throws Exception {
        return new ObjectMapper().readTree(fixture().resolve("expected.json").toFile());
    }

    static float[] row(JsonNode n) {
        float[] v = new float[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) n.get(i).asDouble();
        }
        return v;
    }

    @Test
    void scoresMatchTheAuthorsFormula() throws Exception {
        JsonNode exp = expected();
        try (OfficialRelease r = OfficialRelease.read(fixture())) {
            assertEquals("ckpt.pt:scorer.prototypes", r.provenance().get("prototypes"));
            assertEquals("ckpt.pt:scorer.pca_scale", r.provenance().get("pca_scale"));
            assertEquals("pca.pkl:mean_", r.provenance().get("pca_mean"));
            assertEquals(8, r.pcaScale().length);
            assertEquals(1 / 0.07, r.logitScale(), 1e-4);
            ScoreHead head = r.toScoreHead();
            assertEquals(8, head.inputDim());
            assertEquals(4, head.compressedDim());
            assertEquals(6, head.numBases());
            assertEquals(0.07, head.tau(), 1e-6);
            for (int i = 0; i < exp.get("embeddings").size(); i++) {
                float[] e = row(exp.get("embeddings").get(i));
                double want = exp.get("scores").get(i).asDouble();
                assertEquals(want, head.score(e), 1e-4, "embedding " + i);
                assertEquals(want, r.referenceScore(e), 1e-4, "reference " + i);
            }
        }
    }

    @Test
    void headSurvivesTheBundleFormat() throws Exception {
        JsonNode exp = expected();
        try (OfficialRelease r = OfficialRelease.read(fixture())) {
            Path f = tmp.resolve("rali.safetensors");
            r.toHeadParams(OfficialRelease.LogitScale.RAW).write(f, Map.of("source", "official"));
            ScoreHead head = HeadParams.read(f).toScoreHead();
            float[] e = row(exp.get("embeddings").get(0));
            assertEquals(exp.get("scores").get(0).asDouble(), head.score(e), 1e-4);
        }
    }

    @Test
    void withoutCheckpointUsesBasisAndTheirInitialScale() throws Exception {
        Path dir = tmp.resolve("release");
        Files.createDirectories(dir);
        Files.copy(fixture().resolve("pca.pkl"), dir.resolve("pca.pkl"));
        Files.copy(fixture().resolve("basis.npz"), dir.resolve("basis.npz"));
        JsonNode exp = expected();
        try (OfficialRelease r = OfficialRelease.read(dir)) {
            assertEquals("basis.npz:vectors", r.provenance().get("prototypes"));
            assertTrue(r.clipWeights().isEmpty());
            ScoreHead head = r.toScoreHead();
            for (int i = 0; i < exp.get("embeddings").size(); i++) {
                assertEquals(exp.get("scores_without_ckpt").get(i).asDouble(),
                        head.score(row(exp.get("embeddings").get(i))), 1e-4);
            }
        }
    }

    @Test
    void readsPcaMeanFromJoblibAndClipWeightsFromCheckpoint() throws Exception {
        JsonNode exp = expected();
        try (OfficialRelease r = OfficialRelease.read(fixture())) {
            assertArrayEquals(row(exp.get("pca_mean")), r.pcaMean(), 1e-6f);
            TorchTensor proj = r.clipWeights().get("visual_projection.weight");
            assertEquals("f2", proj.dtype());
            assertArrayEquals(new long[] {3, 5}, proj.shape());
            float[] flat = proj.floats();
            JsonNode want = exp.get("clip_visual_projection");
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    assertEquals(want.get(i).get(j).asDouble(), flat[i * 5 + j], 1e-6);
                }
            }
            assertTrue(r.clipWeights().containsKey("logit_scale"));
            assertEquals(fixture().resolve("best"), r.bestDir());
        }
    }

    @Test
    void logitScaleStoredAsLogIsExponentiated() throws Exception {
        try (OfficialRelease r = OfficialRelease.read(fixture())) {
            HeadParams raw = r.toHeadParams(OfficialRelease.LogitScale.RAW);
            HeadParams exp = r.toHeadParams(OfficialRelease.LogitScale.EXP);
            assertEquals(1 / r.logitScale(), raw.tau(), 1e-9);
            assertEquals(Math.exp(-r.logitScale()), exp.tau(), 1e-12);
        }
    }

    @Test
    void missingOrBrokenFilesAreNamed() throws Exception {
        Path dir = tmp.resolve("broken");
        Files.createDirectories(dir);
        IOException e1 = assertThrows(IOException.class, () -> OfficialRelease.read(dir));
        assertTrue(e1.getMessage().contains("pca.pkl") && e1.getMessage().contains("missing"), e1.getMessage());
        Files.copy(fixture().resolve("pca.pkl"), dir.resolve("pca.pkl"));
        IOException e2 = assertThrows(IOException.class, () -> OfficialRelease.read(dir));
        assertTrue(e2.getMessage().contains("no prototypes"), e2.getMessage());
        Files.write(dir.resolve("basis.npz"), new byte[] {1, 2, 3});
        IOException e3 = assertThrows(IOException.class, () -> OfficialRelease.read(dir));
        assertTrue(e3.getMessage().contains("basis.npz"), e3.getMessage());
        Files.copy(fixture().resolve("evil.pkl"), dir.resolve("pca.pkl"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        IOException e4 = assertThrows(SafeUnpickler.UnsafePickleException.class, () -> OfficialRelease.read(dir));
        assertTrue(e4.getMessage().contains("posix.system"), e4.getMessage());
    }
}
