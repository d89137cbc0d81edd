package dev.rali.engine.pipeline;

import dev.rali.engine.clip.Precision;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.io.ParquetEmbeddings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Imports image embeddings computed elsewhere (the Spark {@code embed} job, or {@code score --embeddings}) into a
 * project's embedding cache: the same cache, keyed by (image content sha256, encoder sha256), that the pipeline's
 * embed stage and the embedding analyses read. An image of the project whose bytes and encoder match is then
 * never embedded again here; rows of other images are kept too (the cache is by content, not by dataset).
 */
public final class EmbeddingImport {
    /** Rows written to the cache per shard. */
    static final int CHUNK = 4096;

    private EmbeddingImport() { }

    /**
     * What an import did.
     *
     * @param rows           rows read
     * @param imported       new cache entries
     * @param alreadyCached  ok rows whose (content, encoder) the cache held already
     * @param errorRows      rows without an embedding (the job's error rows), skipped
     * @param projectMatches ok rows whose content is an image of the project
     * @param dims           embedding dimension per encoder sha256
     */
    public record Report(Path source, long rows, long imported, long alreadyCached, long errorRows,
                         long projectMatches, long projectImages, Map<String, Integer> dims) { }

    public static Report run(ProjectStore store, Path parquet, TaskContext ctx) throws IOException {
        Set<String> project = projectHashes(store);
        Map<String, EmbeddingCache> caches = new LinkedHashMap<>();
        Map<String, Map<String, float[]>> pending = new LinkedHashMap<>();
        Map<String, Integer> dims = new TreeMap<>();
        long[] n = new long[5]; // rows, imported, cached, errors, matches
        try {
            ParquetEmbeddings.read(parquet, r -> {
                n[0]++;
                if (!r.ok()) {
                    n[3]++;
                    return;
                }
                String at = r.file() + ": row " + r.row() + " (" + r.path() + ")";
                if (r.contentSha256() == null || r.encoderSha256() == null) {
                    throw new IllegalArgumentException(at + ": an embedding without content_sha256/encoder_sha256");
                }
                try {
                    // keyed by precision as the pipeline keys its own; a file without the column holds fp32 vectors
                    String key = (r.precision() == null || r.precision().isEmpty() ? Precision.FP32
                            : Precision.ofLabel(r.precision())).cacheKey(r.encoderSha256());
                    EmbeddingCache cache = caches.get(key);
                    if (cache == null) {
                        cache = EmbeddingCache.open(store.artifactDir().resolve("embeddings"), key);
                        caches.put(key, cache);
                    }
                    Integer d = dims.putIfAbsent(key, r.embedding().length);
                    int cached = cache.dim();
                    int expected = cached > 0 ? cached : d == null ? r.embedding().length : d;
                    if (r.embedding().length != expected) {
                        throw new IllegalArgumentException(at + ": embedding of dimension " + r.embedding().length
                                + ", expected " + expected + " for encoder " + key);
                    }
                    if (cache.contains(r.contentSha256())) {
                        n[2]++;
                    } else {
                        Map<String, float[]> p = pending.computeIfAbsent(key, k -> new LinkedHashMap<>());
                        if (p.put(r.contentSha256().toLowerCase(java.util.Locale.ROOT), r.embedding()) == null) {
                            n[1]++;
                        }
                        if (p.size() >= CHUNK) {
                            cache.putAll(p);
                            p.clear();
                            ctx.progress("import", n[0], 0, r.path());
                        }
                    }
                    if (project.contains(r.contentSha256().toLowerCase(java.util.Locale.ROOT))) {
                        n[4]++;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (IllegalArgumentException e) {
                    throw e.getMessage() != null && e.getMessage().startsWith(at) ? e
                            : new IllegalArgumentException(at + ": " + e.getMessage(), e);
                }
            });
            for (Map.Entry<String, Map<String, float[]>> e : pending.entrySet()) {
                caches.get(e.getKey()).putAll(e.getValue());
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        return new Report(parquet, n[0], n[1], n[2], n[3], n[4], project.size(), dims);
    }

    private static Set<String> projectHashes(ProjectStore store) throws IOException {
        Set<String> out = new HashSet<>();
        try {
            for (DatasetSummary d : Datasets.list(store)) {
                for (ImageRow r : Datasets.images(store, d.name(), null)) {
                    if (r.contentHash() != null) {
                        out.add(r.contentHash().toLowerCase(java.util.Locale.ROOT));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IOException(store.file() + ": cannot list the project's images: " + e.getMessage(), e);
        }
        return out;
    }
}
