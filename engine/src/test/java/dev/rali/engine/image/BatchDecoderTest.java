package dev.rali.engine.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BatchDecoderTest {

    /** n PNGs of width 1..n (so the decoded width tells which file it was) and one corrupt file at position 2. */
    static List<Path> files(Path dir, int n) throws IOException {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve("img" + i + (i == 2 ? ".jpg" : ".png"));
            if (i == 2) {
                Files.writeString(p, "not a jpeg");
            } else {
                ImageIO.write(new BufferedImage(i + 1, 3, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
            }
            out.add(p);
        }
        return out;
    }

    static List<List<BatchDecoder.Item<int[]>>> drain(BatchDecoder<int[]> d) {
        List<List<BatchDecoder.Item<int[]>>> out = new ArrayList<>();
        while (d.hasNext()) {
            out.add(d.next());
        }
        return out;
    }

    @Test
    void batchesKeepFileOrderPassPositionsAndReportBadFilesWithAndWithoutLookahead(@TempDir Path dir) throws Exception {
        List<Path> files = files(dir, 7);
        for (boolean lookahead : new boolean[] {true, false}) {
            List<List<BatchDecoder.Item<int[]>>> batches;
            try (BatchDecoder<int[]> d = new BatchDecoder<>(files, 3, (k, img) -> new int[] {k, img.width()}, lookahead)) {
                batches = drain(d);
            }
            assertEquals(List.of(3, 3, 1), batches.stream().map(List::size).toList(), "lookahead " + lookahead);
            List<BatchDecoder.Item<int[]>> all = batches.stream().flatMap(List::stream).toList();
            for (int i = 0; i < all.size(); i++) {
                assertEquals(files.get(i), all.get(i).file());
                if (i == 2) {
                    assertFalse(all.get(i).ok());
                    assertTrue(all.get(i).error().contains("img2.jpg"), all.get(i).error());
                } else {
                    assertArrayEquals(new int[] {i, i + 1}, all.get(i).value());
                }
            }
        }
    }

    @Test
    void stackAllRefusesABatchWithABadFileNamingIt(@TempDir Path dir) throws Exception {
        List<Path> files = files(dir, 4);
        try (BatchDecoder<float[]> d = new BatchDecoder<>(files, 2, img -> new float[] {img.width(), img.height()})) {
            assertArrayEquals(new float[] {1, 3, 2, 3}, BatchDecoder.stackAll(d.next()));
            IOException e = assertThrows(IOException.class, () -> BatchDecoder.stackAll(d.next()));
            assertTrue(e.getMessage().contains("img2.jpg"), e.getMessage());
            assertFalse(d.hasNext());
        }
    }
}
