package dev.rali.engine.score;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scores images with a {@link ModelBundle}: the bundle's encoder embeds the files through an {@link ImageEmbedder}
 * (decode + CLIP preprocessing one batch ahead of inference), the {@link ScoreHead} maps each embedding to [1,5]
 * (Eq. 3 of the paper). The CLI ({@code rali score}) and the app's Score view both use this class.
 */
public final class BundleScorer implements ImageScorer {
    private final ModelBundle bundle;
    private final ImageEmbedder embedder;
    private final ScoreHead head;
    private final int batchSize;

    private BundleScorer(ModelBundle bundle, ImageEmbedder embedder, int batchSize) {
        this.bundle = bundle;
        this.embedder = embedder;
        this.head = bundle.head().toScoreHead();
        this.batchSize = batchSize;
    }

    /** Opens a bundle folder (hashes verified), loads its encoder on {@code device} ("cpu", "gpu" or "auto"). */
    public static BundleScorer open(Path bundleDir, String device, int batchSize) throws IOException {
        return open(bundleDir, device, "fp32", batchSize);
    }

    /**
     * As {@link #open(Path, String, int)} with the encoder's inference precision: "fp32", "bf16" or "auto"
     * (see {@link dev.rali.engine.clip.Precision}; the head always computes in double).
     */
    public static BundleScorer open(Path bundleDir, String device, String precision, int batchSize)
            throws IOException {
        ModelBundle bundle = ModelBundle.read(bundleDir);
        ImageEmbedder embedder = ImageEmbedder.open(bundle.encoderDir(),
                dev.rali.engine.clip.ClipLoadOptions.defaults().withDevice(device).withPrecision(precision));
        try {
            int d = embedder.dim();
            if (bundle.head().pcaMean().length != d) {
                throw new IOException(bundleDir + ": head expects " + bundle.head().pcaMean().length
                        + "-dim embeddings but the encoder produces " + d);
            }
            return new BundleScorer(bundle, embedder, batchSize);
        } catch (IOException | RuntimeException e) {
            embedder.close();
            throw e;
        }
    }

    public static BundleScorer open(Path bundleDir) throws IOException {
        return open(bundleDir, "auto", 16);
    }

    @Override
    public String describe() {
        return bundle.dir() + " (" + head.numBases() + " bases, " + head.inputDim() + "-d embeddings"
                + (head.compressedDim() != head.inputDim() ? " → PCA " + head.compressedDim() : "") + ", encoder "
                + precisionInUse() + ")";
    }

    @Override
    public String precisionInUse() {
        return embedder.model().precision().label() + " on " + embedder.model().device().getDeviceType();
    }

    @Override
    public void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx) {
        scoreWithEmbeddings(files, s -> sink.accept(s.result()), ctx);
    }

    /** A score with the embedding it came from (null when the file could not be embedded). */
    public record Scored(ScoreResult result, float[] embedding) { }

    /**
     * As {@link #scoreAll}, also handing over each file's embedding (the Spark job writes both from one encoder
     * pass).
     */
    public void scoreWithEmbeddings(List<Path> files, Consumer<Scored> sink, TaskContext ctx) {
        ImageEmbedder.Options options = ImageEmbedder.Options.defaults().withBatch(batchSize).withPhase("score");
        embedder.embed(files, options, ctx, batch -> {
            for (ImageEmbedder.Result r : batch) {
                sink.accept(new Scored(score(r), r.ok() ? r.embedding() : null));
            }
        });
    }

    /** The opened bundle (its manifest names the sha256 of every file). */
    public ModelBundle bundle() {
        return bundle;
    }

    /** The post-processing step: one embedding → one score (or the embedder's reason for having none). */
    private ScoreResult score(ImageEmbedder.Result r) {
        if (!r.ok()) {
            return ScoreResult.failed(r.file(), r.error());
        }
        double s = head.score(r.embedding());
        return Double.isFinite(s) ? ScoreResult.ok(r.file(), s)
                : ScoreResult.failed(r.file(), "model produced a non-finite score");
    }

    /** The encoder's inference precision (auto resolved). */
    public dev.rali.engine.clip.Precision precision() {
        return embedder.model().precision();
    }

    /** The embedder (decode, preprocessing, encoder) behind this scorer, for benchmarks. */
    public ImageEmbedder embedder() {
        return embedder;
    }

    /** The head applied to one embedding (Eq. 3), for benchmarks that time it apart from the encoder. */
    public double scoreEmbedding(float[] embedding) {
        return head.score(embedding);
    }

    @Override
    public void close() {
        embedder.close();
    }
}
