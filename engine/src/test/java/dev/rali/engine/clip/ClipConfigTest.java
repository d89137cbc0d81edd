package dev.rali.engine.clip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipConfigTest {

    @Test
    void readsEverySizeFromTheFile() throws Exception {
        ClipConfig c = ClipConfig.read(ClipFixtures.dir("clip-b").resolve("config.json"));
        assertEquals(36, c.text().hiddenSize());
        assertEquals(80, c.text().intermediateSize());
        assertEquals(3, c.text().numHeads());
        assertEquals(3, c.text().numLayers());
        assertEquals(20, c.text().maxPositionEmbeddings());
        assertEquals(1000, c.text().vocabSize());
        assertEquals("gelu", c.text().hiddenAct());
        assertEquals(1e-6, c.text().layerNormEps());
        assertEquals(998, c.text().eosTokenId());
        assertEquals(48, c.vision().hiddenSize());
        assertEquals(32, c.vision().imageSize());
        assertEquals(8, c.vision().patchSize());
        assertEquals(17, c.vision().numPositions());
        assertEquals(24, c.projectionDim());
    }

    @Test
    void absentKeysTakeTransformersDefaults(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"clip\", \"text_config\": {\"hidden_size\": 64, \"num_attention_heads\": 4},"
                + " \"vision_config\": {\"patch_size\": 16}}");
        ClipConfig c = ClipConfig.read(f);
        assertEquals(64, c.text().hiddenSize());
        assertEquals(2048, c.text().intermediateSize());
        assertEquals(49407, c.text().eosTokenId());
        assertEquals("quick_gelu", c.text().hiddenAct());
        assertEquals(1e-5, c.vision().layerNormEps());
        assertEquals(768, c.vision().hiddenSize());
        assertEquals(224, c.vision().imageSize());
        assertEquals(16, c.vision().patchSize());
        assertEquals(512, c.projectionDim());
        assertEquals(2.6592, c.logitScaleInit());
    }

    @Test
    void writtenConfigReadsBackEqual(@TempDir Path tmp) throws Exception {
        ClipConfig c = ClipConfig.preset("vit-l-14-336");
        c.write(tmp.resolve("config.json"));
        assertEquals(c, ClipConfig.read(tmp.resolve("config.json")));
        assertEquals(577, c.vision().numPositions());
    }

    @Test
    void badConfigsNameTheFileAndTheKey(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("config.json");
        assertTrue(assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage().contains("no such file"));
        Files.writeString(f, "{\"model_type\": \"clip\", \"vision_config\": {\"hidden_act\": \"relu\"}}");
        String m = assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage();
        assertTrue(m.contains(f.toString()) && m.contains("vision_config.hidden_act 'relu'"), m);
        Files.writeString(f, "{\"text_config\": {\"hidden_size\": 50, \"num_attention_heads\": 8}}");
        m = assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage();
        assertTrue(m.contains("not divisible"), m);
        Files.writeString(f, "{\"vision_config\": {\"image_size\": 225, \"patch_size\": 14}}");
        m = assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage();
        assertTrue(m.contains("not a multiple"), m);
        Files.writeString(f, "{\"vision_config\": {\"hidden_size\": -3}}");
        m = assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage();
        assertTrue(m.contains("vision_config.hidden_size must be a positive integer"), m);
        Files.writeString(f, "{\"model_type\": \"siglip\"}");
        m = assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage();
        assertTrue(m.contains("siglip"), m);
        Files.writeString(f, "{not json");
        m = assertThrows(IOException.class, () -> ClipConfig.read(f)).getMessage();
        assertTrue(m.contains("malformed JSON"), m);
    }
}
