package dev.rali.engine.pipeline;

import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.clip.Precision;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.project.ImageExclusions;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage C.1: image embeddings with a given encoder, cached on disk under the project's artifact folder, keyed by
 * image content hash and encoder hash — each image is embedded once per encoder, whatever dataset or run asks.
 * The encoder is loaded only when something is missing from the cache. Unreadable images are reported and
 * left out (the caller sees fewer rows), never given an invented embedding. Public for the embedding analysis
 * ({@code analysis.ProjectSpaces}), which reads the same cache.
 */
public final class Embeddings implements AutoCloseable {
    private final ProjectStore store;
    private final Path encoderDir;
    private final String device;
    private final int batch;
    private final Precision precision;
    private final EmbeddingCache cache;
    private ImageEmbedder embedder;
    /** Images served from the cache / computed, over this object's life (sweeps report them as reuse). */
    private long cacheHits;
    private long cacheMisses;

    public Embeddings(ProjectStore store, Path encoderDir, String encoderId, String device, int batch) throws IOException {
        this(store, encoderDir, encoderId, device, "fp32", batch);
    }

    /**
     * @param precision "fp32", "bf16" or "auto" (see {@link Precision}); bf16 vectors are cached under their own
     *                  key, so switching precision never mixes the two in one table
     */
    public Embeddings(ProjectStore store, Path encoderDir, String encoderId, String device, String precision,
                      int batch) throws IOException {
        this.store = store;
        this.encoderDir = encoderDir;
        this.device = device;
        this.precision = Precision.resolve(precision, device, encoderDir);
        this.batch = Math.max(1, batch);
        this.cache = EmbeddingCache.open(store.artifactDir().resolve("embeddings"),
                this.precision.cacheKey(encoderId));
    }

    /** The precision the vectors are computed in (auto resolved). */
    public Precision precision() {
        return precision;
    }

    /** Embeddings by image id for {@code rows}; computes and caches what is missing. */
    public Map<Long, float[]> of(List<ImageRow> rows, TaskContext ctx) throws IOException {
        Map<Long, float[]> out = new LinkedHashMap<>();
        List<ImageRow> missing = new ArrayList<>();
        for (ImageRow r : rows) {
            float[] e = cache.get(r.contentHash());
            if (e != null) {
                out.put(r.id(), e);
            } else {
                missing.add(r);
            }
        }
        cacheHits += rows.size() - missing.size();
        cacheMisses += missing.size();
        if (missing.isEmpty()) {
            return out;
        }
        if (embedder == null) {
            embedder = ImageEmbedder.open(encoderDir, ClipLoadOptions.defaults().withDevice(device)
                    .withPrecision(precision.label()));
            ctx.log("embed: encoder " + precision.label() + " on " + embedder.model().device().getDeviceType());
        }
        Map<Path, String> unreadable = new LinkedHashMap<>();
        // No lookahead: the pipeline's embeddings (and so its heads and tables) stay reproducible run to run.
        ImageEmbedder.Options options = ImageEmbedder.Options.defaults().withBatch(batch).withLookahead(false);
        int[] done = {0}; // results come in file order, batch by batch
        try {
            embedder.embed(missing.stream().map(ImageRow::path).toList(), options, ctx, results -> {
                Map<String, float[]> fresh = new HashMap<>();
                for (ImageEmbedder.Result r : results) {
                    ImageRow row = missing.get(done[0]++);
                    if (r.ok()) {
                        fresh.put(row.contentHash(), r.embedding());
                        out.put(row.id(), r.embedding());
                    } else if (r.encoderFailed()) {
                        // not a bad file: the stage stops rather than leave a whole batch out
                        throw new IllegalStateException("embed: " + r.message());
                    } else {
                        ctx.log("embed: skipped " + r.message());
                        unreadable.put(r.file(), r.error());
                    }
                }
                try {
                    cache.putAll(fresh); // persisted per batch: a killed run keeps what it embedded
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause(); // the cache could not be written
        } finally {
            if (!unreadable.isEmpty()) { // marked so later stages and runs leave them out (and the user sees them)
                ImageExclusions.markUnreadable(store, unreadable);
            }
        }
        return out;
    }

    /** Image lookups served from the on-disk cache so far. */
    public long cacheHits() {
        return cacheHits;
    }

    /** Image lookups that had to run the encoder so far. */
    public long cacheMisses() {
        return cacheMisses;
    }

    @Override
    public void close() {
        if (embedder != null) {
            embedder.close();
        }
    }
}
