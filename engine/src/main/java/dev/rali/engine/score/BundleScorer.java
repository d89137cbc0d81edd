package dev.rali.engine.score;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ClipImagePreprocessor;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.image.BatchDecoder;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scores images with a {@link ModelBundle}: decode + CLIP preprocessing run on a small thread pool one batch ahead
 * of inference, the aligned encoder embeds a batch, the {@link ScoreHead} maps each embedding to [1,5]
 * (Eq. 3 of the paper). The CLI ({@code rali score}) and the app's Score view both use this class.
 */
public final class BundleScorer implements ImageScorer {
    private final ModelBundle bundle;
    private final ClipModel model;
    private final ClipImagePreprocessor preprocessor;
    private final ScoreHead head;
    private final int batchSize;

    private BundleScorer(ModelBundle bundle, ClipModel model, ClipImagePreprocessor preprocessor, int batchSize) {
        this.bundle = bundle;
        this.model = model;
        this.preprocessor = preprocessor;
        this.head = bundle.head().toScoreHead();
        this.batchSize = batchSize;
    }

    /** Opens a bundle folder (hashes verified), loads its encoder on {@code device} ("cpu", "gpu" or "auto"). */
    public static BundleScorer open(Path bundleDir, String device, int batchSize) throws IOException {
        ModelBundle bundle = ModelBundle.read(bundleDir);
        ClipModel model = ClipModel.load(bundle.encoderDir(), ClipLoadOptions.defaults().withDevice(device));
        try {
            int d = model.config().projectionDim();
            if (bundle.head().pcaMean().length != d) {
                throw new IOException(bundleDir + ": head expects " + bundle.head().pcaMean().length
                        + "-dim embeddings but the encoder produces " + d);
            }
            return new BundleScorer(bundle, model, ClipImagePreprocessor.fromModelDir(bundle.encoderDir()), batchSize);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public static BundleScorer open(Path bundleDir) throws IOException {
        return open(bundleDir, "auto", 16);
    }

    @Override
    public String describe() {
        return bundle.dir() + " (" + head.numBases() + " bases, " + head.inputDim() + "-d embeddings"
                + (head.compressedDim() != head.inputDim() ? " → PCA " + head.compressedDim() : "") + ")";
    }

    @Override
    public void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx) {
        int n = files.size();
        int done = 0;
        ctx.progress("score", 0, n, "");
        try (BatchDecoder<float[]> batches = new BatchDecoder<>(files, batchSize, preprocessor::preprocess)) {
            while (batches.hasNext()) {
                List<BatchDecoder.Item<float[]>> batch = batches.next();
                List<float[]> good = batch.stream().filter(BatchDecoder.Item::ok).map(BatchDecoder.Item::value).toList();
                float[][] embeds = new float[0][];
                String batchError = null;
                if (!good.isEmpty()) {
                    try {
                        embeds = model.embedImages(BatchDecoder.stack(good), good.size());
                    } catch (RuntimeException e) {
                        batchError = "encoder failed: " + e.getMessage();
                    }
                }
                int g = 0;
                for (BatchDecoder.Item<float[]> item : batch) {
                    ScoreResult r;
                    if (!item.ok()) {
                        r = ScoreResult.failed(item.file(), item.error());
                    } else if (batchError != null) {
                        r = ScoreResult.failed(item.file(), batchError);
                    } else {
                        double s = head.score(embeds[g++]);
                        r = Double.isFinite(s) ? ScoreResult.ok(item.file(), s)
                                : ScoreResult.failed(item.file(), "model produced a non-finite score");
                    }
                    sink.accept(r);
                }
                done += batch.size();
                ctx.progress("score", done, n, batch.get(batch.size() - 1).file().getFileName().toString());
                ctx.checkCancelled();
            }
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
