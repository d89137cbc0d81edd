package dev.rali.engine.pipeline;

import dev.rali.engine.io.AtomicFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.clip.ClipImagePreprocessor;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.clip.ClipVisionTrainer;
import dev.rali.engine.image.BatchDecoder;
import dev.rali.engine.image.ImageLoadException;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.task.TrainingListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Stage B of the paper (§4): contrastive alignment. Fine-tunes the CLIP vision tower with the symmetric CLIP
 * image–text loss against the FROZEN text tower's embeddings of the reasoning texts (computed once and cached).
 * Seed augmentation: every epoch each image is paired with one of its traces drawn at random
 * ({@link RaliParams.PairsPerEpoch#IMAGES}), or every (image, trace) pair is seen once
 * ({@link RaliParams.PairsPerEpoch#IMAGES_X_TRACES}: one pass per trace index, each image with a different trace in
 * each pass, so no batch holds one image twice); without seed augmentation, always its first trace. RACT mode is the same loop with traces from several datasets (the caller passes them all; no
 * scores are used here).
 *
 * <p>Checkpoints after every epoch ({@code align-state.safetensors} + {@code align-progress.json} in the work
 * folder); a cancelled or killed run resumes at the next epoch with the same random draws, so the result equals
 * an uninterrupted run.
 */
public final class AlignmentStage {

    /** One training image and its reasoning texts (one per seed, in seed order). */
    public record Item(Path image, List<String> texts) { }

    /** Options of the stage, taken from the run's alignment.* parameters (defaults: {@code ParamKeys}). */
    public record Options(int epochs, int batchSize, double lr, double weightDecay, int warmupSteps,
                          double gradClip, boolean seedAugmentation, boolean cropAugmentation, int textContext,
                          long seed, RaliParams.PairsPerEpoch pairsPerEpoch, boolean mixedPrecision) {
        public Options(int epochs, int batchSize, double lr, double weightDecay, int warmupSteps, double gradClip,
                       boolean seedAugmentation, boolean cropAugmentation, int textContext, long seed,
                       RaliParams.PairsPerEpoch pairsPerEpoch) {
            this(epochs, batchSize, lr, weightDecay, warmupSteps, gradClip, seedAugmentation, cropAugmentation,
                    textContext, seed, pairsPerEpoch, false);
        }

        /** Whether an epoch sees every (image, trace) pair rather than every image once. */
        boolean allPairs() {
            return seedAugmentation && pairsPerEpoch == RaliParams.PairsPerEpoch.IMAGES_X_TRACES;
        }

        /** The stage's options from a run's alignment.* parameters and its seed. */
        public static Options of(RaliParams.AlignmentParams a, long seed) {
            return new Options(a.epochs, a.batchSize, a.lr, a.weightDecay, a.warmupSteps, a.gradClip,
                    a.seedAugmentation, a.cropAugmentation, a.textContext, seed, a.pairsPerEpoch,
                    "bf16".equals(a.precision));
        }
    }

    /**
     * The trainer's settings for a stage of {@code totalSteps} steps (learning rate, warmup, clipping, weight
     * decay; the loss and AdamW's betas are the trainer's). {@code rali bench train} times exactly these.
     */
    public static ClipVisionTrainer.Options trainerOptions(Options o, long totalSteps) {
        return ClipVisionTrainer.Options.defaults((int) Math.max(1, totalSteps))
                .withLearningRate(o.lr()).withWarmup((int) Math.min(o.warmupSteps(), totalSteps))
                .withMaxGradNorm(o.gradClip()).withWeightDecay(o.weightDecay())
                .withMixedPrecision(o.mixedPrecision());
    }

    /**
     * How many reasoning texts are longer than the text tower's context ({@code contextLength} BPE tokens with the
     * start and end tokens) and so are cut before they are embedded.
     */
    public record Truncation(int texts, int truncated, int contextLength) {
        public double share() {
            return texts == 0 ? 0 : (double) truncated / texts;
        }

        public String describe() {
            return String.format(java.util.Locale.ROOT, "%d of %d reasoning texts (%.1f %%) are longer than %d "
                    + "tokens and are cut", truncated, texts, 100 * share(), contextLength);
        }
    }

    /**
     * What the stage produced: the aligned encoder folder (HF layout), its loss curve, and the images it left out
     * because they could not be decoded.
     */
    public record Result(Path encoderDir, List<Double> trainLoss, List<Double> valLoss, List<Unreadable> unreadable) { }

    /** An image the decoder could not read, with the reason. */
    public record Unreadable(Path image, String reason) { }

    /** Told which images are left out before training starts (the pipeline marks them in the project). */
    @FunctionalInterface
    public interface UnreadableSink {
        void accept(List<Unreadable> unreadable) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private AlignmentStage() { }

    /**
     * Runs the alignment. {@code baseEncoder} is the HF CLIP folder to start from; the aligned encoder is written
     * to {@code workDir/encoder} (config.json, model.safetensors, preprocessor_config.json).
     */
    public static Result run(Path baseEncoder, List<Item> train, List<Item> val, Options o, Path workDir,
                             String device, TaskContext ctx, UnreadableSink onUnreadable) throws IOException {
        // Found before the first epoch, so the shuffled order depends only on the readable images: a resumed run
        // (where the project already excludes them) draws exactly what an uninterrupted one does.
        List<Unreadable> unreadable = unreadable(java.util.stream.Stream.concat(train.stream(), val.stream())
                .map(Item::image).distinct().toList(), ctx);
        if (!unreadable.isEmpty()) {
            java.util.Set<Path> bad = new java.util.HashSet<>();
            for (Unreadable u : unreadable) {
                bad.add(u.image());
                ctx.log("alignment: skipped " + ImageLoadException.naming(u.image(), u.reason()));
            }
            train = train.stream().filter(i -> !bad.contains(i.image())).toList();
            val = val.stream().filter(i -> !bad.contains(i.image())).toList();
            onUnreadable.accept(unreadable);
        }
        if (train.size() < 2) {
            throw new IllegalArgumentException("alignment needs at least two training images with reasoning traces "
                    + "(the contrastive loss needs negatives), got " + train.size());
        }
        for (Item it : train) {
            if (it.texts().isEmpty()) {
                throw new IllegalArgumentException(it.image() + ": no reasoning trace to align to");
            }
        }
        Files.createDirectories(workDir);
        Path out = workDir.resolve("encoder");
        Path state = workDir.resolve("align-state.safetensors");
        Path progressFile = workDir.resolve("align-progress.json");
        int batch = Math.max(2, Math.min(o.batchSize(), train.size()));
        int stepsPerEpoch = 0;
        for (int n : passSizes(train, o)) {
            stepsPerEpoch += (n + batch - 1) / batch;
        }
        long totalSteps = (long) stepsPerEpoch * o.epochs();

        try (ClipModel model = ClipModel.load(baseEncoder,
                dev.rali.engine.clip.ClipLoadOptions.defaults().withDevice(device))) {
            ClipTokenizer tokenizer = ClipTokenizer.forModelDir(baseEncoder);
            ClipImagePreprocessor pre = ClipImagePreprocessor.forModel(baseEncoder, model.config());
            Map<String, float[]> textEmbeds = embedTexts(model, tokenizer, train, val, o.textContext(), ctx);

            ClipVisionTrainer.Options to = trainerOptions(o, totalSteps);
            List<Double> trainLoss = new ArrayList<>();
            List<Double> valLoss = new ArrayList<>();
            try (ClipVisionTrainer trainer = new ClipVisionTrainer(model, to)) {
                int startEpoch = 0;
                if (Files.exists(progressFile) && Files.exists(state)) {
                    ObjectNode p = (ObjectNode) JSON.readTree(progressFile.toFile());
                    startEpoch = p.get("epochs_done").asInt();
                    p.withArray("train_loss").forEach(n -> trainLoss.add(n.asDouble()));
                    p.withArray("val_loss").forEach(n -> valLoss.add(n.asDouble()));
                    trainer.loadState(state);
                    ctx.log("alignment: resuming after epoch " + startEpoch + " of " + o.epochs());
                }
                // No DivergenceCheck here: the trainer itself skips a step with a non-finite gradient and gives up
                // after 20 in a row; no early stopping (the paper trains a fixed number of epochs).
                TrainingListener after = TrainingListener.all(List.of(TrainingListener.stepLoss(ctx, "align"),
                        e -> checkpoint(trainer, state, progressFile, e.epoch(), trainLoss, valLoss)));
                long step = (long) startEpoch * stepsPerEpoch;
                for (int epoch = startEpoch; epoch < o.epochs(); epoch++) {
                    // One RNG per epoch: a resumed run draws exactly what an uninterrupted one would.
                    Random rng = new Random(o.seed() * 1_000_003L + epoch);
                    // Draw every batch's traces and crop seeds up front, in the order of drawing batch by batch.
                    List<float[][]> targets = new ArrayList<>();
                    List<Path> files = new ArrayList<>();
                    List<Long> cropSeeds = new ArrayList<>();
                    for (List<int[]> pairs : epochPairs(train, o, rng)) {
                        for (int b = 0; b * batch < pairs.size(); b++) {
                            List<int[]> idx = pairs.subList(b * batch, Math.min(pairs.size(), (b + 1) * batch));
                            if (idx.size() < 2) {
                                continue; // a contrastive batch needs negatives (only a pass's last batch can be this short)
                            }
                            float[][] t = new float[idx.size()][];
                            for (int i = 0; i < idx.size(); i++) {
                                Item item = train.get(idx.get(i)[0]);
                                List<String> texts = item.texts();
                                int which = idx.get(i)[1] >= 0 ? idx.get(i)[1]
                                        : o.seedAugmentation() ? rng.nextInt(texts.size()) : 0;
                                t[i] = textEmbeds.get(texts.get(which));
                                cropSeeds.add(rng.nextLong());
                                files.add(item.image());
                            }
                            targets.add(t);
                        }
                    }
                    double sum = 0;
                    try (BatchDecoder<float[]> batches = new BatchDecoder<>(files, batch, (k, img) ->
                            o.cropAugmentation() ? pre.preprocessAugmented(img, new Random(cropSeeds.get(k)), true)
                                    : pre.preprocess(img), false)) {
                        for (float[][] t : targets) {
                            ctx.checkCancelled();
                            float[] pixels = BatchDecoder.stackAll(batches.next());
                            long skippedBefore = trainer.skippedSteps();
                            double loss = trainer.step(pixels, t.length, t);
                            if (trainer.skippedSteps() > skippedBefore) {
                                String which = trainer.lastNonFiniteGradients();
                                ctx.log("alignment: step " + (step + 1) + " had a non-finite gradient ("
                                        + (which == null || which.isEmpty() ? "sum of squares overflowed" : which)
                                        + ", loss " + loss + "); update skipped");
                            }
                            step++;
                            sum += loss;
                            after.onTrainingBatch(step, loss);
                            ctx.progress("align", step, totalSteps, String.format("epoch %d/%d loss %.4f",
                                    epoch + 1, o.epochs(), loss));
                        }
                    }
                    trainLoss.add(sum / targets.size()); // mean over the batches trained (a lone last image is skipped)
                    if (!val.isEmpty()) {
                        double vl = evalLoss(trainer, val, textEmbeds, pre, batch);
                        valLoss.add(vl);
                        ctx.metric("align/val_loss", step, vl);
                        ctx.log(String.format("alignment epoch %d: train loss %.4f, val loss %.4f",
                                epoch + 1, trainLoss.get(trainLoss.size() - 1), vl));
                    } else {
                        ctx.log(String.format("alignment epoch %d: train loss %.4f", epoch + 1,
                                trainLoss.get(trainLoss.size() - 1)));
                    }
                    after.onEpoch(new TrainingListener.Epoch(epoch + 1, step, trainLoss.get(trainLoss.size() - 1),
                            val.isEmpty() ? Double.NaN : valLoss.get(valLoss.size() - 1), Double.NaN));
                }
            }
            model.saveHf(out);
            Path ppc = baseEncoder.resolve("preprocessor_config.json");
            if (Files.exists(ppc)) {
                Files.copy(ppc, out.resolve("preprocessor_config.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            return new Result(out, trainLoss, valLoss, unreadable);
        }
    }

    /** The number of pairs in each pass of an epoch: one pass over the images, or one per trace index. */
    static List<Integer> passSizes(List<Item> train, Options o) {
        if (!o.allPairs()) {
            return List.of(train.size());
        }
        List<Integer> out = new ArrayList<>();
        for (int p = 0; ; p++) {
            int pass = p;
            int n = (int) train.stream().filter(i -> i.texts().size() > pass).count();
            if (n == 0) {
                return out;
            }
            out.add(n);
        }
    }

    /**
     * An epoch's (item, trace index) pairs, pass by pass, in training order; trace index -1 = drawn at random when
     * the batch is built (the IMAGES mode, whose draws interleave with the crop seeds as they always have). In
     * IMAGES_X_TRACES mode each image's traces are permuted and pass p pairs every image that has a (p+1)-th trace
     * with it, in a shuffled order.
     */
    static List<List<int[]>> epochPairs(List<Item> train, Options o, Random rng) {
        List<List<int[]>> passes = new ArrayList<>();
        if (!o.allPairs()) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, rng);
            passes.add(order.stream().map(i -> new int[] {i, -1}).toList());
            return passes;
        }
        List<List<Integer>> perm = new ArrayList<>();
        for (Item it : train) {
            List<Integer> p = new ArrayList<>();
            for (int j = 0; j < it.texts().size(); j++) {
                p.add(j);
            }
            Collections.shuffle(p, rng);
            perm.add(p);
        }
        for (int pass = 0; pass < passSizes(train, o).size(); pass++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                if (perm.get(i).size() > pass) {
                    order.add(i);
                }
            }
            Collections.shuffle(order, rng);
            int p = pass;
            passes.add(order.stream().map(i -> new int[] {i, perm.get(i).get(p)}).toList());
        }
        return passes;
    }

    /** The text tower's effective context: {@code textContext}, at most the encoder's position embeddings. */
    public static int contextLength(Path encoderDir, int textContext) throws IOException {
        return Math.min(textContext, dev.rali.engine.clip.ClipConfig.read(encoderDir.resolve("config.json")).text()
                .maxPositionEmbeddings());
    }

    /** Counts the texts (each as often as given) that {@link ClipTokenizer#encode} cuts at {@code contextLength}. */
    public static Truncation truncation(ClipTokenizer tok, int contextLength, java.util.Collection<String> texts) {
        int cut = 0;
        for (String t : texts) {
            if (tok.encodeIds(t).length > contextLength) {
                cut++;
            }
        }
        return new Truncation(texts.size(), cut, contextLength);
    }

    /** Decodes each file once (in parallel batches) and returns those that fail, in file order. */
    static List<Unreadable> unreadable(List<Path> files, TaskContext ctx) {
        List<Unreadable> out = new ArrayList<>();
        int done = 0;
        try (BatchDecoder<Boolean> batches = new BatchDecoder<>(files, 32, (k, img) -> Boolean.TRUE, false)) {
            while (batches.hasNext()) {
                ctx.checkCancelled();
                for (BatchDecoder.Item<Boolean> it : batches.next()) {
                    if (!it.ok()) {
                        out.add(new Unreadable(it.file(), it.error()));
                    }
                    done++;
                }
                ctx.progress("check images", done, files.size(), "");
            }
        }
        return out;
    }

    /** The per-epoch checkpoint: trainer state first, then the progress file (atomically) that makes it count. */
    private static void checkpoint(ClipVisionTrainer trainer, Path state, Path progressFile, int epochsDone,
                                   List<Double> trainLoss, List<Double> valLoss) throws IOException {
        trainer.saveState(state);
        ObjectNode p = JSON.createObjectNode();
        p.put("epochs_done", epochsDone);
        trainLoss.forEach(p.withArray("train_loss")::add);
        valLoss.forEach(p.withArray("val_loss")::add);
        AtomicFiles.write(progressFile, JSON.writeValueAsBytes(p));
    }

    /**
     * Embeds every distinct reasoning text once with the frozen text tower, truncated to {@code textContext} BPE
     * tokens (at most the tower's own context, 77 for CLIP).
     */
    static Map<String, float[]> embedTexts(ClipModel model, ClipTokenizer tok, List<Item> train, List<Item> val,
                                           int textContext, TaskContext ctx) {
        List<String> texts = new ArrayList<>(new java.util.LinkedHashSet<>(
                java.util.stream.Stream.concat(train.stream(), val.stream())
                        .flatMap(i -> i.texts().stream()).toList()));
        int ctxLen = Math.min(textContext, model.config().text().maxPositionEmbeddings());
        Map<String, float[]> out = new LinkedHashMap<>();
        int bs = 64;
        for (int s = 0; s < texts.size(); s += bs) {
            ctx.checkCancelled();
            List<String> chunk = texts.subList(s, Math.min(texts.size(), s + bs));
            long[][] ids = new long[chunk.size()][];
            for (int i = 0; i < chunk.size(); i++) {
                ids[i] = tok.encode(chunk.get(i), ctxLen);
            }
            float[][] e = model.embedTexts(ids);
            for (int i = 0; i < chunk.size(); i++) {
                out.put(chunk.get(i), e[i]);
            }
            ctx.progress("embed reasoning texts", Math.min(texts.size(), s + bs), texts.size(), "");
        }
        return out;
    }

    /** Mean contrastive loss over the validation images (each with its first trace), in full batches. */
    private static double evalLoss(ClipVisionTrainer trainer, List<Item> val, Map<String, float[]> textEmbeds,
                                   ClipImagePreprocessor pre, int batch) throws IOException {
        int usable = val.size() - (val.size() % batch == 1 ? 1 : 0); // a lone last image has no negatives
        if (usable < 2) {
            return Double.NaN;
        }
        List<Item> items = val.subList(0, usable);
        double sum = 0;
        int n = 0;
        try (BatchDecoder<float[]> batches = new BatchDecoder<>(items.stream().map(Item::image).toList(), batch,
                (k, img) -> pre.preprocess(img), false)) {
            for (int s = 0; s < usable; s += batch) {
                List<Item> chunk = items.subList(s, Math.min(usable, s + batch));
                float[][] targets = chunk.stream().map(i -> textEmbeds.get(i.texts().get(0))).toArray(float[][]::new);
                sum += trainer.evalLoss(BatchDecoder.stackAll(batches.next()), chunk.size(), targets);
                n++;
            }
        }
        return sum / n;
    }
}
