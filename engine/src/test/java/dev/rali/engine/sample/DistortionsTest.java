package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistortionsTest {

    /** A colourful 48×48 test card: gradients, a checkerboard and stripes, so every family has something to change. */
    static RgbImage card() {
        int s = 48;
        byte[] p = new byte[s * s * 3];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int o = (y * s + x) * 3;
                boolean check = ((x / 4) + (y / 4)) % 2 == 0;
                p[o] = (byte) (40 + x * 4);
                p[o + 1] = (byte) (check ? 200 : 60);
                p[o + 2] = (byte) (30 + y * 4);
            }
        }
        return new RgbImage(s, s, p);
    }

    /** Sum of squared differences between horizontally and vertically adjacent pixels: high-frequency energy. */
    static double hfEnergy(RgbImage img) {
        double e = 0;
        for (int y = 0; y < img.height() - 1; y++) {
            for (int x = 0; x < img.width() - 1; x++) {
                for (int c = 0; c < 3; c++) {
                    double dx = img.get(x + 1, y, c) - img.get(x, y, c);
                    double dy = img.get(x, y + 1, c) - img.get(x, y, c);
                    e += dx * dx + dy * dy;
                }
            }
        }
        return e;
    }

    static double meanAbsDiff(RgbImage a, RgbImage b) {
        double d = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            d += Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff));
        }
        return d / a.rgb().length;
    }

    @Test
    void everyTypeAndLevelIsDeterministicForASeedAndChangesTheImage() {
        RgbImage card = card();
        for (DistortionType t : DistortionType.values()) {
            for (int level = 1; level <= DistortionType.LEVELS; level++) {
                RgbImage a = Distortions.apply(card, t, level, 42);
                RgbImage b = Distortions.apply(card, t, level, 42);
                assertArrayEquals(a.rgb(), b.rgb(), t + " level " + level + " not deterministic");
                assertEquals(card.width(), a.width());
                assertFalse(Arrays.equals(card.rgb(), a.rgb()), t + " level " + level + " left the image unchanged");
            }
        }
    }

    @Test
    void noiseDependsOnTheSeed() {
        RgbImage card = card();
        assertFalse(Arrays.equals(Distortions.apply(card, DistortionType.GAUSSIAN_NOISE, 3, 1).rgb(),
                Distortions.apply(card, DistortionType.GAUSSIAN_NOISE, 3, 2).rgb()));
    }

    /** Uniform random pixels: no periodic pattern a box-shaped motion kernel could resonate with. */
    static RgbImage noiseCard() {
        java.util.Random r = new java.util.Random(11);
        byte[] p = new byte[48 * 48 * 3];
        r.nextBytes(p);
        return new RgbImage(48, 48, p);
    }

    @Test
    void blurRemovesHighFrequencyEnergyMonotonicallyInLevel() {
        RgbImage card = noiseCard();
        for (DistortionType t : new DistortionType[]{DistortionType.GAUSSIAN_BLUR, DistortionType.MOTION_BLUR}) {
            double prev = hfEnergy(card);
            for (int level = 1; level <= 5; level++) {
                double e = hfEnergy(Distortions.apply(card, t, level, 7));
                assertTrue(e < prev, t + " level " + level + ": energy " + e + " not below " + prev);
                prev = e;
            }
        }
    }

    @Test
    void noiseAndDeviationGrowWithLevel() {
        RgbImage card = card();
        for (DistortionType t : new DistortionType[]{DistortionType.GAUSSIAN_NOISE, DistortionType.IMPULSE_NOISE,
                DistortionType.CONTRAST_DECREASE, DistortionType.DARKEN, DistortionType.BRIGHTEN,
                DistortionType.COLOUR_CAST, DistortionType.SATURATION_DECREASE, DistortionType.JPEG}) {
            double prev = 0;
            for (int level = 1; level <= 5; level++) {
                double d = meanAbsDiff(card, Distortions.apply(card, t, level, 3));
                assertTrue(d > prev * 0.98, t + " level " + level + ": change " + d + " smaller than level before " + prev);
                prev = d;
            }
        }
    }

    @Test
    void saturationZeroGivesGreyAndNoiseKeepsGreyImagesGrey() {
        RgbImage grey = Distortions.apply(card(), DistortionType.SATURATION_DECREASE, 5, 0);
        assertTrue(ImageOps.isGrey(grey));
        assertTrue(ImageOps.isGrey(Distortions.apply(grey, DistortionType.GAUSSIAN_NOISE, 4, 0)));
    }

    @Test
    void pixelateMakesConstantBlocksAndQuantizeLimitsValues() {
        RgbImage px = Distortions.pixelate(card(), 4);
        assertEquals(px.get(0, 0, 1), px.get(3, 3, 1));
        RgbImage q = Distortions.quantize(card(), 3);
        for (byte b : q.rgb()) {
            int v = b & 0xff;
            assertTrue(v == 0 || v == 128 || v == 255, "value " + v);
        }
    }

    @Test
    void levelOutsideOneToFiveIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Distortions.apply(card(), DistortionType.JPEG, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Distortions.apply(card(), DistortionType.JPEG, 6, 0));
    }
}
