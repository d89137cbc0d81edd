package dev.rali.spark;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.score.BundleScorer;
import org.apache.spark.SparkFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of one executor JVM: each (model, device) is opened once per JVM, on the first task that needs it,
 * and shared by every later task (a ViT-L load takes seconds and gigabytes; per task it would dominate). Tasks of
 * one executor take turns on a model ({@link Loaded#lock}): libtorch already spreads one forward over the cores.
 */
final class ExecutorModels {
    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    private ExecutorModels() { }

    /** A model ready for tasks: the scorer (bundles) or the bare embedder (CLIP folders), and its identity. */
    static final class Loaded {
        final BundleScorer scorer;
        final ImageEmbedder embedder;
        /** sha256 of the bundle's manifest (which lists the sha256 of every file); null for a CLIP folder. */
        final String bundleSha256;
        /** sha256 of model.safetensors: the key of the project's embedding cache. */
        final String encoderSha256;
        /** The precision the encoder runs in on this executor (auto resolved): fp32, bf16 or bf16-mlp. */
        final String precision;
        final Object lock = new Object();

        private Loaded(BundleScorer scorer, ImageEmbedder embedder, String bundleSha256, String encoderSha256) {
            this.scorer = scorer;
            this.embedder = embedder;
            this.bundleSha256 = bundleSha256;
            this.encoderSha256 = encoderSha256;
            this.precision = (scorer != null ? scorer.precision() : embedder.model().precision()).label();
        }
    }

    /** The loaded model for {@code model} (a local path, or the name of a file shipped with SparkFiles). */
    static Loaded get(String model, String device, String precision, int batch, boolean needBundle) {
        return LOADED.computeIfAbsent(model + "\u0000" + device + "\u0000" + precision + "\u0000" + batch + "\u0000"
                + needBundle, k -> {
            try {
                return load(resolve(model), device, precision, batch, needBundle);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Where the model is on this machine: the copy Spark shipped ({@code SparkContext.addFile}, {@code --files},
     * {@code --archives}) when there is one, else the path itself (a shared file system mounted on every node).
     */
    static Path resolve(String model) throws IOException {
        String name = Path.of(model.replaceFirst("/+$", "")).getFileName().toString();
        try {
            Path shipped = Path.of(SparkFiles.get(name));
            if (Files.exists(shipped)) {
                return shipped;
            }
        } catch (RuntimeException noSparkEnv) {
            // not inside a Spark JVM (library use): the path itself
        }
        Path local = Path.of(model.startsWith("file:") ? java.net.URI.create(model).getPath() : model);
        if (Files.isDirectory(local)) {
            return local;
        }
        throw new IOException(model + ": no such model folder on this executor (neither shipped with the job nor "
                + "present at that path)");
    }

    static Loaded load(Path dir, String device, String precision, int batch, boolean needBundle) throws IOException {
        ClipLoadOptions options = ClipLoadOptions.defaults().withDevice(device).withPrecision(precision);
        // DJL must use the libtorch jar shipped with the job, never download one on an executor.
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.setProperty("offline", System.getProperty("offline", "true"));
        if (ModelBundle.isBundle(dir) && needBundle) {
            BundleScorer scorer = BundleScorer.open(dir, device, precision, batch);
            ModelBundle b = scorer.bundle();
            String enc = b.manifest().path("files").path("model.safetensors").asText(null);
            return new Loaded(scorer, null, FileHashes.sha256(dir.resolve(ModelBundle.MANIFEST)),
                    enc != null ? enc : FileHashes.sha256(b.encoderDir().resolve("model.safetensors")));
        }
        if (ModelBundle.isBundle(dir)) { // embeddings only: the bundle is itself the encoder's CLIP folder
            ModelBundle b = ModelBundle.read(dir);
            String enc = b.manifest().path("files").path("model.safetensors").asText(null);
            return new Loaded(null, ImageEmbedder.open(b.encoderDir(), options),
                    FileHashes.sha256(dir.resolve(ModelBundle.MANIFEST)),
                    enc != null ? enc : FileHashes.sha256(b.encoderDir().resolve("model.safetensors")));
        }
        if (needBundle) {
            throw new IOException(dir + ": not a model bundle (no " + ModelBundle.MANIFEST + " of format "
                    + ModelBundle.FORMAT + "); scoring needs one made by `rali export`");
        }
        return new Loaded(null, ImageEmbedder.open(dir, options), null,
                FileHashes.sha256(dir.resolve("model.safetensors")));
    }
}
