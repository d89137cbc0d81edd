package dev.rali.engine.io;

import dev.rali.engine.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @Test
    void roundTripsEveryWrittenType(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("t.safetensors");
        new Safetensors.Writer().metadata("k", "v")
                .putFloats("a", new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}, 2, 3)
                .putDoubles("d", new double[] {Math.PI}, 1)
                .putLongs("ids", new long[] {49406, 49407}, 2)
                .putBytes("u8", new byte[] {(byte) 255, 0}, 2)
                .write(f);
        try (var r = Safetensors.open(f)) {
            assertArrayEquals(new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}, r.floats("a"));
            assertArrayEquals(new long[] {2, 3}, r.info("a").shape());
            assertEquals(Math.PI, r.doubles("d")[0]);
            assertArrayEquals(new long[] {49406, 49407}, r.longs("ids"));
            assertArrayEquals(new long[] {255, 0}, r.longs("u8"));
            assertEquals("v", r.metadata().get("k"));
        }
    }

    @Test
    void widensHalfAndBfloat16ToFloat() {
        assertEquals(1.0f, Safetensors.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, Safetensors.halfToFloat((short) 0xc000));
        assertEquals(65504f, Safetensors.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Safetensors.halfToFloat((short) 0x0001));
        assertTrue(Float.isNaN(Safetensors.halfToFloat((short) 0x7e00)));
        assertEquals(Float.NEGATIVE_INFINITY, Safetensors.halfToFloat((short) 0xfc00));
    }

    @Test
    void readsTheReferenceFixture() throws IOException {
        try (var r = Safetensors.open(TestPaths.shared("fixtures/tiny-clip-a/expected.safetensors"))) {
            assertArrayEquals(new long[] {4, 77}, r.info("input_ids").shape());
            assertEquals(49406, r.longs("input_ids")[0]);
            assertEquals(3 * 32, r.floats("image_embeds").length);
        }
    }

    @Test
    void rejectsTruncatedFileNamingTheTensor(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("t.safetensors");
        new Safetensors.Writer().putFloats("weight", new float[64], 8, 8).write(f);
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        IOException e = assertThrows(IOException.class, () -> Safetensors.open(f));
        assertTrue(e.getMessage().contains("'weight'") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsGarbageHeader(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("x.safetensors");
        byte[] json = "{not json".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        Files.write(f, b.array());
        IOException e = assertThrows(IOException.class, () -> Safetensors.open(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("JSON"), e.getMessage());
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Safetensors.open(f));
        Files.write(f, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        e = assertThrows(IOException.class, () -> Safetensors.open(f));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }
}
