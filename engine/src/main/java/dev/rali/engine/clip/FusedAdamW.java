package dev.rali.engine.clip;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The optimiser step of {@link ClipVisionTrainer} in one TorchScript call ({@code fused_adamw.pt}, written by
 * {@code tools/make_fused_adamw.py}): per-tensor gradient norms, clipping by the global norm as torch's
 * {@code clip_grad_norm_}, AdamW in torch.optim.AdamW's order of operations (decoupled weight decay on tensors of
 * rank &ge; 2), an optional clamp of one tensor (CLIP's learned logit scale), and zeroing the gradients, all in
 * place on the tensors given.
 *
 * <p>Why a script: written on NDArrays the same update is ~12 JNI crossings per tensor plus one norm read back per
 * tensor; at the demo's size (40 small tensors) that was 40 % of a training step against 5 % of PyTorch's. Here
 * the lists cross the JNI as three IValues, the gradients are read from the parameters' own {@code .grad} inside
 * libtorch, and each op costs microseconds. Runs under libtorch's no-grad guard ({@code runMethod}).
 */
final class FusedAdamW implements AutoCloseable {

    /**
     * Elements per group of tensors in one {@code torch._foreach_*} op: bounds the step's temporaries (64 MiB of
     * float32). Not final: tests lower it to make several groups out of small tensors.
     */
    static long groupElements = 1L << 24;

    private final PtNDManager manager;
    private final PtSymbolBlock module;
    private final PtNDArray[] params;
    private final PtNDArray[] m;
    private final PtNDArray[] v;

    /** For these parameters and their Adam moments, in one order; all are updated in place by every step. */
    FusedAdamW(NDManager manager, List<NDArray> params, List<NDArray> m, List<NDArray> v) {
        if (m.size() != params.size() || v.size() != params.size()) {
            throw new IllegalArgumentException("AdamW lists differ in length: " + params.size() + " parameters, "
                    + m.size() + " and " + v.size() + " moments");
        }
        this.manager = (PtNDManager) manager;
        this.params = params.toArray(new PtNDArray[0]);
        this.m = m.toArray(new PtNDArray[0]);
        this.v = v.toArray(new PtNDArray[0]);
        try (InputStream in = FusedAdamW.class.getResourceAsStream("fused_adamw.pt")) {
            if (in == null) {
                throw new IllegalStateException("fused_adamw.pt missing from the engine's resources");
            }
            module = JniUtils.loadModule(this.manager, in, true, false);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot load the fused AdamW step: " + ex.getMessage(), ex);
        }
    }

    /**
     * One step at 1-based step {@code t} with the parameters' own gradients ({@code .grad}; a parameter autograd
     * did not reach counts as a zero gradient), which are scaled by the clipping and then zeroed. When the global gradient norm is
     * not finite nothing but the zeroing happens: the caller skips the step. Then parameter {@code clampIndex}
     * (unless −1) is clamped to [0, clampMax].
     *
     * @return the float32 per-tensor gradient norms before clipping, in the parameters' order
     */
    float[] step(double maxNorm, double lr, double beta1, double beta2, double eps, long t, double weightDecay,
                 int clampIndex, double clampMax) {
        try {
            return run(null, maxNorm, lr, beta1, beta2, eps, t, weightDecay, clampIndex, clampMax);
        } catch (EngineException e) {
            if (e.getMessage() == null || !e.getMessage().contains("UNKNOWN_SCALAR")) {
                throw e;
            }
            // A parameter autograd never reached has no .grad: an undefined tensor, which TorchScript cannot test
            // for (`is None` is compiled away), so the script failed at the norms, before changing anything. DJL
            // reads a missing gradient as zeros: take this step with the gradients read through it.
            List<NDArray> grads = new java.util.ArrayList<>(params.length);
            for (PtNDArray p : params) {
                grads.add(p.getGradient());
            }
            return stepWithGradients(grads, maxNorm, lr, beta1, beta2, eps, t, weightDecay, clampIndex, clampMax);
        }
    }

    /** As {@link #step} with the float32 gradients given (a list in the parameters' order), e.g. converted ones. */
    float[] stepWithGradients(List<NDArray> grads, double maxNorm, double lr, double beta1, double beta2, double eps,
                              long t, double weightDecay, int clampIndex, double clampMax) {
        if (grads.size() != params.length) {
            throw new IllegalArgumentException(grads.size() + " gradients for " + params.length + " parameters");
        }
        return run(grads.toArray(new PtNDArray[0]), maxNorm, lr, beta1, beta2, eps, t, weightDecay, clampIndex,
                clampMax);
    }

    private float[] run(PtNDArray[] grads, double maxNorm, double lr, double beta1, double beta2, double eps, long t,
                        double weightDecay, int clampIndex, double clampMax) {
        if (lists == null) {
            lists = new IValue[] {IValue.listFrom(params), IValue.listFrom(m), IValue.listFrom(v)};
        }
        IValue g = grads == null ? null : IValue.listFrom(grads);
        IValue hp = IValue.listFrom(maxNorm, lr, beta1, beta2, eps, 1 - Math.pow(beta1, t),
                Math.sqrt(1 - Math.pow(beta2, t)), weightDecay, clampIndex, clampMax, (double) groupElements);
        IValue out = null;
        try {
            out = g == null ? IValueUtils.runMethod(module, "forward", lists[0], lists[1], lists[2], hp)
                    : IValueUtils.runMethod(module, "step_with_grads", lists[0], g, lists[1], lists[2], hp);
            try (PtNDArray norms = out.toTensor(manager)) {
                return norms.toFloatArray();
            }
        } finally {
            for (IValue x : new IValue[] {g, hp, out}) {
                if (x != null) {
                    x.close();
                }
            }
        }
    }

    /**
     * The parameter and moment lists as TorchScript values, made at the first step and kept: they hold the same
     * tensors (updated in place), and making them is 3 × n JNI crossings per step (~0.1 ms at the demo's 40 tensors).
     */
    private IValue[] lists;

    @Override
    public void close() {
        if (lists != null) {
            for (IValue x : lists) {
                x.close();
            }
        }
        module.close();
    }
}
