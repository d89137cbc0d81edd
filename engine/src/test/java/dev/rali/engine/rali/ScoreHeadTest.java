package dev.rali.engine.rali;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreHeadTest {

    @Test
    void scoresByHandComputedEquation3() {
        // D=2, no PCA, mean 0: z = e. Bases μ1=(1,0) f=1, μ2=(0,1) f=5, τ=0.5.
        ScoreHead head = new ScoreHead(new float[] {0, 0}, 1f, null,
                new float[][] {{1, 0}, {0, 1}}, new float[] {1, 5}, 0.5);
        // e=(3,4): cos to μ1 = 0.6, to μ2 = 0.8; w = softmax(1.2, 1.6)
        double w2 = Math.exp(1.6) / (Math.exp(1.2) + Math.exp(1.6));
        double expected = (1 - w2) * 1 + w2 * 5;
        assertEquals(expected, head.score(new float[] {3, 4}), 1e-6);
    }

    @Test
    void appliesPcaMeanScaleAndComponents() {
        // U picks the second coordinate only after centring and scaling by |−2|.
        ScoreHead head = new ScoreHead(new float[] {1, 1}, -2f, new float[][] {{0, 1}},
                new float[][] {{1}, {-1}}, new float[] {4, 2}, 0.07);
        assertEquals(-1.5f, head.compress(new float[] {7, -2})[0], 1e-6);
        // z < 0 → cos = −1 to μ1, +1 to μ2: weight on f=2 is sigmoid(2/0.07) ≈ 1
        assertEquals(2.0, head.score(new float[] {7, -2}), 1e-9);
    }

    @Test
    void equalCosinesGiveTheMeanOfF() {
        ScoreHead head = new ScoreHead(new float[] {0, 0}, 1f, null,
                new float[][] {{1, 1}, {1, 1}, {1, 1}}, new float[] {1, 2, 6}, 1.0);
        assertEquals(3.0, head.score(new float[] {0.3f, -2f}), 1e-9);
    }

    @Test
    void rejectsMismatchedShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ScoreHead(new float[] {0, 0}, 1f, null,
                new float[][] {{1, 0, 0}}, new float[] {1}, 1.0));
        assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScoreHead(new float[] {0, 0}, 1f, null,
                new float[][] {{1, 0}}, new float[] {1, 2}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new ScoreHead(new float[] {0, 0}, 1f, null,
                new float[][] {{1, 0}}, new float[] {1}, 0.0));
        ScoreHead ok = new ScoreHead(new float[] {0, 0}, 1f, null, new float[][] {{1, 0}}, new float[] {1}, 1.0);
        assertThrows(IllegalArgumentException.class, () -> ok.score(new float[] {1, 2, 3}));
    }
}
