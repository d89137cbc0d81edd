package dev.rali.engine.dataset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The small readers behind the layouts: CSV, xlsx, MATLAB v5. */
class FileReadersTest {
    @TempDir
    Path dir;

    @Test
    void matReaderReadsDoublesAndCellStringsPlainAndCompressed() throws Exception {
        for (boolean compress : new boolean[] {false, true}) {
            Path m = Fixtures.matDoubles(dir.resolve("mos" + compress + ".mat"), "AllMOS_release",
                    new double[] {63.9, 25.3, 48.9}, compress);
            MatV5Reader.MatArray a = MatV5Reader.read(m).get("AllMOS_release");
            assertArrayEquals(new double[] {63.9, 25.3, 48.9}, a.values());
            assertArrayEquals(new int[] {1, 3}, a.dims());
            Path c = Fixtures.matStrings(dir.resolve("img" + compress + ".mat"), "AllImages_release",
                    List.of("t1.bmp", "100.bmp", "äx.jpg"), compress);
            MatV5Reader.MatArray cell = MatV5Reader.read(c).get("AllImages_release");
            assertEquals(List.of("t1.bmp", "100.bmp", "äx.jpg"), MatV5Reader.strings(c, cell));
        }
        // a short variable name uses the small-element format
        Path s = Fixtures.matDoubles(dir.resolve("small.mat"), "x", new double[] {1, 2}, false);
        assertArrayEquals(new double[] {1, 2}, MatV5Reader.read(s).get("x").values());
    }

    @Test
    void matReaderRejectsNonMatFilesClearly() throws Exception {
        Path bad = Files.write(dir.resolve("bad.mat"), new byte[200]);
        IOException e = assertThrows(IOException.class, () -> MatV5Reader.read(bad));
        assertTrue(e.getMessage().contains("bad.mat") && e.getMessage().contains("not a MATLAB v5"), e.getMessage());
        byte[] h = new byte[600];
        System.arraycopy("MATLAB 7.3 MAT-file".getBytes(), 0, h, 0, 19);
        Path v73 = Files.write(dir.resolve("v73.mat"), h);
        assertTrue(assertThrows(IOException.class, () -> MatV5Reader.read(v73)).getMessage().contains("v7.3"));
    }

    @Test
    void xlsxReaderFindsSheetsSharedStringsAndNumbers() throws Exception {
        Path x = Fixtures.xlsx(dir.resolve("w.xlsx"), Map.of("all_by_image", List.of(
                List.of("image", "dmos"), Arrays.asList("1600", null, 0.25), List.of(1600, 0.5))));
        assertEquals(List.of("all_by_image"), XlsxReader.sheetNames(x));
        List<List<String>> rows = XlsxReader.read(x, "ALL_BY_IMAGE ");
        assertEquals(List.of("image", "dmos"), rows.get(0));
        assertEquals(List.of("1600", "", "0.25"), rows.get(1));
        assertEquals(List.of("1600", "0.5"), rows.get(2));
        assertTrue(assertThrows(IOException.class, () -> XlsxReader.read(x, "nope")).getMessage().contains("all_by_image"));
        Path notZip = Files.writeString(dir.resolve("n.xlsx"), "plain text");
        assertTrue(assertThrows(IOException.class, () -> XlsxReader.read(notZip, null)).getMessage().contains("n.xlsx"));
        assertEquals(27, XlsxReader.columnIndex("AB12"));
    }
}
