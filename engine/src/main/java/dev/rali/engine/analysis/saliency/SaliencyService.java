package dev.rali.engine.analysis.saliency;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Which pixels drive a RALI score, with the bundle the researcher scores with: the CLIP vision tower's attention
 * rollout ({@link AttentionRollout}) and an occlusion attribution of the score ({@link ScoreOcclusion}). Opens the
 * bundle once; {@link #explain} takes one image.
 */
public final class SaliencyService implements AutoCloseable {
    private final ImageEmbedder embedder;
    private final ScoreHead head;

    /**
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
    public record Result(Path image, double score, int grid, int patch, double[][] rollout, double[][] occlusion,
                         int window, float[] pixels, int size, float[] mean, float[] std) { }

    private SaliencyService(ImageEmbedder embedder, ScoreHead head) {
        this.embedder = embedder;
        this.head = head;
    }

    public static SaliencyService open(Path bundleDir, String device) throws IOException {
        ModelBundle bundle = ModelBundle.read(bundleDir);
        ImageEmbedder embedder = ImageEmbedder.open(bundle.encoderDir(), device);
        ScoreHead head = bundle.head().toScoreHead();
        if (head.inputDim() != embedder.dim()) {
            embedder.close();
            throw new IOException(bundleDir + ": head expects " + head.inputDim() + "-dim embeddings but the encoder produces "
                    + embedder.dim());
        }
        return new SaliencyService(embedder, head);
    }

    /** The score of stacked normalised images. */
    double[] score(float[] pixels, int n) {
        float[][] e = embedder.model().embedImages(pixels, n);
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = head.score(e[i]);
        }
        return s;
    }

    public Result explain(Path image, int window, TaskContext ctx) throws IOException {
        ctx.progress("saliency", 0, 2, image.getFileName().toString());
        ImageEmbedder.Result r = embedder.embed(List.of(image), ImageEmbedder.Options.defaults().withBatch(1)
                .withLookahead(false).withAttentions(true).withPhase("saliency"), TaskContext.silent()).get(0);
        if (!r.ok()) {
            throw new IOException(r.message());
        }
        var v = embedder.model().config().vision();
        int grid = v.gridSize();
        double[][] rollout = AttentionRollout.classTokenMap(r.attentions(), grid);
        ctx.progress("saliency", 1, 2, "occlusion");
        ctx.checkCancelled();
        float[] pixels = embedder.preprocessor().preprocess(ImageLoader.load(image));
        double[][] occ = ScoreOcclusion.attribute(pixels, v.imageSize(), v.patchSize(), Math.max(1, window), this::score,
                new double[1]);
        ctx.progress("saliency", 2, 2, "");
        return new Result(image, head.score(r.embedding()), grid, v.patchSize(), rollout, occ, Math.max(1, window),
                pixels, v.imageSize(), embedder.preprocessor().mean(), embedder.preprocessor().std());
    }

    @Override
    public void close() {
        embedder.close();
    }
}
