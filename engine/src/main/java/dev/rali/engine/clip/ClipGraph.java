package dev.rali.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIPModel's forward pass (transformers' modeling_clip.py) as whole-tensor NDArray operations, so PyTorch's
 * autograd can differentiate it. Stateless: parameters come from a {@link Params} lookup by HF name, which lets
 * the inference model and the trainer share this one definition of the math. Inference may hand the encoder
 * layers to a {@link LayerKernel} instead (the bf16 layer, see {@link Precision}); embeddings, pooling and the
 * projection are always computed here.
 */
final class ClipGraph {

    private ClipGraph() { }

    /**
     * Parameter lookup by HF name. May also answer {@code ...self_attn.qkv_proj.weight/bias}, the fused and
     * pre-scaled projection; returning null there selects the three separate projections.
     */
    @FunctionalInterface
    interface Params {
        NDArray get(String name);
    }

    /** Collects per-layer outputs when asked for (HF output_hidden_states / output_attentions). */
    static final class Trace {
        final boolean hidden;
        final boolean attentions;
        final List<NDArray> hiddenStates = new ArrayList<>();
        final List<NDArray> attentionProbs = new ArrayList<>();

        Trace(boolean hidden, boolean attentions) {
            this.hidden = hidden;
            this.attentions = attentions;
        }

        static Trace none() {
            return new Trace(false, false);
        }
    }

    /**
     * One encoder layer computed elsewhere, in forwards without traces: prefix "...layers.i.", h [B, T, D]. In
     * inference the bf16 layer; with autograd on, the trainer's bf16 mixed-precision layer.
     */
    @FunctionalInterface
    interface LayerKernel {
        NDArray layer(String prefix, ClipConfig.Encoder e, NDArray h);
    }

    /** Result of a tower: last_hidden_state and pooler_output (before the projection). */
    record Tower(NDArray lastHidden, NDArray pooled) { }

    // ---------------------------------------------------------------- vision

    /** CLIPVisionTransformer on pixels [N, C, S, S]. */
    static Tower vision(Params p, ClipConfig.Vision v, NDArray pixels, Trace tr) {
        return vision(p, v, pixels, tr, null);
    }

    /** As above with the encoder layers run by {@code kernel} when the forward keeps no per-layer outputs. */
    static Tower vision(Params p, ClipConfig.Vision v, NDArray pixels, Trace tr, LayerKernel kernel) {
        long n = pixels.getShape().get(0);
        int c = v.numChannels();
        int ps = v.patchSize();
        int g = v.gridSize();
        int d = v.hiddenSize();
        // The stride-P, kernel-P patch convolution is a matmul over non-overlapping patches: unfold to
        // [N, g*g, C*P*P] with patches in row-major grid order and each patch flattened as (c, y, x), like the
        // conv weight [D, C, P, P].
        NDArray patches = pixels.reshape(n, c, g, ps, g, ps).transpose(0, 2, 4, 1, 3, 5).reshape(n, (long) g * g,
                (long) c * ps * ps);
        NDArray w = p.get("vision_model.embeddings.patch_embedding.weight").reshape(d, (long) c * ps * ps);
        NDArray patchEmb = linear(patches, w, null);
        NDArray cls = p.get("vision_model.embeddings.class_embedding").reshape(1, 1, d).broadcast(n, 1, d);
        NDArray h = NDArrays.concat(new NDList(cls, patchEmb), 1)
                .add(p.get("vision_model.embeddings.position_embedding.weight"));
        h = layerNorm(p, "vision_model.pre_layrnorm", h, v.layerNormEps());
        h = encoder(p, "vision_model.encoder.layers.", v.encoder(), h, null, tr, kernel);
        NDArray pooled = layerNorm(p, "vision_model.post_layernorm", h.get(new NDIndex(":, 0, :")),
                v.layerNormEps());
        return new Tower(h, pooled);
    }

    static NDArray visualProjection(Params p, NDArray pooled) {
        return linear(pooled, p.get("visual_projection.weight"), null);
    }

    // ---------------------------------------------------------------- text

