package dev.rali.engine.clip;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Compute precision of the CLIP image tower's inference. {@code bf16} runs the encoder layers' matmuls (QKV, the
 * attention products, out projection, MLP) and their elementwise work in bfloat16 with fp32 accumulation; the
 * residual stream, every layer norm, the patch embedding, the pooled output and the projection stay fp32, and so
 * does the RALI head (plain Java doubles). On a tower narrower than {@link #AUTO_MIN_WIDTH} a request for bf16
 * runs {@code bf16-mlp}: only the MLP (fc1, activation, fc2) in bf16, the attention block in fp32 — rounding the
 * attention's inputs moved the demo bundle's scores by up to 0.04 MOS, over the 0.02 the issue allows, while
 * bf16 MLPs alone stayed under 0.008 (docs/PERFORMANCE.md). {@code auto} picks bf16 where the hardware runs it natively (x86 CPUs
 * with AVX-512-BF16 or AMX, CUDA GPUs of compute capability 8.0 or later) and the tower is at least
 * {@link #AUTO_MIN_WIDTH} wide, fp32 elsewhere. Training and traced
 * forwards (hidden states, attentions) are always fp32.
 */
public enum Precision {
    FP32("fp32"), BF16("bf16"), BF16_MLP("bf16-mlp");

    private final String label;

    Precision(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /**
     * The embedding cache's key for vectors of encoder {@code encoderId} computed in this precision: the id itself
     * for fp32, "ID+bf16" / "ID+bf16-mlp" otherwise, so fp32 and reduced-precision vectors never share a table (the
     * pipeline's embedding stage and {@code rali import-embeddings} both key by this).
     */
    public String cacheKey(String encoderId) {
        return this == FP32 ? encoderId : encoderId + "+" + label;
    }

    /** The precision a label names (fp32, bf16, bf16-mlp), as outputs record it; anything else is refused. */
    public static Precision ofLabel(String label) {
        for (Precision p : values()) {
            if (p.label.equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("precision '" + label + "' is not fp32, bf16 or bf16-mlp");
    }

    /** The attention block (QKV, q·kᵀ, softmax, p·v, out_proj) in bf16. */
    boolean bf16Attention() {
        return this == BF16;
    }

    /** The MLP (fc1, activation, fc2) in bf16. */
    boolean bf16Mlp() {
        return this != FP32;
    }

    /** The choices a user may give (CLI --precision, the params key, the GUI). */
    public static final java.util.List<String> CHOICES = java.util.List.of("auto", "fp32", "bf16");

    /** Checks a user's choice: fp32, bf16 or auto (f32 is accepted for fp32); returns it in canonical spelling. */
    public static String checkChoice(String s) {
        String c = s == null ? "auto" : s.trim().toLowerCase(Locale.ROOT);
        if (c.equals("f32") || c.equals("float32")) {
            return "fp32";
        }
        if (c.equals("bfloat16")) {
            return "bf16";
        }
        if (!CHOICES.contains(c)) {
            throw new IllegalArgumentException("precision must be fp32, bf16 or auto, not '" + s + "'");
        }
        return c;
    }

    /**
     * Narrowest image-tower width for which auto picks bf16 and bf16 covers the attention block too: below it
     * the matmuls are too small for bf16 to pay for the casts (the demo's 64-wide encoder runs fp32 under auto,
     * and its numbers stay as they were), and a requested bf16 keeps the attention in fp32 for fidelity.
     */
    public static final int AUTO_MIN_WIDTH = 512;

    /**
     * What a choice means on a device for a tower of this width: auto becomes bf16 where it is native and pays;
     * bf16 on a tower narrower than {@link #AUTO_MIN_WIDTH} becomes {@link #BF16_MLP} (see the class comment).
     */
    public static Precision resolve(String choice, Device device, int visionWidth) {
        return switch (checkChoice(choice)) {
            case "fp32" -> FP32;
            case "bf16" -> bf16For(visionWidth);
            default -> visionWidth >= AUTO_MIN_WIDTH && fastBf16(device) ? BF16 : FP32;
        };
    }

    /** {@link #resolve(String, Device, int)} for a device choice ("cpu", "gpu", "auto") and a model folder's config. */
    public static Precision resolve(String choice, String device, java.nio.file.Path modelDir) throws IOException {
        String c = checkChoice(choice);
        if (c.equals("fp32")) {
            return FP32;
        }
        ClipConfig cfg = ClipConfig.read(modelDir.resolve("config.json"));
        if (c.equals("bf16")) {
            return bf16For(cfg.vision().hiddenSize());
        }
        return resolve(c, ClipModel.device(ClipLoadOptions.defaults().withDevice(device)), cfg.vision().hiddenSize());
    }

    private static Precision bf16For(int visionWidth) {
        return visionWidth >= AUTO_MIN_WIDTH ? BF16 : BF16_MLP;
    }

    /** Whether the device has native bf16 matmuls (so bf16 is faster, not just smaller). */
    public static boolean fastBf16(Device device) {
        if (device.isGpu()) {
            try {
                String cc = ai.djl.util.cuda.CudaUtils.getComputeCapability(device.getDeviceId());
                return cc != null && Integer.parseInt(cc.substring(0, 1)) >= 8;
            } catch (RuntimeException | LinkageError e) {
                return false;
            }
        }
        return cpuFlagsHaveBf16(cpuFlags());
    }

    /** True when a /proc/cpuinfo flags line names AVX-512-BF16 or AMX-BF16. */
    static boolean cpuFlagsHaveBf16(String flags) {
        for (String f : flags.split("\\s+")) {
            if (f.equals("avx512_bf16") || f.equals("amx_bf16")) {
                return true;
            }
        }
        return false;
    }

    private static volatile String cpuFlags;

    private static String cpuFlags() {
        String f = cpuFlags;
        if (f == null) {
            f = cpuInfo("flags"); // "" off Linux: no way to tell, fp32
            cpuFlags = f;
        }
        return f;
    }

    /** The value of the first {@code /proc/cpuinfo} line whose key is {@code key}; "" where there is none. */
    static String cpuInfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                    return line.substring(colon + 1).strip();
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // below
        }
        return "";
    }
}
