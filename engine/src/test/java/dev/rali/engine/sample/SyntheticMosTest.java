package dev.rali.engine.sample;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticMosTest {

    @Test
    void meanFollowsTheDocumentedFormula() {
        assertEquals(4.8, SyntheticMos.mean(null, 0), 1e-12);
        // worst family (pixelate, 0.95) at level 5: 4.8 - 3.6*0.95 = 1.38
        assertEquals(4.8 - 3.6 * 0.95, SyntheticMos.mean(DistortionType.PIXELATE, 5), 1e-12);
        assertEquals(4.8 - 3.6 * 0.5 * Math.pow(0.6, 1.3), SyntheticMos.mean(DistortionType.SATURATION_DECREASE, 3), 1e-12);
    }

    @Test
    void meanDecreasesWithLevelAndStaysInOneToFive() {
        for (DistortionType t : DistortionType.values()) {
            double prev = SyntheticMos.mean(null, 0);
            for (int level = 1; level <= 5; level++) {
                double m = SyntheticMos.mean(t, level);
                assertTrue(m < prev, t + " level " + level);
                assertTrue(m >= 1 && m <= 5, t + " level " + level + " = " + m);
                prev = m;
            }
        }
    }

    @Test
    void recordedMosIsSeededNoisyAndClamped() {
        double a = SyntheticMos.mos("images/x.png", DistortionType.JPEG, 2, 0);
        assertEquals(a, SyntheticMos.mos("images/x.png", DistortionType.JPEG, 2, 0));
        double mean = SyntheticMos.mean(DistortionType.JPEG, 2);
        assertTrue(Math.abs(a - mean) < 0.6, "noise too large: " + (a - mean));
        double sum = 0;
        double sq = 0;
        int n = 2000;
        for (int i = 0; i < n; i++) {
            double v = SyntheticMos.mos("img" + i, DistortionType.JPEG, 2, 0);
            assertTrue(v >= 1 && v <= 5);
            sum += v - mean;
            sq += (v - mean) * (v - mean);
        }
        assertEquals(0, sum / n, 0.02);
        assertEquals(SyntheticMos.NOISE_STD, Math.sqrt(sq / n), 0.02);
        for (int i = 0; i < 200; i++) {
            assertTrue(SyntheticMos.mos("ref" + i, null, 0, 1) <= 5.0);
        }
    }

    @Test
    void stdGrowsWithLevelAndBadLevelIsRejected() {
        assertEquals(0.30, SyntheticMos.std(0), 1e-12);
        assertEquals(0.40, SyntheticMos.std(5), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> SyntheticMos.mean(DistortionType.JPEG, 6));
    }
}
