package dev.rali.engine.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Throughput of the image tower (the part the pipeline runs per image) with random weights, and in the same run a
 * plain DJL matmul doing the same number of FLOPs, shaped like the tower's MLP, as the machine's practical
 * roofline: {@code rooflineShare} = achieved GFLOP/s of the tower / GFLOP/s of that matmul.
 */
public final class ClipBench {

    private ClipBench() { }

    /** Measured figures (times are medians over the timed iterations). */
    public record Result(String config, String device, String precision, int threads, int batch, int iters, double msPerBatch,
                         double imagesPerS, double gflopPerImage, double gflops, double matmulGflops,
                         double rooflineShare, double peakMemMb) { }

    /** FLOPs of one image through the vision tower and its projection (multiply-add = 2). */
    public static double visionFlops(ClipConfig cfg) {
        ClipConfig.Vision v = cfg.vision();
        double t = v.numPositions();
        double d = v.hiddenSize();
        double f = v.intermediateSize();
        double patches = (double) v.gridSize() * v.gridSize();
        double patch = 2 * patches * v.numChannels() * v.patchSize() * v.patchSize() * d;
        double layer = 2 * t * d * d * 4 // q, k, v, out projections
                + 2 * 2 * t * t * d       // scores and the weighted sum over values
                + 2 * 2 * t * d * f;      // fc1, fc2
        return patch + v.numLayers() * layer + 2 * d * cfg.projectionDim();
    }

    /** With {@code profile} non-null, libtorch's profiler records one more forward after the timed ones (untimed). */
    public static Result run(ClipConfig cfg, String name, int batch, int iters, int warmup, ClipLoadOptions opts,
                             Path profile, TaskContext ctx) {
        if (batch < 1 || iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("batch and iters must be >= 1, warmup >= 0");
        }
        ClipConfig.Vision v = cfg.vision();
        float[] px = new float[batch * v.numChannels() * v.imageSize() * v.imageSize()];
        Random r = new Random(0);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        double flops = visionFlops(cfg) * batch;
        // The roofline GEMM: [B*T, D] x [D, F], the tower's largest shape, repeated to the tower's FLOPs.
        long m = (long) batch * v.numPositions();
        long k = v.hiddenSize();
        long n = v.intermediateSize();
        double one = 2.0 * m * k * n;
        int reps = (int) Math.max(1, Math.round(flops / one));
        double[] model = new double[iters];
        double[] gemm = new double[iters];
        String device;
        String precision;
        try (ClipModel clip = ClipModel.random(cfg, 0, opts);
             NDManager mgr = NDManager.newBaseManager(ClipModel.device(opts))) {
            device = clip.device().toString();
            precision = clip.precision().label();
            NDArray a = mgr.randomNormal(0, 1, new Shape(m, k), DataType.FLOAT32);
            NDArray b = mgr.randomNormal(0, 1, new Shape(k, n), DataType.FLOAT32);
            // Interleaved, so both see the same machine load (other processes, clock changes).
            for (int i = 0; i < warmup + iters; i++) {
                ctx.checkCancelled();
                ctx.progress(i < warmup ? "warmup" : "timing", i < warmup ? i : i - warmup, i < warmup ? warmup : iters, "");
                long t0 = System.nanoTime();
                clip.embedImages(px, batch);
                long t1 = System.nanoTime();
                gemms(a, b, reps);
                long t2 = System.nanoTime();
                if (i >= warmup) {
                    model[i - warmup] = (t1 - t0) / 1e9;
                    gemm[i - warmup] = (t2 - t1) / 1e9;
                }
            }
            if (profile != null) {
                TorchProfiler.record(clip.device(), profile, () -> clip.embedImages(px, batch));
            }
        }
        double sec = median(model);
        double matmulGflops = reps * one / median(gemm) / 1e9;
        double gflops = flops / sec / 1e9;
        return new Result(name, device, precision, JniUtils.getNumThreads(), batch, iters, sec * 1e3, batch / sec,
                visionFlops(cfg) / 1e9, gflops, matmulGflops, gflops / matmulGflops, peakRssMb());
    }

    private static void gemms(NDArray a, NDArray b, int reps) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray sink = null;
            for (int j = 0; j < reps; j++) {
                NDArray c = a.matMul(b);
                if (sink == null) {
                    sink = c;
                } else {
                    c.close();
                }
            }
            // synchronise (GPU) before stopping the clock, reading one number (copying the whole product back
            // to the host timed the PCIe link, not the GEMMs)
            sink.get(0, 0).getFloat();
        }
    }

    /** The median of {@code x} (the mean of the middle two for an even count); {@code x} is left as it is. */
    public static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Peak resident memory of the process (VmHWM: JVM heap and native tensors together), NaN off Linux. */
    public static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
