package dev.rali.engine.score;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ClipImagePreprocessor;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.data.RgbImage;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    private final ExecutorService decoders;

    private BundleScorer(ModelBundle bundle, ClipModel model, ClipImagePreprocessor preprocessor, int batchSize) {
        this.bundle = bundle;
        this.model = model;
        this.preprocessor = preprocessor;
        this.head = bundle.head().toScoreHead();
        this.batchSize = batchSize;
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.decoders = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "rali-decode");
            t.setDaemon(true);
            return t;
        });
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

    /** Decoded and preprocessed pixels of one file, or the reason it failed. */
    private record Prepared(Path file, float[] pixels, String error) { }

    private Prepared prepare(Path file) {
        try {
            RgbImage img = ImageLoader.load(file);
            return new Prepared(file, preprocessor.preprocess(img), null);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Prepared(file, null, msg);
        }
    }

    private List<Future<Prepared>> submit(List<Path> files, int from) {
        List<Future<Prepared>> out = new ArrayList<>();
        for (int i = from; i < Math.min(files.size(), from + batchSize); i++) {
            Path f = files.get(i);
            out.add(decoders.submit(() -> prepare(f)));
        }
        return out;
    }

    @Override
    public void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx) {
        int n = files.size();
        int done = 0;
        ctx.progress("score", 0, n, "");
        List<Future<Prepared>> next = submit(files, 0);
        for (int start = 0; start < n; start += batchSize) {
            List<Future<Prepared>> current = next;
            // Decode the following batch while this one runs through the encoder.
            next = submit(files, start + batchSize);
            List<Prepared> batch = new ArrayList<>();
            for (Future<Prepared> f : current) {
                batch.add(join(f));
            }
            List<Prepared> good = batch.stream().filter(p -> p.error == null).toList();
            float[][] embeds = new float[0][];
            String batchError = null;
            if (!good.isEmpty()) {
                int px = good.get(0).pixels.length;
                float[] pixels = new float[px * good.size()];
                for (int i = 0; i < good.size(); i++) {
                    System.arraycopy(good.get(i).pixels, 0, pixels, i * px, px);
                }
                try {
                    embeds = model.embedImages(pixels, good.size());
                } catch (RuntimeException e) {
                    batchError = "encoder failed: " + e.getMessage();
                }
            }
            int g = 0;
            for (Prepared p : batch) {
                ScoreResult r;
                if (p.error != null) {
                    r = ScoreResult.failed(p.file, p.error);
                } else if (batchError != null) {
                    r = ScoreResult.failed(p.file, batchError);
                    g++;
                } else {
                    double s = head.score(embeds[g++]);
                    r = Double.isFinite(s) ? ScoreResult.ok(p.file, s)
                            : ScoreResult.failed(p.file, "model produced a non-finite score");
                }
                sink.accept(r);
            }
            done += batch.size();
            ctx.progress("score", done, n, files.get(Math.min(n, done) - 1).getFileName().toString());
            if (ctx.isCancelled()) {
                next.forEach(f -> f.cancel(true));
                ctx.checkCancelled();
            }
        }
    }

    private static Prepared join(Future<Prepared> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        decoders.shutdownNow();
        model.close();
    }
}
