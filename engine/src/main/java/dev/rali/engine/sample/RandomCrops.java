package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;

import java.util.SplittableRandom;

/**
 * Seeded random-crop augmentation for the demo alignment: a {@code size × size} window at a random position of the
 * (already small) image, mirrored left-right with probability 1/2. Training on crops shows the encoder a different
 * part of each photo every epoch, so it cannot simply recognise the few training photos and must learn the
 * distortion cues the reasoning texts describe (the cure for the held-out PLCC ≈ 0.1 of full-image training).
 * Evaluation uses the centre crop ({@link #centre}), which is what the demo's preprocessor_config does.
 */
public final class RandomCrops {
    private final SplittableRandom rnd;
    private final int size;
    private final boolean flip;

    public RandomCrops(int size, boolean flip, long seed) {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive: " + size);
        }
        this.size = size;
        this.flip = flip;
        this.rnd = new SplittableRandom(seed);
    }

    /** The next random crop of {@code img} (which must be at least size × size). */
    public RgbImage next(RgbImage img) {
        check(img);
        int x = rnd.nextInt(img.width() - size + 1);
        int y = rnd.nextInt(img.height() - size + 1);
        RgbImage c = ImageOps.crop(img, x, y, size, size);
        return flip && rnd.nextBoolean() ? ImageOps.flipHorizontal(c) : c;
    }

    /** The centre crop (what evaluation sees). */
    public static RgbImage centre(RgbImage img, int size) {
        if (img.width() < size || img.height() < size) {
            throw new IllegalArgumentException("image " + img.width() + "x" + img.height() + " is smaller than the crop " + size);
        }
        return ImageOps.crop(img, (img.width() - size) / 2, (img.height() - size) / 2, size, size);
    }

    /**
     * CHW float pixels of a crop normalised with the CLIP mean/std, without resizing: the model input for a crop
     * that already has the model's image size (a CLIP preprocessor would first resize it to shortest_edge).
     */
    public static float[] normalisedChw(RgbImage crop) {
        int n = crop.width() * crop.height();
        float[] out = new float[3 * n];
        byte[] p = crop.rgb();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                out[c * n + i] = (float) (((p[i * 3 + c] & 0xff) / 255.0 - DemoClipFactory.CLIP_MEAN[c]) / DemoClipFactory.CLIP_STD[c]);
            }
        }
        return out;
    }

    private void check(RgbImage img) {
        if (img.width() < size || img.height() < size) {
            throw new IllegalArgumentException("image " + img.width() + "x" + img.height() + " is smaller than the crop " + size);
        }
    }
}
