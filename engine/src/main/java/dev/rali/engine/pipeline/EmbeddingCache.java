package dev.rali.engine.pipeline;

import dev.rali.engine.io.Safetensors;
import dev.rali.engine.task.Fingerprint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * On-disk cache of image embeddings keyed by (image content sha256, encoder id), so that an image is embedded
 * once per encoder however often the pipeline runs.
 * <p>
 * Layout: {@code dir/<encoder-slug>/shard-<time>-<uuid>.safetensors}, one folder per encoder id (slug = the id
 * with unsafe characters replaced, plus 12 hex digits of its sha256 so that different ids never share a folder).
 * Each shard holds {@code embeddings [n,D]} F32 and {@code hashes [n,32]} U8 (raw sha256 digests), metadata
 * {@code encoder_id} and {@code dim}. Shards are immutable and written atomically (temp file + rename) under a
 * unique name, so appending is safe against crashes and against several writers; the set of shard files is the
 * index. {@link #compact()} merges shards (automatically beyond 64). A hash present in several shards keeps its first value.
 */
public final class EmbeddingCache {
    private static final HexFormat HEX = HexFormat.of();
    /** Shards beyond this are merged automatically (an encoder run writes one shard per batch). */
    static final int COMPACT_AFTER = 64;

    private final Path folder;
    private final String encoderId;
    private final Map<String, float[]> entries = new LinkedHashMap<>();
    private final List<Path> loadedShards = new ArrayList<>();
    private int dim = -1;

    private EmbeddingCache(Path folder, String encoderId) {
        this.folder = folder;
        this.encoderId = encoderId;
    }

    /** Opens (creating if needed) the cache of {@code encoderId} under {@code dir} and reads its shards. */
    public static EmbeddingCache open(Path dir, String encoderId) throws IOException {
        if (encoderId == null || encoderId.isBlank()) {
            throw new IllegalArgumentException("embedding cache needs a non-empty encoder id");
        }
        Path folder = dir.resolve(slug(encoderId));
        Files.createDirectories(folder);
        EmbeddingCache c = new EmbeddingCache(folder, encoderId);
        c.refresh();
        return c;
    }

    static String slug(String encoderId) {
        String safe = encoderId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 60) {
            safe = safe.substring(0, 60);
        }
        return safe + "-" + sha256Hex(encoderId.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    public String encoderId() {
        return encoderId;
    }

    /** The folder of this encoder's shards. */
    public Path folder() {
        return folder;
    }

    /** Embedding dimension, or −1 while the cache is empty. */
    public synchronized int dim() {
        return dim;
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized boolean contains(String contentHash) {
        return entries.containsKey(normaliseHash(contentHash));
    }

    /** The embedding of an image by its content sha256 (hex), or null if not cached. Returns a copy. */
    public synchronized float[] get(String contentHash) {
        float[] e = entries.get(normaliseHash(contentHash));
        return e == null ? null : e.clone();
    }

    /** The cached subset of the given hashes, in their order. */
    public synchronized Map<String, float[]> getAll(Collection<String> contentHashes) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String h : contentHashes) {
            float[] e = entries.get(normaliseHash(h));
            if (e != null) {
                out.put(h, e.clone());
            }
        }
        return out;
    }

    public void put(String contentHash, float[] embedding) throws IOException {
        putAll(Map.of(contentHash, embedding));
    }

    /**
     * Adds embeddings (already cached hashes are skipped) by writing one new shard atomically. All embeddings must
     * have the cache's dimension and finite values.
     */
    public synchronized void putAll(Map<String, float[]> embeddings) throws IOException {
        Map<String, float[]> fresh = new LinkedHashMap<>();
        int d = dim;
        for (Map.Entry<String, float[]> e : embeddings.entrySet()) {
            String h = normaliseHash(e.getKey());
            float[] v = e.getValue();
            if (v == null || v.length == 0) {
                throw new IllegalArgumentException("embedding cache: empty embedding for " + h);
            }
            if (d < 0) {
                d = v.length;
            } else if (v.length != d) {
                throw new IllegalArgumentException("embedding cache " + folder + ": embedding for " + h + " has dimension "
                        + v.length + ", the cache holds " + d);
            }
            for (float x : v) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("embedding cache: embedding for " + h + " holds a non-finite value");
                }
            }
            if (!entries.containsKey(h)) {
                fresh.put(h, v.clone());
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        Path shard = writeShard(fresh, d);
        loadedShards.add(shard);
        entries.putAll(fresh);
        dim = d;
        if (loadedShards.size() > COMPACT_AFTER) {
            compact();
        }
    }

    /** Reads shards written since opening (e.g. by another process). */
    public synchronized void refresh() throws IOException {
        for (Path shard : listShards()) {
            if (!loadedShards.contains(shard)) {
                readShard(shard);
                loadedShards.add(shard);
            }
        }
    }

    /** Rewrites all shards as one (then deletes the old ones). */
    public synchronized void compact() throws IOException {
        refresh();
        if (loadedShards.size() <= 1) {
            return;
        }
        List<Path> old = new ArrayList<>(loadedShards);
        Path merged = writeShard(entries, dim);
        for (Path p : old) {
            Files.deleteIfExists(p);
        }
        loadedShards.clear();
        loadedShards.add(merged);
    }

    /** Number of shard files this instance knows. */
    public synchronized int shardCount() {
        return loadedShards.size();
    }

    private List<Path> listShards() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder, "shard-*.safetensors")) {
            for (Path p : ds) {
                out.add(p);
            }
        }
        out.sort(null); // names start with the write time: oldest first
        return out;
    }

    private Path writeShard(Map<String, float[]> data, int d) throws IOException {
        int n = data.size();
        float[] flat = new float[n * d];
        byte[] hashes = new byte[n * 32];
        int i = 0;
        for (Map.Entry<String, float[]> e : data.entrySet()) {
            System.arraycopy(e.getValue(), 0, flat, i * d, d);
            System.arraycopy(HEX.parseHex(e.getKey()), 0, hashes, i * 32, 32);
            i++;
        }
        Safetensors.Writer w = new Safetensors.Writer();
        w.metadata("encoder_id", encoderId);
        w.metadata("dim", Integer.toString(d));
        w.putFloats("embeddings", flat, n, d);
        w.putBytes("hashes", hashes, n, 32);
        Path shard = folder.resolve(String.format("shard-%015d-%s.safetensors", System.currentTimeMillis(),
                UUID.randomUUID()));
        w.write(shard);
        return shard;
    }

    private void readShard(Path shard) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(shard)) {
            String id = r.metadata().get("encoder_id");
            if (!encoderId.equals(id)) {
                throw new IOException(shard + ": embedding shard of encoder '" + id + "', expected '" + encoderId + "'");
            }
            if (!r.has("embeddings") || !r.has("hashes")) {
                throw new IOException(shard + ": embedding shard lacks 'embeddings' or 'hashes'");
            }
            long[] es = r.info("embeddings").shape();
            long[] hs = r.info("hashes").shape();
            if (es.length != 2 || hs.length != 2 || hs[1] != 32 || hs[0] != es[0]) {
                throw new IOException(shard + ": embedding shard has shapes " + r.info("embeddings").shapeString()
                        + " and " + r.info("hashes").shapeString() + ", expected [n, D] and [n, 32]");
            }
            int n = (int) es[0];
            int d = (int) es[1];
            if (dim >= 0 && d != dim && n > 0) {
                throw new IOException(shard + ": embeddings of dimension " + d + ", other shards have " + dim);
            }
            float[] flat = r.floats("embeddings");
            byte[] hashes = r.bytes("hashes");
            for (int i = 0; i < n; i++) {
                String h = HEX.formatHex(hashes, i * 32, i * 32 + 32);
                if (!entries.containsKey(h)) {
                    float[] v = new float[d];
                    System.arraycopy(flat, i * d, v, 0, d);
                    entries.put(h, v);
                }
            }
            if (n > 0) {
                dim = d;
            }
        } catch (IOException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(shard.toString()) ? e
                    : new IOException(shard + ": unreadable embedding shard (" + e.getMessage() + "); delete it", e);
        }
    }

    private static String normaliseHash(String h) {
        if (h == null || h.length() != 64 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a sha256 hex digest: '" + h + "'");
        }
        return h.toLowerCase(java.util.Locale.ROOT);
    }

    static String sha256Hex(byte[] data) {
        return Fingerprint.of(data);
    }
}