    /** CLIPTextTransformer on ids [B, L] (int64), causal mask only, as CLIPModel with attention_mask=None. */
    static Tower text(Params p, ClipConfig.Text t, NDArray ids, Trace tr) {
        long len = ids.getShape().get(1);
        NDArray tokW = p.get("text_model.embeddings.token_embedding.weight");
        NDArray tok = ids.getNDArrayInternal().embedding(ids, tokW, SparseFormat.DENSE).singletonOrThrow();
        NDArray pos = p.get("text_model.embeddings.position_embedding.weight").get(new NDIndex("0:" + len));
        NDArray h = tok.add(pos);
        NDArray mask = causalMask(ids, (int) len, h.getDataType());
        h = encoder(p, "text_model.encoder.layers.", t.encoder(), h, mask, tr, null);
        h = layerNorm(p, "text_model.final_layer_norm", h, t.layerNormEps());
        // EOT pooling exactly as transformers: eos_token_id == 2 is the legacy config, where the EOT token
        // (49407) is the largest id, so argmax of the ids; otherwise the first position holding eos_token_id
        // (argmax of a 0/1 mask returns the first maximum; position 0 when the row has none).
        NDArray where = t.eosTokenId() == 2 ? ids.toType(DataType.INT32, false)
                : ids.eq(t.eosTokenId()).toType(DataType.INT32, false);
        NDArray idx = where.argMax(1); // [B], int64
        long d = h.getShape().get(2);
        NDArray gatherIdx = idx.reshape(-1, 1, 1).broadcast(ids.getShape().get(0), 1, d);
        NDArray pooled = h.gather(gatherIdx, 1).reshape(-1, d);
        return new Tower(h, pooled);
    }

    static NDArray textProjection(Params p, NDArray pooled) {
        return linear(pooled, p.get("text_projection.weight"), null);
    }

    /** [L, L] additive mask: 0 on and below the diagonal, the dtype's lowest finite value above (as HF). */
    private static NDArray causalMask(NDArray like, int len, DataType dtype) {
        float[] m = new float[len * len];
        float min = -Float.MAX_VALUE;
        for (int i = 0; i < len; i++) {
            java.util.Arrays.fill(m, i * len + i + 1, (i + 1) * len, min);
        }
        NDArray mask = like.getManager().create(m, new Shape(len, len));
        return dtype == DataType.FLOAT32 ? mask : mask.toType(dtype, false);
    }

    // ---------------------------------------------------------------- shared encoder

    private static NDArray encoder(Params p, String prefix, ClipConfig.Encoder e, NDArray h, NDArray mask, Trace tr,
                                   LayerKernel kernel) {
        if (tr.hidden) {
            tr.hiddenStates.add(h);
        }
        // Inference that keeps nothing per layer frees each layer's intermediates (q, k, v, scores, MLP
        // activations) as soon as the layer is done, instead of at the end of the forward: ViT-L at batch 4 peaks
        // at ~2 GB instead of ~11 GB. Training (autograd needs them) and traced forwards keep everything.
        boolean freeEachLayer = !tr.hidden && !tr.attentions && !JniUtils.isGradMode();
        for (int i = 0; i < e.numLayers(); i++) {
            String l = prefix + i + ".";
            if (!freeEachLayer) {
                h = kernel != null && !tr.hidden && !tr.attentions ? kernel.layer(l, e, h) : layer(p, l, e, h, mask, tr);
                if (tr.hidden) {
                    tr.hiddenStates.add(h);
                }
                continue;
            }
            NDArray out;
            try (ai.djl.ndarray.NDScope layerScope = new ai.djl.ndarray.NDScope()) {
                layerScope.suppressNotUsedWarning();
                out = layerInGroups(p, l, e, h, mask, tr, kernel);
                ai.djl.ndarray.NDScope.unregister(out);
            }
            ai.djl.ndarray.NDScope.register(out); // back into the forward's scope, freed when it ends
            if (i > 0) {
                h.close(); // the previous layer's output (the first input belongs to the caller)
            }
            h = out;
        }
        return h;
    }

    /**
     * Bytes above which one temporary is not kept by glibc's malloc: blocks over its mmap threshold (dynamic, at
     * most 32 MiB on 64-bit) are mapped fresh for each allocation and unmapped when freed, so every use pays page
     * faults and the kernel's zeroing of every page. At ViT-L/14-336 batch 4 the [B, H, T, T] scores (85 MB), the
     * MLP activations and the QKV output all crossed it: ~1 GB of fresh pages per 4 layers, per-image time grew
     * with the batch. Not final: tests lower it to force groups on a small model.
     */
    static long groupBytes = 24L << 20;

