package dev.rali.engine.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TorchScript optimiser step: hand-sized cases, and torch.optim.AdamW's own floats (the trainer's test adds
 * clipping).
 */
class FusedAdamWTest {

    @Test
    void oneStepIsClippedAdamWWithDecayOnMatricesOnlyAndZeroesTheGradients() {
        try (NDManager mgr = NDManager.newBaseManager("PyTorch")) {
            NDArray w = mgr.create(new float[] {1, -2, 3, 4}, new Shape(2, 2));
            NDArray b = mgr.create(new float[] {0.5f, -0.5f});
            NDArray gw = mgr.create(new float[] {3, 0, 0, 4}, new Shape(2, 2)); // norm 5
            NDArray gb = mgr.create(new float[] {0, 0});
            NDArray mw = mgr.zeros(new Shape(2, 2));
            NDArray mb = mgr.zeros(new Shape(2));
            NDArray vw = mgr.zeros(new Shape(2, 2));
            NDArray vb = mgr.zeros(new Shape(2));
            double lr = 0.1;
            double wd = 0.5;
            float[] norms;
            try (FusedAdamW adamW = new FusedAdamW(mgr, List.of(w, b), List.of(mw, mb), List.of(vw, vb))) {
                norms = adamW.stepWithGradients(List.of(gw, gb), 1.0, lr, 0.9, 0.98, 1e-6, 1, wd, -1, 0);
            }
            assertArrayEquals(new float[] {5, 0}, norms, 1e-6f);
            // clipped to norm 1: g = [0.6, 0, 0, 0.8]; step 1's bias-corrected update is lr * g / (|g| + eps')
            double[] g = {0.6, 0, 0, 0.8};
            float[] want = new float[4];
            float[] w0 = {1, -2, 3, 4};
            for (int i = 0; i < 4; i++) {
                double decayed = w0[i] * (1 - lr * wd);
                double m = 0.1 * g[i] / 0.1;                       // m / (1 - beta1)
                double denom = Math.sqrt(0.02 * g[i] * g[i]) / Math.sqrt(0.02) + 1e-6;
                want[i] = (float) (decayed - lr * m / denom);
            }
            assertArrayEquals(want, w.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.5f, -0.5f}, b.toFloatArray(), 0f, "a vector gets no weight decay");
            assertArrayEquals(new float[] {0.06f, 0, 0, 0.08f}, mw.toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {0, 0, 0, 0}, gw.toFloatArray(), 0f, "gradients are zeroed");
        }
    }

    @Test
    void theStepReadsEachParametersOwnGradientAndZeroesIt() {
        try (NDManager mgr = NDManager.newBaseManager("PyTorch")) {
            NDArray w = mgr.create(new float[] {1, 2});
            NDArray unused = mgr.create(new float[] {5});
            w.setRequiresGradient(true);
            unused.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(w.mul(w).sum()); // d/dw = 2w = [2, 4]; autograd never reaches `unused`
            }
            float[] norms;
            try (FusedAdamW adamW = new FusedAdamW(mgr, List.of(w, unused), List.of(mgr.zeros(new Shape(2)),
                    mgr.zeros(new Shape(1))), List.of(mgr.zeros(new Shape(2)), mgr.zeros(new Shape(1))))) {
                norms = adamW.step(100, 0.1, 0.9, 0.98, 1e-6, 1, 0, -1, 0);
            }
            assertArrayEquals(new float[] {(float) Math.sqrt(20), 0}, norms, 1e-5f);
            // step 1, no clipping: w -= lr * g / (|g| + eps)
            assertArrayEquals(new float[] {0.9f, 1.9f}, w.toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {0, 0}, w.getGradient().toFloatArray(), 0f, "its gradient is zeroed");
            assertEquals(5f, unused.getFloat(), 0f, "no gradient counts as a zero gradient");
        }
    }

    @Test
    void aNonFiniteGradientLeavesWeightsAndMomentsAsTheyWereAndNamesItsTensor() {
        try (NDManager mgr = NDManager.newBaseManager("PyTorch")) {
            NDArray w = mgr.create(new float[] {1, 2});
            NDArray u = mgr.create(new float[] {3, 4});
            NDArray gw = mgr.create(new float[] {0.1f, 0.2f});
            NDArray gu = mgr.create(new float[] {Float.NaN, 1});
            NDArray mw = mgr.create(new float[] {0.01f, 0.02f});
            NDArray mu = mgr.zeros(new Shape(2));
            NDArray vw = mgr.create(new float[] {0.001f, 0.002f});
            NDArray vu = mgr.zeros(new Shape(2));
            float[] norms;
            try (FusedAdamW adamW = new FusedAdamW(mgr, List.of(w, u), List.of(mw, mu), List.of(vw, vu))) {
                norms = adamW.stepWithGradients(List.of(gw, gu), 1.0, 0.1, 0.9, 0.98, 1e-6, 3, 0.1, -1, 0);
            }
            assertEquals((float) Math.sqrt(0.05), norms[0], 1e-6f);
            assertTrue(Float.isNaN(norms[1]));
            assertArrayEquals(new float[] {1, 2}, w.toFloatArray(), 0f);
            assertArrayEquals(new float[] {3, 4}, u.toFloatArray(), 0f);
            assertArrayEquals(new float[] {0.01f, 0.02f}, mw.toFloatArray(), 0f);
            assertArrayEquals(new float[] {0.001f, 0.002f}, vw.toFloatArray(), 0f);
            assertArrayEquals(new float[] {0, 0}, gw.toFloatArray(), 0f, "gradients are zeroed even when skipped");
        }
    }

    @Test
    void theClampedTensorStaysWithinZeroAndItsMaximum() {
        try (NDManager mgr = NDManager.newBaseManager("PyTorch")) {
            NDArray scale = mgr.create(new float[] {4.6f});   // CLIP's logit scale, max ln 100 = 4.605
            NDArray other = mgr.create(new float[] {4.6f});
            NDArray m = mgr.zeros(new Shape(1));
            NDArray v = mgr.zeros(new Shape(1));
            NDArray m2 = mgr.zeros(new Shape(1));
            NDArray v2 = mgr.zeros(new Shape(1));
            try (FusedAdamW adamW = new FusedAdamW(mgr, List.of(scale, other), List.of(m, m2), List.of(v, v2))) {
                adamW.stepWithGradients(List.of(mgr.create(new float[] {-1}), mgr.create(new float[] {-1})), 10,
                        0.1, 0.9, 0.98, 1e-6, 1, 0, 0, Math.log(100));
            }
            assertEquals((float) Math.log(100), scale.getFloat(), 1e-6f);
            assertEquals(4.7f, other.getFloat(), 1e-5f, "only the named tensor is clamped");
        }
    }

    @Test
    void listsOfDifferentLengthsAreRefused() {
        try (NDManager mgr = NDManager.newBaseManager("PyTorch")) {
            NDArray a = mgr.zeros(new Shape(2));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new FusedAdamW(mgr, List.of(a, a), List.of(a), List.of(a, a)));
            assertTrue(e.getMessage().contains("2 parameters, 1 and 2 moments"), e.getMessage());
            try (FusedAdamW adamW = new FusedAdamW(mgr, List.of(a, a), List.of(a, a), List.of(a, a))) {
                e = assertThrows(IllegalArgumentException.class,
                        () -> adamW.stepWithGradients(List.of(a), 1, 0.1, 0.9, 0.98, 1e-6, 1, 0, -1, 0));
                assertTrue(e.getMessage().contains("1 gradients for 2 parameters"), e.getMessage());
            }
        }
    }

    /**
     * adamw_reference.safetensors (make_adamw_reference.py, Debian's torch 1.13): three steps of
     * torch.optim.AdamW(foreach=False) on tensors of a CLIP tower's shapes, weight decay on rank &ge; 2 only. The
     * script uses the same fused ops (add with alpha, addcmul, addcdiv) in the same order, so libtorch 2.7 gives the
     * same moments bit for bit and the same parameters to the last bit. Clipping is off here (max norm 1e9): torch
     * sums the norms in float32, the script in float64.
     */
    @Test
    void threeStepsGiveTorchOptimAdamWsMomentsExactlyAndItsParametersToTheLastBit() throws Exception {
        java.nio.file.Path ref = java.nio.file.Path.of(
                FusedAdamWTest.class.getResource("adamw_reference.safetensors").toURI());
        try (dev.rali.engine.io.Safetensors.Reader r = dev.rali.engine.io.Safetensors.open(ref);
             NDManager mgr = NDManager.newBaseManager("PyTorch")) {
            java.util.Map<String, String> meta = r.metadata();
            int tensors = Integer.parseInt(meta.get("tensors"));
            int steps = Integer.parseInt(meta.get("steps"));
            double lr = Double.parseDouble(meta.get("lr"));
            double b1 = Double.parseDouble(meta.get("beta1"));
            double b2 = Double.parseDouble(meta.get("beta2"));
            List<NDArray> p = new java.util.ArrayList<>();
            List<NDArray> m = new java.util.ArrayList<>();
            List<NDArray> v = new java.util.ArrayList<>();
            for (int i = 0; i < tensors; i++) {
                Shape shape = new Shape(r.info("p" + i + "/initial").shape());
                p.add(mgr.create(r.floats("p" + i + "/initial"), shape));
                m.add(mgr.zeros(shape));
                v.add(mgr.zeros(shape));
            }
            try (FusedAdamW adamW = new FusedAdamW(mgr, p, m, v)) {
                for (int t = 1; t <= steps; t++) {
                    List<NDArray> g = new java.util.ArrayList<>();
                    for (int i = 0; i < tensors; i++) {
                        g.add(mgr.create(r.floats("p" + i + "/grad" + t), p.get(i).getShape()));
                    }
                    adamW.stepWithGradients(g, 1e9, lr, b1, b2, Double.parseDouble(meta.get("eps")), t,
                            Double.parseDouble(meta.get("weight_decay")), -1, 0);
                }
            }
            int off = 0;
            int total = 0;
            for (int i = 0; i < tensors; i++) {
                assertArrayEquals(r.floats("p" + i + "/exp_avg"), m.get(i).toFloatArray(), 0f, "exp_avg " + i);
                assertArrayEquals(r.floats("p" + i + "/exp_avg_sq"), v.get(i).toFloatArray(), 0f, "exp_avg_sq " + i);
                float[] want = r.floats("p" + i + "/after");
                float[] got = p.get(i).toFloatArray();
                for (int j = 0; j < want.length; j++) {
                    if (want[j] != got[j]) {
                        off++;
                        assertEquals(want[j], got[j], Math.ulp(want[j]), "parameter " + i + " [" + j + "]: one ulp");
                    }
                }
                total += want.length;            }
        }
    }

    @Test
    void tensorsUpdatedInSeveralGroupsGetExactlyTheStepOfOneGroup() {
        long[][] shapes = {{7}, {30}, {3, 4}, {50, 2}, {1}, {9}};
        float[][][] after = new float[2][][];
        float[][] norms = new float[2][];
        long saved = FusedAdamW.groupElements;
        try {
            for (int run = 0; run < 2; run++) {
                // run 0: everything in one group; run 1: at most 10 elements a group, so the 100-element tensor is a
                // group of its own and the small ones are split around it
                FusedAdamW.groupElements = run == 0 ? 1L << 24 : 10;
                try (NDManager mgr = NDManager.newBaseManager("PyTorch")) {
                    java.util.Random r = new java.util.Random(7);
                    List<NDArray> p = new java.util.ArrayList<>();
                    List<NDArray> g = new java.util.ArrayList<>();
                    List<NDArray> m = new java.util.ArrayList<>();
                    List<NDArray> v = new java.util.ArrayList<>();
                    for (long[] s : shapes) {
                        Shape shape = new Shape(s);
                        p.add(mgr.create(gaussian(r, shape.size(), 1), shape));
                        g.add(mgr.create(gaussian(r, shape.size(), 3), shape)); // global norm > 1: clipped
                        m.add(mgr.create(gaussian(r, shape.size(), 0.01), shape));
                        v.add(mgr.create(gaussian(r, shape.size(), 0.01), shape).abs());
                    }
                    try (FusedAdamW adamW = new FusedAdamW(mgr, p, m, v)) {
                        norms[run] = adamW.stepWithGradients(g, 1.0, 1e-3, 0.9, 0.98, 1e-6, 3, 0.05, -1, 0);
                    }
                    after[run] = new float[shapes.length * 3][];
                    for (int i = 0; i < shapes.length; i++) {
                        after[run][3 * i] = p.get(i).toFloatArray();
                        after[run][3 * i + 1] = m.get(i).toFloatArray();
                        after[run][3 * i + 2] = v.get(i).toFloatArray();
                        for (float x : g.get(i).toFloatArray()) {
                            assertEquals(0f, x, "gradients are zeroed in every group");
                        }
                    }
                }
            }
        } finally {
            FusedAdamW.groupElements = saved;
        }
        assertArrayEquals(norms[0], norms[1], 0f);
        for (int i = 0; i < after[0].length; i++) {
            assertArrayEquals(after[0][i], after[1][i], 0f, "tensor " + i / 3 + " (" + "pmv".charAt(i % 3) + ")");
        }
        assertNotEquals(after[0][0][0], gaussianFirst(), "the step moved the parameters");
    }

    private static float[] gaussian(java.util.Random r, long n, double scale) {
        float[] x = new float[(int) n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    private static float gaussianFirst() {
        return gaussian(new java.util.Random(7), 1, 1)[0];
    }
}
