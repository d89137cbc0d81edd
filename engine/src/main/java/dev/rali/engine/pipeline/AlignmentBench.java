package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipBench;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipVisionTrainer;
import dev.rali.engine.clip.TorchProfiler;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.task.TaskContext;

import java.util.Arrays;
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

    /**
     * Measured figures: medians over the timed steps (the warm-up steps are not counted); the shares are of the
     * median step's parts, summed over the timed steps.
     */
    public record Result(String config, String device, String precision, int threads, int batch, int steps,
                         int warmup, double msPerStep, double imagesPerS, double forwardShare, double backwardShare,
                         double optimizerShare, long trainableParams, double peakRssMb, double firstLoss,
                         double lastLoss) { }

    /** With {@code profile} non-null, libtorch's profiler records one more step after the timed ones (untimed). */
    public static Result run(ClipConfig cfg, String name, int batch, int steps, int warmup, String device,
                             String precision, java.nio.file.Path profile, TaskContext ctx) {
        if (batch < 2) {
            throw new IllegalArgumentException("--batch must be at least 2 (the contrastive loss needs negatives), got "
                    + batch);
        }
        if (steps < 1 || warmup < 0) {
            throw new IllegalArgumentException("--steps must be >= 1 and --warmup >= 0");
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
        ClipVisionTrainer.Options opts = AlignmentStage.trainerOptions(stage, warmup + steps)
                .withMixedPrecision("bf16".equals(precision));
        double[] total = new double[steps];
        double fwd = 0;
        double bwd = 0;
        double opt = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        String dev;
        long trainable = 0;
        try (ClipModel model = ClipModel.random(cfg, 0, ClipLoadOptions.defaults().withDevice(device));
             ClipVisionTrainer trainer = new ClipVisionTrainer(model, opts)) {
            dev = model.device().toString();
            trainable = trainer.trainableParameterCount();
            for (int i = 0; i < warmup + steps; i++) {
                ctx.checkCancelled();
                ctx.progress(i < warmup ? "warmup" : "timing", i < warmup ? i : i - warmup,
                        i < warmup ? warmup : steps, "");
                double loss = trainer.step(px, batch, targets);
                if (i == 0) {
                    first = loss;
                }
                last = loss;
                if (i >= warmup) {
                    ClipVisionTrainer.StepTimes t = trainer.lastStepTimes();
                    total[i - warmup] = t.totalS();
                    fwd += t.forwardS();
                    bwd += t.backwardS();
                    opt += t.optimizerS();
                }
            }
            if (profile != null) {
                TorchProfiler.record(model.device(), profile, () -> trainer.step(px, batch, targets));
            }
        }
        double[] sorted = total.clone();
        Arrays.sort(sorted);
        double med = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        double sum = fwd + bwd + opt;
        return new Result(name, dev, "bf16".equals(precision) ? "bf16" : "fp32",
                ai.djl.pytorch.jni.JniUtils.getNumThreads(), batch, steps, warmup, med * 1e3, batch / med,
                fwd / sum, bwd / sum, opt / sum, trainable, ClipBench.peakRssMb(), first, last);
    }
}
