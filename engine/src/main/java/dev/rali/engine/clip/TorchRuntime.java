package dev.rali.engine.clip;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;

/**
 * What the tensors run on in this process: which libtorch (DJL's bundled one, or another named by
 * {@code PYTORCH_LIBRARY_PATH}, as {@code RALI_TORCH_LIB} sets it), which device a {@code --device} setting resolves
 * to, and the intra-op threads. Read by the benchmarks' JSON and by each pipeline run's environment record.
 */
public final class TorchRuntime {

    private TorchRuntime() { }

    /**
     * "2.7.1 (bundled)", or "from DIR" for an override, whose version DJL does not know (it reports its own).
     */
    public static String libtorch() {
        String version = Engine.getEngine("PyTorch").getVersion(); // also loads the native library
        String override = System.getenv("PYTORCH_LIBRARY_PATH");
        return override == null || override.isBlank() ? version + " (bundled)" : "from " + LibUtils.getLibtorchPath();
    }

    /** The device a setting ("cpu", "gpu", "auto") resolves to here, e.g. "cpu()" or "gpu(0)". */
    public static String device(String setting) {
        return ClipModel.device(ClipLoadOptions.defaults().withDevice(setting)).toString();
    }

    /** libtorch's intra-op threads. */
    public static int threads() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }

    /** The most intra-op threads {@link #setThreads} accepts (a guard against a typo, not a hardware limit). */
    public static final int MAX_THREADS = 1024;

    /**
     * Sets libtorch's intra-op threads for the rest of this process (the CLI's {@code --threads}; DJL's default is
     * one per core). For a shared server, or to compare with a reference on the same thread count: on a 2-core
     * machine a model as small as the demo's trains faster on one thread (docs/PERFORMANCE.md).
     *
     * @throws IllegalArgumentException outside 1..{@link #MAX_THREADS}, with a message to follow the option's name
     */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("must be between 1 and " + MAX_THREADS + ", got " + n);
        }
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(n);
    }

    /** The CPU's model name (/proc/cpuinfo), else the architecture. */
    public static String cpuModel() {
        String model = Precision.cpuInfo("model name");
        return model.isEmpty() ? System.getProperty("os.arch") : model;
    }

    /** Whether this CPU has native bf16 matmuls (AVX-512-BF16 or AMX). */
    public static boolean cpuBf16() {
        return Precision.fastBf16(ai.djl.Device.cpu());
    }
}
