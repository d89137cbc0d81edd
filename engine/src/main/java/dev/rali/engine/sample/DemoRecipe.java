package dev.rali.engine.sample;

/**
 * The measured recipe for aligning the demo CLIP ({@link DemoClipFactory}) on the sample project so that held-out
 * photos score well. Found with {@code bench/demo_recipe.py}; see docs/SAMPLE.md for the experiments.
 *
 * <p>Alignment stage: vision tower only (text tower frozen), AdamW (weight decay {@link #WEIGHT_DECAY}), linear
 * warm-up over the first {@link #WARMUP_FRACTION} of the steps then cosine decay, gradient-norm clip
 * {@link #GRAD_CLIP}, symmetric CLIP loss with the checkpoint's fixed logit scale ({@link #LOGIT_SCALE}), one randomly chosen
 * seed trace per image per epoch (never two traces of one image in a batch). Each training image is fed as a
 * {@link RandomCrops} crop of {@link #CROP_SIZE} px (random position, random horizontal flip), normalised with
 * {@link RandomCrops#normalisedChw}; evaluation/embedding uses the model's preprocessor (centre crop).
 */
public final class DemoRecipe {
    private DemoRecipe() { }

    /** Side of the sample project's PNGs (= preprocessor shortest_edge). */
    public static final int IMAGE_SIZE = 128;
    /** Model input = random-crop size for training, centre-crop size for evaluation. */
    public static final int CROP_SIZE = 64;
    /** ≈ 770 steps over the 1,363 training images (7 photos + 16 dead-leaves scenes, × distortions). */
    public static final int EPOCHS = 18;
    public static final int BATCH = 32;
    public static final double LR = 2e-3;
    /** ln(1/0.07) = 2.6592, HF's init value, kept fixed (not trained): written into the checkpoint's logit_scale. */
    public static final double LOGIT_SCALE = 2.6592;
    public static final double WEIGHT_DECAY = 0.05;
    public static final double WARMUP_FRACTION = 0.1;
    public static final double GRAD_CLIP = 1.0;
    public static final boolean FLIP = true;
    /**
     * Head (Stages C/D) for the 1,363 training images. A small head generalises better here: with PCA 32 / 40 bases /
     * 300 fit steps the held-out PLCC swung between 0.05 and 0.33 over seeds and lost to the unaligned encoder on
     * 3 of 5; PCA 16 / 20 bases over 15 buckets / 100 full-batch steps was stable (docs/SAMPLE.md).
     */
    public static final int PCA_DIM = 16;
    public static final int BASES = 20;
    public static final int BUCKETS = 15;
    public static final double HEAD_LR = 3e-2;
    /** Full-batch Adam steps on MSE, μ, f and τ trainable. */
    public static final int HEAD_EPOCHS = 100;
    public static final double HEAD_TAU = 0.07;
}
