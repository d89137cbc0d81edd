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
                            int window, float[] pixels, int size, float[] mean, float[] std) { }
