package dev.rali.engine.clip;

import dev.rali.engine.data.RgbImage;
import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PilResizeTest {
    /**
     * pil_resize_refs.safetensors: a seeded 53x37 RGB image and PIL 9.4.0 {@code Image.resize((w, h), filter)}
     * outputs for shrinking, enlarging, one-axis and mixed cases with every supported filter.
     */
    @Test
    void bytesEqualPillowForEveryFilterAndDirection() throws Exception {
        Path refs = Path.of(PilResizeTest.class.getResource("pil_resize_refs.safetensors").toURI());
        try (Safetensors.Reader r = Safetensors.open(refs)) {
            RgbImage src = new RgbImage(53, 37, r.bytes("src"));
            int checked = 0;
            for (String name : r.tensors().keySet()) {
                if (!name.startsWith("r_")) {
                    continue;
                }
                String[] p = name.substring(2).split("_f");
                String[] wh = p[0].split("x");
                int w = Integer.parseInt(wh[0]), h = Integer.parseInt(wh[1]);
                RgbImage out = PilResize.resize(src, w, h, PilResize.Filter.fromPilCode(Integer.parseInt(p[1])));
                assertEquals(w, out.width());
                assertEquals(h, out.height());
                assertArrayEquals(r.bytes(name), out.rgb(), name);
                checked++;
            }
            assertEquals(8, checked);
        }
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage img = new RgbImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        RgbImage out = PilResize.bicubic(img, 2, 1);
        assertArrayEquals(img.rgb(), out.rgb());
    }

    @Test
    void rejectsNonPositiveSizeAndNearest() {
        RgbImage img = new RgbImage(1, 1, new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> PilResize.bicubic(img, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> PilResize.Filter.fromPilCode(0));
    }
}
