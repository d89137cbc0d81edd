package dev.rali.engine.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.TestPaths;
import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoClipFactoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Same depth as tiny-clip-a (2 + 2 layers) so the tensor name sets must be identical. */
    static DemoClipFactory.Config twoLayer() {
        return new DemoClipFactory.Config(32, 64, 8, 32, 2, 2, 64, 16, 2, 2, 32, 8, 77, 49408, Math.log(100));
    }

    @Test
    void writesTheSameTensorNamesAsAHuggingFaceClip(@TempDir Path dir) throws IOException {
        DemoClipFactory.create(dir, twoLayer(), 1);
        try (Safetensors.Reader ours = Safetensors.open(dir.resolve("model.safetensors"));
             Safetensors.Reader ref = Safetensors.open(TestPaths.shared("fixtures/tiny-clip-a/model.safetensors"))) {
            assertEquals(new TreeSet<>(ref.tensors().keySet()), new TreeSet<>(ours.tensors().keySet()));
            for (Map.Entry<String, Safetensors.TensorInfo> e : ours.tensors().entrySet()) {
                assertEquals(Safetensors.DType.F32, e.getValue().dtype(), e.getKey());
                assertEquals(ref.info(e.getKey()).shape().length, e.getValue().shape().length, e.getKey());
            }
        }
    }

    @Test
    void shapesMatchTheWrittenConfig(@TempDir Path dir) throws IOException {
        DemoClipFactory.create(dir, DemoClipFactory.Config.defaults(), 3);
        JsonNode cfg = JSON.readTree(dir.resolve("config.json").toFile());
        JsonNode v = cfg.get("vision_config");
        JsonNode t = cfg.get("text_config");
        int vw = v.get("hidden_size").asInt();
        int tw = t.get("hidden_size").asInt();
        int proj = cfg.get("projection_dim").asInt();
        int patch = v.get("patch_size").asInt();
        int grid = v.get("image_size").asInt() / patch;
        try (Safetensors.Reader r = Safetensors.open(dir.resolve("model.safetensors"))) {
            assertArrayEquals(new long[]{vw, 3, patch, patch}, r.info("vision_model.embeddings.patch_embedding.weight").shape());
            assertArrayEquals(new long[]{grid * grid + 1, vw}, r.info("vision_model.embeddings.position_embedding.weight").shape());
            assertArrayEquals(new long[]{t.get("vocab_size").asInt(), tw}, r.info("text_model.embeddings.token_embedding.weight").shape());
            assertArrayEquals(new long[]{t.get("max_position_embeddings").asInt(), tw},
                    r.info("text_model.embeddings.position_embedding.weight").shape());
            assertArrayEquals(new long[]{proj, vw}, r.info("visual_projection.weight").shape());
            assertArrayEquals(new long[]{proj, tw}, r.info("text_projection.weight").shape());
            assertArrayEquals(new long[]{}, r.info("logit_scale").shape());
            assertEquals(DemoRecipe.LOGIT_SCALE, r.floats("logit_scale")[0], 1e-6);
            int vl = v.get("num_hidden_layers").asInt();
            int vm = v.get("intermediate_size").asInt();
            assertTrue(r.has("vision_model.encoder.layers." + (vl - 1) + ".mlp.fc2.weight"));
            assertTrue(!r.has("vision_model.encoder.layers." + vl + ".mlp.fc2.weight"));
            assertArrayEquals(new long[]{vm, vw}, r.info("vision_model.encoder.layers.0.mlp.fc1.weight").shape());
            assertArrayEquals(new long[]{tw, t.get("intermediate_size").asInt()},
                    r.info("text_model.encoder.layers." + (t.get("num_hidden_layers").asInt() - 1) + ".mlp.fc2.weight").shape());
            // HF init: token embeddings N(0, 0.02), layer norms at identity, biases zero
            float[] tok = r.floats("text_model.embeddings.token_embedding.weight");
            double sq = 0;
            for (float f : tok) {
                sq += f * f;
            }
            assertEquals(0.02, Math.sqrt(sq / tok.length), 0.001);
            assertEquals(1f, r.floats("vision_model.pre_layrnorm.weight")[5]);
            assertEquals(0f, r.floats("vision_model.encoder.layers.0.self_attn.q_proj.bias")[0]);
        }
        JsonNode pre = JSON.readTree(dir.resolve("preprocessor_config.json").toFile());
        assertEquals(DemoRecipe.IMAGE_SIZE, pre.get("size").get("shortest_edge").asInt());
        assertEquals(v.get("image_size").asInt(), pre.get("crop_size").get("height").asInt());
        assertEquals(0.48145466, pre.get("image_mean").get(0).asDouble(), 1e-9);
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights(@TempDir Path dir) throws IOException {
        DemoClipFactory.create(dir.resolve("a"), twoLayer(), 5);
        DemoClipFactory.create(dir.resolve("b"), twoLayer(), 5);
        DemoClipFactory.create(dir.resolve("c"), twoLayer(), 6);
        assertEquals(-1, Files.mismatch(dir.resolve("a/model.safetensors"), dir.resolve("b/model.safetensors")));
        assertTrue(Files.mismatch(dir.resolve("a/model.safetensors"), dir.resolve("c/model.safetensors")) >= 0);
    }

    @Test
    void rejectsConfigsTheTokenizerOrPatchGridCannotServe() {
        assertThrows(IllegalArgumentException.class, () ->
                new DemoClipFactory.Config(30, 64, 8, 32, 2, 2, 64, 16, 2, 2, 32, 8, 77, 49408, 1));
        assertThrows(IllegalArgumentException.class, () ->
                new DemoClipFactory.Config(32, 64, 8, 32, 2, 2, 64, 16, 2, 2, 32, 8, 77, 1000, 1));
    }
}
