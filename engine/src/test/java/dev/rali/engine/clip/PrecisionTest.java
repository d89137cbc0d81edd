package dev.rali.engine.clip;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrecisionTest {

    @Test
    void choicesAreParsedAndTyposRefused() {
        assertEquals("fp32", Precision.checkChoice("FP32"));
        assertEquals("fp32", Precision.checkChoice("f32"));
        assertEquals("bf16", Precision.checkChoice(" bf16 "));
        assertEquals("auto", Precision.checkChoice("auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.checkChoice("fp16"));
        assertTrue(e.getMessage().contains("'fp16'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClipLoadOptions("cpu", "half", false, false));
    }

    @Test
    void explicitChoicesIgnoreTheHardwareAndAutoFollowsTheCpuFlags() {
        assertEquals(Precision.FP32, Precision.resolve("fp32", Device.cpu(), 1024));
        assertEquals(Precision.BF16, Precision.resolve("bf16", Device.cpu(), 1024));
        // a narrow tower under bf16 keeps its attention in fp32 (fidelity, see Precision)
        assertEquals(Precision.BF16_MLP, Precision.resolve("bf16", Device.cpu(), 64));
        assertEquals("bf16-mlp", Precision.BF16_MLP.label());
        assertEquals(Precision.fastBf16(Device.cpu()) ? Precision.BF16 : Precision.FP32,
                Precision.resolve("auto", Device.cpu(), 1024));
        // too narrow to gain: auto stays fp32 whatever the CPU (the demo's encoder is 64 wide)
        assertEquals(Precision.FP32, Precision.resolve("auto", Device.cpu(), 64));
        assertTrue(Precision.cpuFlagsHaveBf16("fpu avx512f avx512_bf16 avx512_vnni"));
        assertTrue(Precision.cpuFlagsHaveBf16("fpu amx_bf16 amx_tile"));
        assertFalse(Precision.cpuFlagsHaveBf16("fpu avx2 avx512f avx512_vnni"));
    }

    @Test
    void libraryDefaultStaysFp32() {
        assertEquals("fp32", ClipLoadOptions.defaults().precision());
        try (ClipModel m = ClipModel.random(ClipConfig.preset("vit-b-32"), 1)) {
            assertEquals(Precision.FP32, m.precision());
        }
    }

    /** bf16 image tower on a small random CLIP: close to fp32 (bf16 keeps ~3 significant digits), not equal. */
    @Test
    void bf16EmbeddingsAreCloseToFp32() throws Exception {
        ClipConfig cfg = ClipConfig.read(ClipFixtures.dir("clip-b").resolve("config.json"));
        ClipConfig.Vision v = cfg.vision();
        float[] px = new float[3 * v.numChannels() * v.imageSize() * v.imageSize()];
        Random r = new Random(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        float[][] fp32;
        float[][] bf16;
        try (ClipModel m = ClipModel.random(cfg, 7, ClipLoadOptions.cpu())) {
            fp32 = m.embedImages(px, 3);
        }
        try (ClipModel m = ClipModel.random(cfg, 7, ClipLoadOptions.cpu().withPrecision("bf16"))) {
            assertEquals(Precision.BF16_MLP, m.precision());
            bf16 = m.embedImages(px, 3);
        }
        double maxRel = 0;
        boolean differs = false;
        for (int i = 0; i < 3; i++) {
            double dot = 0, na = 0, nb = 0;
            for (int k = 0; k < fp32[i].length; k++) {
                dot += (double) fp32[i][k] * bf16[i][k];
                na += (double) fp32[i][k] * fp32[i][k];
                nb += (double) bf16[i][k] * bf16[i][k];
                differs |= fp32[i][k] != bf16[i][k];
            }
            double cos = dot / Math.sqrt(na * nb);
            maxRel = Math.max(maxRel, 1 - cos);
        }
        assertTrue(differs, "bf16 path was not taken: identical floats");
        assertTrue(maxRel < 1e-3, "1 - cosine(bf16, fp32) = " + maxRel);
    }

    @Test
    void vitL336RunsOneImagePerGroupAndSmallModelsTheWholeBatch() {
        ClipConfig.Encoder l = ClipConfig.preset("vit-l-14-336").vision().encoder();
        assertEquals(1, ClipGraph.imagesPerGroup(l, 577, 4)); // scores alone are 21 MB per image
        ClipConfig.Encoder b = ClipConfig.preset("vit-b-32").vision().encoder();
        assertTrue(ClipGraph.imagesPerGroup(b, 50, 4) >= 32, "ViT-B/32 batches of 32 stay in one piece");
    }

    /** Layers run image group by image group give the embeddings of the whole batch at once. */
    @Test
    void groupedLayersMatchTheWholeBatch() throws Exception {
        ClipConfig cfg = ClipConfig.read(ClipFixtures.dir("clip-b").resolve("config.json"));
        ClipConfig.Vision v = cfg.vision();
        float[] px = new float[4 * v.numChannels() * v.imageSize() * v.imageSize()];
        Random r = new Random(5);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        long saved = ClipGraph.groupBytes;
        try (ClipModel m = ClipModel.random(cfg, 7, ClipLoadOptions.cpu())) {
            float[][] whole = m.embedImages(px, 4);
            ClipGraph.groupBytes = 1; // one image per group
            float[][] grouped = m.embedImages(px, 4);
            for (int i = 0; i < 4; i++) {
                for (int k = 0; k < whole[i].length; k++) {
                    assertEquals(whole[i][k], grouped[i][k], 1e-5, "image " + i + " value " + k);
                }
            }
        } finally {
            ClipGraph.groupBytes = saved;
        }
    }

    @Test
    void theCacheKeyKeepsReducedPrecisionVectorsApartAndUnknownLabelsAreRefused() {
        assertEquals("enc", Precision.ofLabel("fp32").cacheKey("enc"));
        assertEquals("enc+bf16", Precision.ofLabel("bf16").cacheKey("enc"));
        assertEquals("enc+bf16-mlp", Precision.ofLabel("bf16-mlp").cacheKey("enc"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.ofLabel("../../x"));
        assertTrue(e.getMessage().contains("'../../x'"), e.getMessage());
    }
}
