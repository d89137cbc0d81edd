package dev.rali.engine.analysis;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * For a scored image: the bases that carried its score. The score is ŝ = Σ w_i f_i with softmax weights w over the
 * cosines to the bases μ (Eq. 3); the bases with the largest w are listed with f and their share w·f of the score.
 */
public final class Explainer {
    private Explainer() { }

    /** One basis's part in a score. */
    public record Carrier(int basis, double weight, double f, double contribution) { }

    /** One image: its score (or why it has none) and the top bases by weight. */
    public record Explanation(String file, double score, String error, List<Carrier> carriers) { }

    /** Explains each image with the bundle's encoder and head; unreadable images come back with their reason. */
    public static List<Explanation> explain(Path bundleDir, List<Path> images, int top, String device,
                                            TaskContext ctx) throws IOException {
        ModelBundle bundle = ModelBundle.read(bundleDir);
        return explain(bundle.encoderDir(), bundle.head(), images, top, device, ctx);
    }

    /** Explains each image with an encoder folder and a head (a bundle's, or a run's). */
    public static List<Explanation> explain(Path encoderDir, HeadParams params, List<Path> images, int top,
                                            String device, TaskContext ctx) throws IOException {
        try (ImageEmbedder embedder = ImageEmbedder.open(encoderDir, device)) {
            return explain(embedder, encoderDir, params, images, top, ctx);
        }
    }

    /** Explains each image with an encoder already open (the app keeps a run's encoder open between requests). */
    public static List<Explanation> explain(ImageEmbedder embedder, Path encoderDir, HeadParams params,
                                            List<Path> images, int top, TaskContext ctx) throws IOException {
        ScoreHead head = params.toScoreHead();
        float[] f = params.f();
        List<Explanation> out = new ArrayList<>();
        if (embedder.dim() != head.inputDim()) {
            throw new IOException(encoderDir + ": head expects " + head.inputDim()
                    + "-dim embeddings but the encoder produces " + embedder.dim());
        }
        for (ImageEmbedder.Result r : embedder.embed(images, ImageEmbedder.Options.defaults(), ctx)) {
            if (!r.ok()) {
                out.add(new Explanation(r.file().toString(), Double.NaN, r.message(), List.of()));
                continue;
            }
            out.add(new Explanation(r.file().toString(), head.score(r.embedding()), null,
                    carriers(head.weights(r.embedding()), f, top)));
        }
        return out;
    }

    /** The {@code top} bases by weight, largest first. */
    static List<Carrier> carriers(double[] w, float[] f, int top) {
        Integer[] order = new Integer[w.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> -w[i]));
        List<Carrier> out = new ArrayList<>();
        for (int k = 0; k < Math.min(top, order.length); k++) {
            int i = order[k];
            out.add(new Carrier(i, w[i], f[i], w[i] * f[i]));
        }
        return out;
    }
}
