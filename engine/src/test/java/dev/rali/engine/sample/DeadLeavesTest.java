package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLeavesTest {
    @Test
    void scenesAreSeededColourfulAndVaried() {
        RgbImage a = DeadLeaves.generate(64, 1);
        assertArrayEquals(a.rgb(), DeadLeaves.generate(64, 1).rgb());
        assertFalse(Arrays.equals(a.rgb(), DeadLeaves.generate(64, 2).rgb()));
        assertFalse(ImageOps.isGrey(a));
        Set<Integer> colours = new HashSet<>();
        for (int i = 0; i < a.rgb().length; i += 3) {
            colours.add(((a.rgb()[i] & 0xff) << 16) | ((a.rgb()[i + 1] & 0xff) << 8) | (a.rgb()[i + 2] & 0xff));
        }
        assertTrue(colours.size() > 30, "only " + colours.size() + " colours");
        // edges: adjacent pixels differ somewhere but most neighbours are equal (flat leaves)
        double hf = DistortionsTest.hfEnergy(a);
        assertTrue(hf > 0 && hf < DistortionsTest.hfEnergy(DistortionsTest.noiseCard()) / 4);
    }
}
