package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipBenchTest {

    private static final ClipConfig DEMO = DemoClipFactory.clipConfig(DemoClipFactory.Config.defaults());

    @Test
    void profileHoldsExactlyOneForwardAndNotTheRooflineGemms(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("forward.json");
        ClipBench.Result r = ClipBench.run(DEMO, "demo", 2, 3, 1, ClipLoadOptions.defaults().withDevice("cpu"), trace,
                TaskContext.silent());
        assertTrue(r.imagesPerS() > 0 && Double.isFinite(r.imagesPerS()), "images/s " + r.imagesPerS());
        JsonNode events = new ObjectMapper().readTree(Files.readString(trace));
        JsonNode list = events.isArray() ? events : events.get("traceEvents");
        int layerNorms = 0;
        int matmuls = 0;
        for (JsonNode e : list) {
            String name = e.path("name").asText();
            layerNorms += name.equals("aten::layer_norm") ? 1 : 0;
            matmuls += name.equals("aten::matmul") ? 1 : 0;
        }
        // one forward: two layer norms per encoder layer, plus pre_layrnorm and post_layernorm
        assertEquals(2 * DEMO.vision().numLayers() + 2, layerNorms, "layer norms in the profile");
        // the forward's matmuls: the attention's two per layer, and the patch embedding and the projection (linear
        // without a bias runs as matmul); the roofline's GEMMs would add more
        assertEquals(2 * DEMO.vision().numLayers() + 2, matmuls, "matmuls in the profile");
    }

    @Test
    void imageEmbeddingsAreTheProjectionOfTheFullForward() {
        ClipConfig cfg = DEMO;
        int per = cfg.vision().numChannels() * cfg.vision().imageSize() * cfg.vision().imageSize();
        float[] px = new float[3 * per];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rnd.nextGaussian();
        }
        try (ClipModel m = ClipModel.random(cfg, 0, ClipLoadOptions.defaults().withDevice("cpu"))) {
            float[][] fast = m.embedImages(px, 3);
            float[][] full = m.encodeImages(px, 3, false, false).embeds().rows();
            assertEquals(full.length, fast.length);
            for (int i = 0; i < full.length; i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(full[i], fast[i], 0f, "image " + i);
            }
        }
    }
}
