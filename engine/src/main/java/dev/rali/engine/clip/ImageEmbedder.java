package dev.rali.engine.clip;

import dev.rali.engine.image.BatchDecoder;
import dev.rali.engine.image.ImageLoadException;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Image files → CLIP image embeddings: our small version of DJL's {@code Predictor} + {@code Translator}. A model
 * folder is opened once ({@link ClipModel} and its {@link ClipImagePreprocessor}, from the same config); files are
 * decoded and preprocessed in batches by the {@link BatchDecoder} (optionally one batch ahead), each batch goes
 * through the encoder in one call, and every file comes back as a {@link Result}: its vector (and, when asked,
 * its attentions / hidden states) or the reason it could not be embedded. The scorer, the pipeline's embed stage
 * and {@code rali embed} all embed images through this class.
 *
 * <p>Vectors are {@link ClipModel#embedImages} of the stacked batch, so they do not depend on this class: the same
 * files in the same batches give the same floats as calling the model directly.
 */
public final class ImageEmbedder implements AutoCloseable {

    /**
     * How to embed.
     *
     * @param batch            images per encoder call
     * @param lookahead        decode the next batch while this one is in the encoder. Off for the pipeline (see
     *                         {@link BatchDecoder}: decode threads competing with libtorch change its rounding)
     * @param withAttentions   also return each layer's attention probabilities per image ([heads, T, T] each)
     * @param withHiddenStates also return the encoder input and each layer's output per image ([T, width] each)
     * @param phase            the progress phase name reported to the {@link TaskContext}
     */
    public record Options(int batch, boolean lookahead, boolean withAttentions, boolean withHiddenStates,
                          String phase) {
        public Options {
            batch = Math.max(1, batch);
            phase = phase == null ? "embed" : phase;
        }

        /** Batches of 16, decoded one ahead, vectors only, phase "embed". */
        public static Options defaults() {
            return new Options(16, true, false, false, "embed");
        }

        public Options withBatch(int b) {
            return new Options(b, lookahead, withAttentions, withHiddenStates, phase);
        }

        public Options withLookahead(boolean on) {
            return new Options(batch, on, withAttentions, withHiddenStates, phase);
        }

        public Options withAttentions(boolean on) {
            return new Options(batch, lookahead, on, withHiddenStates, phase);
        }

        public Options withHiddenStates(boolean on) {
            return new Options(batch, lookahead, withAttentions, on, phase);
        }

        public Options withPhase(String p) {
            return new Options(batch, lookahead, withAttentions, withHiddenStates, p);
        }
    }

    /**
     * One file's outcome: {@code embedding} (projected, not normalised) or {@code error}.
     *
     * @param hiddenStates   per image, when asked for: encoder input then each layer's output, [T, width] (else empty)
     * @param attentions     per image, when asked for: each layer's softmax probabilities, [heads, T, T] (else empty)
     * @param error          why the file has no embedding (null when it has one)
     * @param encoderFailed  the file was readable but the encoder failed on its batch (not a bad file)
     */
    public record Result(Path file, float[] embedding, List<FloatTensor> hiddenStates, List<FloatTensor> attentions,
                         String error, boolean encoderFailed) {
        public boolean ok() {
            return error == null;
        }

        /** The error as one line naming the file once. */
        public String message() {
            return ImageLoadException.naming(file, error);
        }

        static Result badFile(Path file, String error) {
            return new Result(file, null, List.of(), List.of(), error, false);
        }

        static Result encoderFailure(Path file, String error) {
            return new Result(file, null, List.of(), List.of(), error, true);
        }
    }

    private final ClipModel model;
    private final ClipImagePreprocessor preprocessor;

    private ImageEmbedder(ClipModel model, ClipImagePreprocessor preprocessor) {
        this.model = model;
        this.preprocessor = preprocessor;
    }

    /**
     * Loads a Hugging Face CLIP folder (or a model bundle, which is one) with its preprocessing.
     *
     * @throws IOException naming the file when the weights or configs are unusable, or when the preprocessor
     *                     produces images of another size than the model takes
     */
    public static ImageEmbedder open(Path modelDir, ClipLoadOptions options) throws IOException {
        ClipModel model = ClipModel.load(modelDir, options);
        try {
            return wrap(modelDir, model);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public static ImageEmbedder open(Path modelDir, String device) throws IOException {
        return open(modelDir, ClipLoadOptions.defaults().withDevice(device));
    }

    private static ImageEmbedder wrap(Path modelDir, ClipModel model) throws IOException {
        ClipImagePreprocessor pre = ClipImagePreprocessor.forModel(modelDir, model.config());
        int s = model.config().vision().imageSize();
        if (pre.outputHeight() != s || pre.outputWidth() != s) {
            throw new IOException(modelDir.resolve("preprocessor_config.json") + ": produces "
                    + (pre.outputHeight() <= 0 ? "images of varying size (no centre crop)"
                    : pre.outputWidth() + "x" + pre.outputHeight() + " images")
                    + " but the model takes " + s + "x" + s + " (vision_config.image_size)");
        }
        return new ImageEmbedder(model, pre);
    }

    public ClipModel model() {
        return model;
    }

    public ClipImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** Length of the vectors (projection_dim). */
    public int dim() {
        return model.config().projectionDim();
    }

    /** Every file's result, in file order. Holds all results: for big folders use the streaming form. */
    public List<Result> embed(List<Path> files, Options options, TaskContext ctx) {
        List<Result> out = new ArrayList<>(files.size());
        embed(files, options, ctx, out::addAll);
        return out;
    }

    /**
     * Streams results batch by batch to {@code perBatch} (file order), so memory stays flat however many files.
     * Checks for cancellation before each batch and reports progress after it.
     */
    public void embed(List<Path> files, Options options, TaskContext ctx, Consumer<List<Result>> perBatch) {
        int n = files.size();
        int done = 0;
        ctx.progress(options.phase(), 0, n, "");
        try (BatchDecoder<float[]> batches = new BatchDecoder<>(files, options.batch(),
                (k, img) -> preprocessor.preprocess(img), options.lookahead())) {
            while (batches.hasNext()) {
                ctx.checkCancelled();
                List<BatchDecoder.Item<float[]>> batch = batches.next();
                perBatch.accept(encode(batch, options));
                done += batch.size();
                ctx.progress(options.phase(), done, n, batch.get(batch.size() - 1).file().getFileName().toString());
            }
        }
    }

    private List<Result> encode(List<BatchDecoder.Item<float[]>> batch, Options options) {
        List<float[]> good = batch.stream().filter(BatchDecoder.Item::ok).map(BatchDecoder.Item::value).toList();
        List<Encoded> encoded = List.of();
        String encoderError = null;
        if (!good.isEmpty()) {
            try {
                encoded = forward(BatchDecoder.stack(good), good.size(), options);
            } catch (RuntimeException e) {
                encoderError = "encoder failed: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage());
            }
        }
        List<Result> out = new ArrayList<>(batch.size());
        int g = 0;
        for (BatchDecoder.Item<float[]> item : batch) {
            if (!item.ok()) {
                out.add(Result.badFile(item.file(), item.error()));
            } else if (encoderError != null) {
                out.add(Result.encoderFailure(item.file(), encoderError));
            } else {
                Encoded e = encoded.get(g++);
                out.add(new Result(item.file(), e.embedding(), e.hiddenStates(), e.attentions(), null, false));
            }
        }
        return out;
    }

    private record Encoded(float[] embedding, List<FloatTensor> hiddenStates, List<FloatTensor> attentions) { }

    /** The encoder on n stacked images. */
    private List<Encoded> forward(float[] pixels, int n, Options options) {
        List<Encoded> out = new ArrayList<>(n);
        if (!options.withAttentions() && !options.withHiddenStates()) {
            for (float[] e : model.embedImages(pixels, n)) {
                out.add(new Encoded(e, List.of(), List.of()));
            }
            return out;
        }
        // Per-layer tensors are [B, H, T, T]: run at most CHUNK images at once, like embedImages.
        int per = pixels.length / n;
        for (int start = 0; start < n; start += ClipModel.CHUNK) {
            int c = Math.min(ClipModel.CHUNK, n - start);
            float[] part = c == n ? pixels : Arrays.copyOfRange(pixels, start * per, (start + c) * per);
            TowerOutput t = model.encodeImages(part, c, options.withHiddenStates(), options.withAttentions());
            float[][] embeds = t.embeds().rows();
            for (int i = 0; i < c; i++) {
                int img = i;
                out.add(new Encoded(embeds[i], t.hiddenStates().stream().map(h -> h.at(img)).toList(),
                        t.attentions().stream().map(a -> a.at(img)).toList()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
