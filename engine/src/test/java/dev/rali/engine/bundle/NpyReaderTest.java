package dev.rali.engine.bundle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyReaderTest {
    @TempDir
    Path dir;

    private static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xFF);
        out.write(header.length() >> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    @Test
    void readsBasisNpzOfTheFixture() throws Exception {
        Map<String, NdArray> m = NpyReader.readNpz(OfficialReleaseTest.fixture().resolve("basis.npz"));
        assertEquals(java.util.Set.of("vectors", "scores"), m.keySet());
        assertArrayEquals(new long[] {6, 4}, m.get("vectors").shape());
        assertEquals("f4", m.get("scores").dtype());
        assertEquals(1.2, m.get("scores").data()[0], 1e-6);
        assertEquals(4.8, m.get("scores").data()[5], 1e-6);
    }

    @Test
    void readsFortranOrderAndBigEndian() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(6 * 8).order(ByteOrder.BIG_ENDIAN);
        // the 2x3 matrix [[1,2,3],[4,5,6]] in column-major order
        for (double v : new double[] {1, 4, 2, 5, 3, 6}) {
            b.putDouble(v);
        }
        Path f = dir.resolve("a.npy");
        Files.write(f, npy(">f8", true, "(2, 3)", b.array()));
        NdArray a = NpyReader.readNpy(f);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.data());
        assertEquals(2.0, a.matrix("a")[0][1]);
    }

    @Test
    void rejectsObjectArraysAndTruncatedData() throws Exception {
        Path f = dir.resolve("o.npy");
        Files.write(f, npy("|O", false, "(2,)", new byte[0]));
        IOException e = assertThrows(IOException.class, () -> NpyReader.readNpy(f));
        assertTrue(e.getMessage().contains("object arrays"), e.getMessage());
        Path g = dir.resolve("t.npy");
        Files.write(g, npy("<f4", false, "(4,)", new byte[8]));
        IOException e2 = assertThrows(IOException.class, () -> NpyReader.readNpy(g));
        assertTrue(e2.getMessage().contains("t.npy") && e2.getMessage().contains("truncated"), e2.getMessage());
    }

    @Test
    void halfPrecisionDecodes() {
        assertEquals(1.0f, NdArray.halfToFloat((short) 0x3C00));
        assertEquals(-2.0f, NdArray.halfToFloat((short) 0xC000));
        assertEquals(65504f, NdArray.halfToFloat((short) 0x7BFF));
        assertEquals(5.9604645e-8f, NdArray.halfToFloat((short) 0x0001));
    }
}
