package dev.rali.engine.analysis.saliency;

import java.nio.file.Path;

/**
 * Which pixels drive one image's RALI score ({@link Explainer#explain}).
 *
 * @param score      the image's score as {@code rali score} gives it
 * @param grid       patches per side
 * @param patch      patch side in model-input pixels
 * @param rollout    class-token attention rollout over the patches [grid][grid] (sums to 1 with the class token)
 * @param occlusion  score(original) − score(window occluded) [cells][cells]; positive = raises the score
 * @param window     occlusion window in patches
 * @param pixels     the model input (normalised CHW), for drawing
 * @param size       model input side in pixels
 * @param mean       preprocessing mean (to undo the normalisation when drawing)
 * @param std        preprocessing std
 */
public record ImageSaliency(Path image, double score, int grid, int patch, double[][] rollout, double[][] occlusion,
                            int window, float[] pixels, int size, float[] mean, float[] std) {

    /** The model input as the encoder saw it, normalisation undone: packed opaque ARGB, row-major, size × size. */
    public int[] inputRgb() {
        int[] out = new int[size * size];
        for (int p = 0; p < out.length; p++) {
            int argb = 0xff000000;
            for (int c = 0; c < 3; c++) {
                double v = pixels[c * size * size + p] * std[c] + mean[c];
                argb |= (int) Math.round(255 * Math.min(1, Math.max(0, v))) << (16 - 8 * c);
            }
            out[p] = argb;
        }
        return out;
    }
}
