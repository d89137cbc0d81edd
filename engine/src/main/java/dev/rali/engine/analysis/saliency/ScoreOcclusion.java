package dev.rali.engine.analysis.saliency;

import java.util.function.BiFunction;

/**
 * Score attribution by occlusion: each window of {@code window × window} patches is set to 0 in the normalised
 * input (the preprocessing mean colour, i.e. "no information") and the image re-scored; a cell's value is
 * score(original) − score(occluded), so a positive cell raises this image's score and a negative one lowers it.
 *
 * <p>Why occlusion and not gradient × input: the score head (PCA, cosines to the bases μ, softmax with τ, Eq. 3)
 * runs in plain Java, so a gradient would need a second, differentiable copy of it; occlusion measures the exact
 * scorer the researcher uses, needs only forward passes (batched, seconds at demo size), and its value is directly
 * "what the score loses without this region".
 */
public final class ScoreOcclusion {
    private ScoreOcclusion() { }

    /**
     * @param pixels one image, float CHW normalised, [3, size, size]
     * @param size   image side in pixels
     * @param patch  patch side in pixels (the ViT's patch size)
     * @param window occluded windows are window × window patches (1 = one patch)
     * @param scorer (stacked CHW images, count) → one score per image
     * @return [rows][cols] of score deltas (rows = cols = ceil(grid / window)); and the unoccluded score as
     *         {@code base[0]}
     */
    public static double[][] attribute(float[] pixels, int size, int patch, int window,
                                       BiFunction<float[], Integer, double[]> scorer, double[] base) {
        int grid = size / patch;
        int cells = (grid + window - 1) / window;
        int per = pixels.length;
        int n = cells * cells + 1;
        float[] batch = new float[per * n];
        System.arraycopy(pixels, 0, batch, 0, per);
        int channels = per / (size * size);
        for (int cy = 0; cy < cells; cy++) {
            for (int cx = 0; cx < cells; cx++) {
                int img = 1 + cy * cells + cx;
                int off = img * per;
                System.arraycopy(pixels, 0, batch, off, per);
                int y0 = cy * window * patch;
                int x0 = cx * window * patch;
                int y1 = Math.min(size, y0 + window * patch);
                int x1 = Math.min(size, x0 + window * patch);
                for (int c = 0; c < channels; c++) {
                    for (int y = y0; y < y1; y++) {
                        java.util.Arrays.fill(batch, off + (c * size + y) * size + x0, off + (c * size + y) * size + x1, 0f);
                    }
                }
            }
        }
        double[] scores = scorer.apply(batch, n);
        base[0] = scores[0];
        double[][] map = new double[cells][cells];
        for (int i = 0; i < cells * cells; i++) {
            map[i / cells][i % cells] = scores[0] - scores[1 + i];
        }
        return map;
    }
}
