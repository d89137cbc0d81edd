package dev.rali.engine.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.TestPaths;
import dev.rali.engine.rali.HeadParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBundleTest {

    static HeadParams head() {
        return new HeadParams(new float[] {0.5f, -1f, 2f}, 1f,
                new float[][] {{1, 0, 0}, {0, 0.6f, 0.8f}},
                new float[][] {{1, 0}, {0, 1}, {-1, -1}}, new float[] {1.5f, 3f, 4.5f}, 0.07);
    }

    @Test
    void writesAndReadsBackTheHeadAndEncoderFiles(@TempDir Path tmp) throws IOException {
        var info = new ObjectMapper().createObjectNode().put("note", "unit test");
        ModelBundle b = ModelBundle.write(tmp.resolve("m.rali-model"), TestPaths.shared("fixtures/tiny-clip-a"), head(), info);
        HeadParams h = b.head();
        assertArrayEquals(head().pcaMean(), h.pcaMean());
        assertArrayEquals(head().mu()[2], h.mu()[2]);
        assertArrayEquals(head().f(), h.f());
        assertEquals(0.07, h.tau(), 1e-7);
        assertEquals("unit test", b.manifest().path("note").asText());
        assertEquals(3, b.manifest().path("head").path("bases").asInt());
        assertTrue(Files.isRegularFile(b.encoderDir().resolve("model.safetensors")));
        assertFalse(Files.exists(tmp.resolve("m.rali-model.partial")), "no temporary folder left behind");
        float[] e = {1f, 2f, 3f};
        assertEquals(head().toScoreHead().score(e), h.toScoreHead().score(e), 1e-9);
    }

    @Test
    void headWithoutPcaRoundTrips(@TempDir Path tmp) throws IOException {
        HeadParams noPca = new HeadParams(new float[] {0, 0}, 1f, null, new float[][] {{1, 0}}, new float[] {3}, 1.0);
        noPca.write(tmp.resolve("h.safetensors"), java.util.Map.of());
        assertNull(HeadParams.read(tmp.resolve("h.safetensors")).pcaComponents());
    }

    @Test
    void refusesATamperedFile(@TempDir Path tmp) throws IOException {
        ModelBundle b = ModelBundle.write(tmp.resolve("m"), TestPaths.shared("fixtures/tiny-clip-a"), head(), null);
        Files.writeString(b.dir().resolve("config.json"), "{}");
        IOException e = assertThrows(IOException.class, () -> ModelBundle.read(b.dir()));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("sha256"), e.getMessage());
    }

    @Test
    void explainsAMissingManifest(@TempDir Path tmp) {
        IOException e = assertThrows(IOException.class, () -> ModelBundle.read(tmp));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
    }

    @Test
    void headReaderNamesTheBadTensor(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("bad.safetensors");
        new dev.rali.engine.io.Safetensors.Writer()
                .putFloats("pca_mean", new float[] {0, 0}, 2)
                .putFloats("bases_mu", new float[] {1, 0, 0}, 1, 3)
                .putFloats("bases_f", new float[] {1}, 1)
                .putFloats("tau", new float[] {1})
                .write(f);
        IOException e = assertThrows(IOException.class, () -> HeadParams.read(f));
        assertTrue(e.getMessage().contains("bases_mu") && e.getMessage().contains("[1, 3]"), e.getMessage());
    }
}
