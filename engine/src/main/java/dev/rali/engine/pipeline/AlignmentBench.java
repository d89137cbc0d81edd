package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipBench;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipVisionTrainer;
import dev.rali.engine.clip.JitWarmup;
import dev.rali.engine.clip.TorchProfiler;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.task.TaskContext;

import java.util.Random;

/**
 * Times the alignment stage's training step ({@link ClipVisionTrainer#step}: forward of the image tower, the
 * symmetric InfoNCE against frozen text embeddings, backward, global-norm clipping and AdamW) with the settings
 * the stage derives from the default alignment.* parameters ({@link AlignmentStage#trainerOptions}), on a CLIP with
 * random weights. The stage embeds the texts once before training, outside the step, so the targets here are
 * random vectors; the pixels are random too (decoding runs overlapped with training in the stage).
 */
public final class AlignmentBench {

    private AlignmentBench() { }

    private static final int SCHEDULE_STEPS = 1_000_000_000;

    /**
     * Measured figures: medians over the timed steps (the warm-up steps are not counted); the shares are of the
     * median step's parts, summed over the timed steps. {@code warmup}: the warm-up steps run, at least those asked
     * for, more while the JIT was still compiling ({@link JitWarmup}); {@code jitSettled}: whether it went quiet;
     * {@code jitMsTimed}: the JIT's compilation time during the timed steps (-1 where the JVM does not say).
     */
    public record Result(String config, String device, String precision, int threads, int batch, int steps,
                         int warmup, double msPerStep, double imagesPerS, double forwardShare, double backwardShare,
                         double optimizerShare, long trainableParams, double peakRssMb, double firstLoss,
                         double lastLoss, boolean jitSettled, long jitMsTimed) { }

    /**
     * With {@code profile} non-null, libtorch's profiler records one more step after the timed ones (untimed).
     * {@code jitQuietS}: after the {@code warmup} steps, warm up until the JIT has compiled nothing for this long
     * (0: no wait).
     */
    public static Result run(ClipConfig cfg, String name, int batch, int steps, int warmup, double jitQuietS,
                             String device, String precision, java.nio.file.Path profile, TaskContext ctx) {
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2 (the contrastive loss needs negatives), got "
                    + batch);
        }
        if (steps < 1 || warmup < 0 || !(jitQuietS >= 0)) {
            throw new IllegalArgumentException("--steps must be >= 1, --warmup >= 0 and --jit-quiet >= 0");
        }
        ClipConfig.Vision v = cfg.vision();
        Random r = new Random(0);
        int per = v.numChannels() * v.imageSize() * v.imageSize();
        float[] px = new float[batch * per];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) r.nextGaussian();
        }
        float[][] targets = new float[batch][cfg.projectionDim()];
        for (float[] t : targets) {
            for (int j = 0; j < t.length; j++) {
                t[j] = (float) r.nextGaussian();
            }
        }
        AlignmentStage.Options stage = AlignmentStage.Options.of(new RaliParams.AlignmentParams(), 0);
        // the schedule spans far more steps than the bench runs (the JIT wait has no fixed length): the learning rate
        // stays at its base value throughout, as the PyTorch reference's constant rate; the step's cost is the same
        ClipVisionTrainer.Options opts = AlignmentStage.trainerOptions(stage, SCHEDULE_STEPS)
                .withMixedPrecision("bf16".equals(precision));
        double[] total = new double[steps];
        double fwd = 0;
        double bwd = 0;
        double opt = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        String dev;
        long trainable = 0;
        int warmupRun;
        boolean settled;
        long jitMs;
        try (ClipModel model = ClipModel.random(cfg, 0, ClipLoadOptions.defaults().withDevice(device));
             ClipVisionTrainer trainer = new ClipVisionTrainer(model, opts)) {
            dev = model.device().toString();
            trainable = trainer.trainableParameterCount();
            JitWarmup warm = new JitWarmup(warmup, jitQuietS);
            while (warm.another()) {
                ctx.checkCancelled();
                ctx.progress("warmup", warm.steps() - 1, Math.max(warmup, warm.steps()),
                        warm.steps() > warmup ? "waiting for the JIT compiler to go quiet" : "");
                double loss = trainer.step(px, batch, targets);
                if (warm.steps() == 1) {
                    first = loss;
                }
            }
            warmupRun = warm.steps();
            settled = warm.settled();
            long jit0 = JitWarmup.jitMillis();
            for (int i = 0; i < steps; i++) {
                ctx.checkCancelled();
                ctx.progress("timing", i, steps, "");
                double loss = trainer.step(px, batch, targets);
                if (i == 0 && warmupRun == 0) {
                    first = loss;
                }
                last = loss;
                ClipVisionTrainer.StepTimes t = trainer.lastStepTimes();
                total[i] = t.totalS();
                fwd += t.forwardS();
                bwd += t.backwardS();
                opt += t.optimizerS();
            }
            long jit1 = JitWarmup.jitMillis();
            jitMs = jit0 < 0 || jit1 < 0 ? -1 : jit1 - jit0;
            if (profile != null) {
                TorchProfiler.record(model.device(), profile, () -> trainer.step(px, batch, targets));
            }
        }
        double med = ClipBench.median(total);
        double sum = fwd + bwd + opt;
        return new Result(name, dev, "bf16".equals(precision) ? "bf16" : "fp32",
                ai.djl.pytorch.jni.JniUtils.getNumThreads(), batch, steps, warmupRun, med * 1e3, batch / med,
                fwd / sum, bwd / sum, opt / sum, trainable, ClipBench.peakRssMb(), first, last, settled, jitMs);
    }
}
