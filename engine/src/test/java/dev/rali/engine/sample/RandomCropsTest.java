package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomCropsTest {
    /** Pixel (x, y) has R = x, G = y: a crop's corner reveals where it came from. */
    static RgbImage coords(int s) {
        byte[] p = new byte[s * s * 3];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                p[(y * s + x) * 3] = (byte) x;
                p[(y * s + x) * 3 + 1] = (byte) y;
            }
        }
        return new RgbImage(s, s, p);
    }

    @Test
    void cropsAreSeededInsideTheImageAndVary() {
        RgbImage img = coords(100);
        RandomCrops a = new RandomCrops(32, false, 9);
        RandomCrops b = new RandomCrops(32, false, 9);
        Set<Integer> origins = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            RgbImage ca = a.next(img);
            assertArrayEquals(ca.rgb(), b.next(img).rgb());
            assertEquals(32, ca.width());
            int x0 = ca.get(0, 0, 0);
            int y0 = ca.get(0, 0, 1);
            assertTrue(x0 + 32 <= 100 && y0 + 32 <= 100);
            assertEquals(x0 + 31, ca.get(31, 0, 0), "crop is not a contiguous window");
            origins.add(x0 * 1000 + y0);
        }
        assertTrue(origins.size() > 15);
    }

    @Test
    void flipMirrorsSomeCrops() {
        RgbImage img = coords(64);
        RandomCrops r = new RandomCrops(16, true, 1);
        int flipped = 0;
        for (int i = 0; i < 40; i++) {
            RgbImage c = r.next(img);
            if (c.get(0, 0, 0) > c.get(15, 0, 0)) {
                flipped++;
            }
        }
        assertTrue(flipped > 5 && flipped < 35, "flipped " + flipped);
    }

    @Test
    void centreCropAndNormalisation() {
        RgbImage c = RandomCrops.centre(coords(10), 4);
        assertEquals(3, c.get(0, 0, 0));
        assertEquals(3, c.get(0, 0, 1));
        float[] px = RandomCrops.normalisedChw(c);
        assertEquals(48, px.length);
        assertEquals((3 / 255.0 - 0.48145466) / 0.26862954, px[0], 1e-6);
        assertEquals((0 / 255.0 - 0.40821073) / 0.27577711, px[32], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new RandomCrops(20, false, 0).next(coords(10)));
    }
}