    /** Images per group so that a layer's largest temporary stays under {@link #groupBytes}; at least 1. */
    static int imagesPerGroup(ClipConfig.Encoder e, long tokens, int elementBytes) {
        long perImage = Math.max((long) e.numHeads() * tokens * tokens,
                Math.max(tokens * e.intermediateSize(), 3 * tokens * e.hiddenSize())) * elementBytes;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, groupBytes / perImage));
    }

    /**
     * Inference: the layer on groups of images (each image's tokens attend only to each other, so groups are
     * independent) sized by {@link #imagesPerGroup}, then put back together. A batch that fits runs in one piece,
     * exactly as before; a big one no longer allocates temporaries beyond malloc's reuse limit.
     */
    private static NDArray layerInGroups(Params p, String l, ClipConfig.Encoder e, NDArray h, NDArray mask,
                                         Trace tr, LayerKernel kernel) {
        Shape s = h.getShape();
        long b = s.get(0);
        // groups are for the CPU's malloc (above); a GPU's caching allocator keeps its blocks, and splitting the
        // batch there only makes the GEMMs smaller (ViT-L/14-336 fp32 ran one image at a time)
        int g = h.getDevice().isGpu() ? Integer.MAX_VALUE : imagesPerGroup(e, s.get(1), h.getDataType().getNumOfBytes());
        if (b <= g) {
            return kernel == null ? layer(p, l, e, h, mask, tr) : kernel.layer(l, e, h);
        }
        NDList parts = new NDList();
        for (long start = 0; start < b; start += g) {
            NDArray part = h.get(new NDIndex(start + ":" + Math.min(b, start + g)));
            NDArray y = kernel == null ? layer(p, l, e, part, mask, tr) : kernel.layer(l, e, part);
            parts.add(y);
        }
        NDArray out = NDArrays.concat(parts, 0);
        parts.forEach(NDArray::close);
        return out;
    }

    private static NDArray layer(Params p, String l, ClipConfig.Encoder e, NDArray h, NDArray mask, Trace tr) {
        NDArray x = layerNorm(p, l + "layer_norm1", h, e.layerNormEps());
        // Residuals are added into the fresh projection outputs (no new buffer); autograd allows it since
        // addmm does not keep its output, and h itself (kept by layer norm, maybe traced) is not modified.
        NDArray r = attention(p, l + "self_attn.", e, x, mask, tr).addi(h);
        x = layerNorm(p, l + "layer_norm2", r, e.layerNormEps());
        x = linear(x, p.get(l + "mlp.fc1.weight"), p.get(l + "mlp.fc1.bias"));
        x = activation(x, e.hiddenAct());
        return linear(x, p.get(l + "mlp.fc2.weight"), p.get(l + "mlp.fc2.bias")).addi(r);
    }

    private static NDArray attention(Params p, String prefix, ClipConfig.Encoder e, NDArray x, NDArray mask,
                                     Trace tr) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int heads = e.numHeads();
        int hd = e.headDim();
        float scale = (float) Math.pow(hd, -0.5);
        NDArray q;
        NDArray k;
        NDArray v;
        NDArray qkv = p.get(prefix + "qkv_proj.weight");
        if (qkv != null) {
            // Inference: one GEMM against [Wq * scale; Wk; Wv] (see ClipModel#param), split into heads as views.
            NDArray y = linear(x, qkv, p.get(prefix + "qkv_proj.bias")).reshape(b, t, 3, heads, hd)
                    .transpose(2, 0, 3, 1, 4); // [3, B, H, T, hd]
            q = y.get(0);
            k = y.get(1);
            v = y.get(2);
        } else {
            // q is scaled before the product ([B, T, D] values instead of [B, H, T, T]); same math as HF.
            q = heads(linear(x, p.get(prefix + "q_proj.weight"), p.get(prefix + "q_proj.bias")).mul(k(x, scale)), b, t,
                    heads, hd);
            k = heads(linear(x, p.get(prefix + "k_proj.weight"), p.get(prefix + "k_proj.bias")), b, t, heads, hd);
            v = heads(linear(x, p.get(prefix + "v_proj.weight"), p.get(prefix + "v_proj.bias")), b, t, heads, hd);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, H, T, T]
        if (mask != null) {
            scores = scores.addi(mask);
        }
        NDArray probs = scores.softmax(-1);
        if (tr.attentions) {
            tr.attentionProbs.add(probs);
        }
        NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
        return linear(ctx, p.get(prefix + "out_proj.weight"), p.get(prefix + "out_proj.bias"));
    }

    private static NDArray heads(NDArray x, long b, long t, int heads, int hd) {
        return x.reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
    }

    // ---------------------------------------------------------------- primitives

    /**
     * y = x W^T + b with W [out, in] (torch.nn.functional.linear). Inputs of rank > 2 are folded to 2-D first:
     * libtorch's functional linear fuses the bias into the GEMM (addmm) only for 2-D inputs, otherwise it runs
     * matmul and a separate bias pass over the output.
     */
    static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        Shape s = x.getShape();
        if (s.dimension() == 2) {
            return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
        }
        long in = s.get(s.dimension() - 1);
        NDArray x2 = x.reshape(-1, in);
        NDArray y = x2.getNDArrayInternal().linear(x2, w, bias).singletonOrThrow();
        long[] out = s.getShape().clone();
        out[out.length - 1] = w.getShape().get(0);
        return y.reshape(out);
    }

    private static NDArray layerNorm(Params p, String prefix, NDArray x, double eps) {
        NDArray w = p.get(prefix + ".weight");
        return x.getNDArrayInternal().layerNorm(x, w.getShape(), w, p.get(prefix + ".bias"), (float) eps)
                .singletonOrThrow();
    }

    /**
     * A constant for an op that autograd may record, as a tensor libtorch owns. DJL's {@code op(Number)} wraps the
     * number in a tensor over a Java direct buffer and frees that buffer as soon as the op returns, but autograd keeps
     * the tensor for the backward pass of mul, div and pow, which then reads freed memory: usually the right value,
     * sometimes garbage. In alignment training that showed up as gradients that were now and then Infinity (in q_proj
     * and everything below it) and a skipped step, so two identical runs could end with different encoders. Same
     * dtype as DJL's own wrapping, so the arithmetic is unchanged.
     */
    static NDArray k(NDArray like, Number value) {
        NDManager m = like.getManager();
        if (!like.getDevice().isGpu()) {
            try (NDArray blob = m.create(value)) {
                return blob.duplicate();
            }
        }
        // On a GPU the constant stays a 0-dim CPU tensor, which libtorch takes as a scalar operand of a CUDA op:
        // creating it on the device is a copy from host memory per op, which stalls the stream each time.
        return onHost(m, cpu -> cpu.create(value));
    }

    /**
     * A tensor in host memory owned by {@code owner} whatever its device: for small operands libtorch reads on the
     * host (scalars of CUDA ops, values a script reads with {@code .item()}), where a device copy would synchronise.
     */
    static NDArray onHost(NDManager owner, java.util.function.Function<NDManager, NDArray> create) {
        try (NDManager cpu = owner.newSubManager(ai.djl.Device.cpu()); NDArray blob = create.apply(cpu)) {
            NDArray c = blob.duplicate();
            c.attach(owner);
            return c;
        }
    }

    static NDArray activation(NDArray x, String act) {
        return switch (act) {
            // float scalars: a double scalar takes a slower mixed-type path. The scalar is k's (on a GPU a host
            // tensor: DJL's op(Number) puts a fresh tensor on the device, a synchronous copy). Without autograd the
            // last product goes into the sigmoid's buffer; with it, that buffer is kept for the backward pass.
            case "quick_gelu" -> JniUtils.isGradMode() ? x.mul(Activation.sigmoid(x.mul(k(x, 1.702f))))
                    : Activation.sigmoid(x.mul(k(x, 1.702f))).muli(x);
            case "gelu" -> Activation.gelu(x); // torch's exact erf form
            case "gelu_new", "gelu_pytorch_tanh" -> {
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                // not in place: tanh's output is saved for its backward pass
                NDArray inner = x.add(x.pow(k(x, 3)).mul(k(x, 0.044715))).mul(k(x, Math.sqrt(2.0 / Math.PI)));
                yield x.mul(inner.tanh().add(1)).mul(k(x, 0.5));
            }
            default -> throw new IllegalArgumentException("unsupported activation " + act);
        };
    }
}
