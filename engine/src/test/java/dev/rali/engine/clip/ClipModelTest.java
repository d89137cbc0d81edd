package dev.rali.engine.clip;

import dev.rali.engine.TestPaths;
import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipModelTest {

    static final Path TINY_A = TestPaths.shared("fixtures/tiny-clip-a");

    private static void assertConforms(Path dir) throws IOException {
        ClipConformance.Report r = ClipConformance.verify(dir, dir.resolve("expected.safetensors"), 1e-4);
        assertTrue(r.notChecked().isEmpty(), "unchecked: " + r.notChecked());
        StringBuilder sb = new StringBuilder();
        r.results().forEach(t -> sb.append(t.name()).append('=').append(t.maxAbsError()).append(' '));
        assertTrue(r.passed(), dir + ": " + sb);
        assertTrue(r.maxError() < 2e-5, "float32 should be far inside 1e-4: " + sb);
    }

    @Test
    void matchesTinyClipAReferenceWithin1e4() throws Exception {
        assertConforms(TINY_A);
    }

    /** clip-b: erf gelu, eps 1e-6, 3 heads, first-EOS pooling, attentions; clip-c: tanh gelu, 1 channel, legacy. */
    @ParameterizedTest
    @ValueSource(strings = {"clip-b", "clip-c"})
    void matchesGeneratedReferences(String name) throws Exception {
        assertConforms(ClipFixtures.dir(name));
    }

    @Test
    void conformanceFlagsWrongValuesWrongShapesAndUnknownNames(@TempDir Path tmp) throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        Safetensors.Writer w = new Safetensors.Writer();
        try (Safetensors.Reader r = Safetensors.open(dir.resolve("expected.safetensors"))) {
            float[] px = r.floats("pixel_values");
            w.putFloats("pixel_values", px, r.info("pixel_values").shape());
            float[] emb = r.floats("image_embeds");
            emb[5] += 1e-3f;
            w.putFloats("image_embeds", emb, r.info("image_embeds").shape());
            w.putFloats("vision_pooled", new float[6], 2, 3);
            w.putFloats("something_else", new float[1], 1);
        }
        Path ref = tmp.resolve("ref.safetensors");
        w.write(ref);
        ClipConformance.Report rep = ClipConformance.verify(dir, ref, 1e-4);
        assertFalse(rep.passed());
        assertEquals(List.of("something_else"), rep.notChecked());
        Map<String, ClipConformance.TensorResult> byName = new LinkedHashMap<>();
        rep.results().forEach(t -> byName.put(t.name(), t));
        assertEquals(1e-3, byName.get("image_embeds").maxAbsError(), 1e-5);
        assertFalse(byName.get("image_embeds").ok());
        assertFalse(byName.get("vision_pooled").ok());
        assertEquals(Double.POSITIVE_INFINITY, byName.get("vision_pooled").maxAbsError());
        assertTrue(ClipConformance.verify(dir, ref, 2e-3).results().get(0).ok());
    }

    @Test
    void embedApiReturnsProjectedUnnormalisedRowsAndLogitScale() throws Exception {
        try (ClipModel m = ClipModel.load(TINY_A, ClipLoadOptions.cpu());
             Safetensors.Reader ref = Safetensors.open(TINY_A.resolve("expected.safetensors"))) {
            float[][] img = m.embedImages(ref.floats("pixel_values"), 3);
            assertEquals(3, img.length);
            assertEquals(32, img[0].length);
            float[] want = ref.floats("image_embeds");
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 32; j++) {
                    assertEquals(want[i * 32 + j], img[i][j], 1e-4);
                }
            }
            assertEquals(2.6592, m.logitScale(), 1e-6);
            assertEquals(64, m.config().vision().hiddenSize());
        }
    }

    @Test
    void largeBatchesAreChunkedWithoutChangingResults() throws Exception {
        Path dir = ClipFixtures.dir("clip-c");
        int n = ClipModel.CHUNK + 5;
        float[] px = new float[n * 16 * 16];
        long[][] ids = new long[n][];
        Random r = new Random(3);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            ids[i] = new long[] {598, 1 + r.nextInt(500), 599, 0};
        }
        try (ClipModel m = ClipModel.load(dir, ClipLoadOptions.cpu())) {
            float[][] all = m.embedImages(px, n);
            float[][] txt = m.embedTexts(ids);
            assertEquals(n, all.length);
            assertEquals(n, txt.length);
            float[][] last = m.encodeImages(java.util.Arrays.copyOfRange(px, (n - 2) * 256, n * 256), 2, false, false)
                    .embeds().rows();
            for (int j = 0; j < last[1].length; j++) {
                assertEquals(last[1][j], all[n - 1][j], 1e-5);
            }
            float[][] t1 = m.embedTexts(new long[][] {ids[n - 1]});
            assertArrayEquals(t1[0], txt[n - 1], 1e-5f);
        }
    }

    @Test
    void wrongInputShapesAreRejectedWithTheReason() throws Exception {
        try (ClipModel m = ClipModel.load(TINY_A, ClipLoadOptions.cpu())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.embedImages(new float[10], 1));
            assertTrue(e.getMessage().contains("3x56x56"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.embedTexts(new long[][] {{1, 2}, {1}}));
            assertTrue(e.getMessage().contains("row 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.embedTexts(new long[][] {{1, 60000}}));
            assertTrue(e.getMessage().contains("60000"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.embedTexts(new long[][] {new long[78]}));
            assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        }
    }

    @Test
    void saveHfRoundTripsToIdenticalOutputs(@TempDir Path tmp) throws Exception {
        Path src = ClipFixtures.dir("clip-c");
        Path out = tmp.resolve("saved");
        try (ClipModel m = ClipModel.load(src, ClipLoadOptions.cpu())) {
            m.saveHf(out);
        }
        try (Safetensors.Reader a = Safetensors.open(src.resolve("model.safetensors"));
             Safetensors.Reader b = Safetensors.open(out.resolve("model.safetensors"))) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet(), "HF parameter names");
            for (String n : a.tensors().keySet()) {
                assertArrayEquals(a.info(n).shape(), b.info(n).shape(), n);
                assertArrayEquals(a.floats(n), b.floats(n), n);
            }
            assertEquals("pt", b.metadata().get("format"));
        }
        assertEquals(ClipConfig.read(src.resolve("config.json")), ClipConfig.read(out.resolve("config.json")));
        Files.copy(src.resolve("expected.safetensors"), out.resolve("expected.safetensors"));
        assertConforms(out);
    }

    @Test
    void randomModelIsSeededAndSavesLoadably(@TempDir Path tmp) throws Exception {
        ClipConfig cfg = ClipConfig.read(ClipFixtures.dir("clip-b").resolve("config.json"));
        float[] px = new float[2 * 3 * 32 * 32];
        Random r = new Random(1);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        float[][] a;
        float[][] b;
        float[][] c;
        try (ClipModel m = ClipModel.random(cfg, 5)) {
            a = m.embedImages(px, 2);
            m.saveHf(tmp);
        }
        try (ClipModel m = ClipModel.random(cfg, 5)) {
            b = m.embedImages(px, 2);
        }
        try (ClipModel m = ClipModel.load(tmp, ClipLoadOptions.cpu())) {
            c = m.embedImages(px, 2);
        }
        assertArrayEquals(a, b);
        assertArrayEquals(a, c);
        try (ClipModel m = ClipModel.random(cfg, 6)) {
            assertNotEquals(a[0][0], m.embedImages(px, 2)[0][0]);
        }
    }

    @Test
    void halfPrecisionCheckpointsAreWidenedInJava(@TempDir Path tmp) throws Exception {
        Path src = ClipFixtures.dir("clip-c");
        // Round every weight to bf16 and to f16, write both, and compare with an f32 file of the rounded values.
        for (String dtype : List.of("BF16", "F16")) {
            Path half = tmp.resolve(dtype);
            Path full = tmp.resolve(dtype + "-f32");
            Files.createDirectories(half);
            Safetensors.Writer f32 = new Safetensors.Writer();
            Map<String, short[]> halves = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            try (Safetensors.Reader r = Safetensors.open(src.resolve("model.safetensors"))) {
                for (Safetensors.TensorInfo t : r.tensors().values()) {
                    float[] v = r.floats(t.name());
                    short[] h = new short[v.length];
                    float[] back = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        if (dtype.equals("BF16")) {
                            h[i] = (short) (Float.floatToIntBits(v[i]) >>> 16); // truncation is a valid bf16
                            back[i] = Float.intBitsToFloat((h[i] & 0xffff) << 16);
                        } else {
                            h[i] = toHalf(v[i]);
                            back[i] = halfToFloat(h[i]);
                        }
                    }
                    halves.put(t.name(), h);
                    shapes.put(t.name(), t.shape());
                    f32.putFloats(t.name(), back, t.shape());
                }
            }
            writeHalf(half.resolve("model.safetensors"), dtype, halves, shapes);
            f32.write(full.resolve("model.safetensors"));
            Files.copy(src.resolve("config.json"), half.resolve("config.json"));
            Files.copy(src.resolve("config.json"), full.resolve("config.json"));
            float[] px = new float[16 * 16];
            for (int i = 0; i < px.length; i++) {
                px[i] = (i % 7) / 7f;
            }
            try (ClipModel a = ClipModel.load(half, ClipLoadOptions.cpu());
                 ClipModel b = ClipModel.load(full, ClipLoadOptions.cpu())) {
                assertArrayEquals(b.embedImages(px, 1), a.embedImages(px, 1), dtype);
                assertArrayEquals(b.embedTexts(new long[][] {{598, 5, 599}}), a.embedTexts(new long[][] {{598, 5, 599}}));
            }
        }
    }

    @Test
    void shardedCheckpointLoads(@TempDir Path tmp) throws Exception {
        Path src = ClipFixtures.dir("clip-c");
        Safetensors.Writer s1 = new Safetensors.Writer().metadata("format", "pt");
        Safetensors.Writer s2 = new Safetensors.Writer().metadata("format", "pt");
        StringBuilder map = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        try (Safetensors.Reader r = Safetensors.open(src.resolve("model.safetensors"))) {
            List<String> names = new ArrayList<>(r.tensors().keySet());
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                boolean first = n.startsWith("text_model");
                (first ? s1 : s2).putFloats(n, r.floats(n), r.info(n).shape());
                map.append(i == 0 ? "" : ",").append('"').append(n).append("\": \"model-0000")
                        .append(first ? 1 : 2).append("-of-00002.safetensors\"");
            }
        }
        s1.write(tmp.resolve("model-00001-of-00002.safetensors"));
        s2.write(tmp.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(tmp.resolve("model.safetensors.index.json"), map.append("}}").toString());
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        Files.copy(src.resolve("expected.safetensors"), tmp.resolve("expected.safetensors"));
        assertConforms(tmp);
    }

    @Test
    void mismatchedCheckpointListsEveryProblem(@TempDir Path tmp) throws Exception {
        Path src = ClipFixtures.dir("clip-c");
        Safetensors.Writer w = new Safetensors.Writer();
        try (Safetensors.Reader r = Safetensors.open(src.resolve("model.safetensors"))) {
            for (String n : r.tensors().keySet()) {
                if (n.equals("visual_projection.weight")) {
                    w.putFloats(n, new float[16 * 41], 16, 41);
                } else if (!n.equals("text_projection.weight")) {
                    w.putFloats(n, r.floats(n), r.info(n).shape());
                }
            }
        }
        w.write(tmp.resolve("model.safetensors"));
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        IOException e = assertThrows(IOException.class, () -> ClipModel.load(tmp, ClipLoadOptions.cpu()));
        assertTrue(e.getMessage().contains("visual_projection.weight: expected shape [16, 40], found [16, 41]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("text_projection.weight: missing (expected shape [16, 32])"),
                e.getMessage());
    }

    @Test
    void pickleCheckpointIsRefusedWithConversionHint(@TempDir Path tmp) throws Exception {
        Files.copy(ClipFixtures.dir("clip-c").resolve("config.json"), tmp.resolve("config.json"));
        Files.write(tmp.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        IOException e = assertThrows(IOException.class, () -> ClipModel.load(tmp, ClipLoadOptions.cpu()));
        assertTrue(e.getMessage().contains("safe_serialization=True"), e.getMessage());
        assertTrue(e.getMessage().contains("pytorch_model.bin"), e.getMessage());
    }

    @Test
    void gpuRequestWithoutGpuFailsClearly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ClipModel.random(ClipConfig.preset("vit-b-32"), 1, new ClipLoadOptions("gpu", "f32", false, false)));
        assertTrue(e.getMessage().contains("no GPU"), e.getMessage());
    }

    // ---- half-precision helpers (the test writes F16/BF16 files itself)

    static short toHalf(float f) {
        int bits = Float.floatToIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        int mant = bits & 0x7fffff;
        if (exp <= 0) {
            return (short) sign; // tiny weights flush to zero: fine for this test, both sides see the same value
        }
        if (exp >= 31) {
            return (short) (sign | 0x7c00);
        }
        return (short) (sign | (exp << 10) | (mant >>> 13));
    }

    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            return mant == 0 ? Float.intBitsToFloat(sign) : (sign != 0 ? -1 : 1) * mant * 0x1p-24f;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static void writeHalf(Path file, String dtype, Map<String, short[]> data, Map<String, long[]> shapes)
            throws IOException {
        StringBuilder h = new StringBuilder("{");
        long off = 0;
        boolean first = true;
        for (Map.Entry<String, short[]> e : data.entrySet()) {
            long len = e.getValue().length * 2L;
            h.append(first ? "" : ",").append('"').append(e.getKey()).append("\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":").append(java.util.Arrays.toString(shapes.get(e.getKey())))
                    .append(",\"data_offsets\":[").append(off).append(',').append(off + len).append("]}");
            off += len;
            first = false;
        }
        byte[] header = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (short[] s : data.values()) {
                ByteBuffer b = ByteBuffer.allocate(s.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                b.asShortBuffer().put(s);
                out.write(b.array());
            }
        }
    }
}
