package dev.rali.engine.analysis.saliency;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Which pixels drive a RALI score, with the bundle the researcher scores with: the CLIP vision tower's attention
 * rollout ({@link AttentionRollout}) and an occlusion attribution of the score ({@link ScoreOcclusion}); and which
 * words its text tower relies on ({@link TextOcclusion}). Opens the bundle once; {@link #explain} takes one image,
 * {@link #explainText} one text.
 */
public final class SaliencyService implements Explainer {
    private final ImageEmbedder embedder;
    private final ScoreHead head;
    private final ClipTokenizer tokenizer;

    private SaliencyService(ImageEmbedder embedder, ScoreHead head, ClipTokenizer tokenizer) {
        this.embedder = embedder;
        this.head = head;
        this.tokenizer = tokenizer;
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
        try {
            return new SaliencyService(embedder, head, ClipTokenizer.forModelDir(bundle.encoderDir()));
        } catch (IOException | RuntimeException e) {
            embedder.close();
            throw e;
        }
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

    @Override
    public ImageSaliency explain(Path image, int window, TaskContext ctx) throws IOException {
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
        return new ImageSaliency(image, head.score(r.embedding()), grid, v.patchSize(), rollout, occ, Math.max(1, window),
                pixels, v.imageSize(), embedder.preprocessor().mean(), embedder.preprocessor().std());
    }

    /**
     * Text saliency with the bundle's text tower: frozen during alignment, so it is the tower whose embeddings of the
     * reasoning texts the vision tower was aligned to; its full context (77 for CLIP) is used.
     */
    @Override
    public TextSaliency explainText(String text, TaskContext ctx) {
        var model = embedder.model();
        return TextOcclusion.words(text, tokenizer, model.config().text().maxPositionEmbeddings(), model::embedTexts, ctx);
    }

    @Override
    public void close() {
        embedder.close();
    }
}
