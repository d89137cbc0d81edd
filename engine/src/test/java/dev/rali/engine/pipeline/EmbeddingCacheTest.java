package dev.rali.engine.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EmbeddingCacheTest {

    static String h(String s) {
        return EmbeddingCache.sha256Hex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void storesAndReloadsEmbeddingsPerEncoder(@TempDir Path dir) throws Exception {
        EmbeddingCache a = EmbeddingCache.open(dir, "clip-vit-l14-336@abc");
        assertEquals(-1, a.dim());
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put(h("img1"), new float[] {1, 2, 3});
        m.put(h("img2"), new float[] {4, 5, 6});
        a.putAll(m);
        a.put(h("img3"), new float[] {7, 8, 9});
        assertEquals(3, a.size());
        assertEquals(2, a.shardCount());
        assertArrayEquals(new float[] {4, 5, 6}, a.get(h("img2")));
        assertArrayEquals(new float[] {4, 5, 6}, a.get(h("img2").toUpperCase()));
        assertNull(a.get(h("other")));

        EmbeddingCache again = EmbeddingCache.open(dir, "clip-vit-l14-336@abc");
        assertEquals(3, again.size());
        assertEquals(3, again.dim());
        assertArrayEquals(new float[] {7, 8, 9}, again.get(h("img3")));
        assertEquals(List.of(h("img1"), h("img3")), List.copyOf(again.getAll(List.of(h("img1"), h("nope"), h("img3"))).keySet()));

        EmbeddingCache other = EmbeddingCache.open(dir, "another encoder/with:odd chars");
        assertEquals(0, other.size());
        assertNotEquals(a.folder(), other.folder());
        assertTrue(other.folder().getFileName().toString().startsWith("another_encoder_with_odd_chars-"));
    }

    @Test
    void appendsFromTwoInstancesAndCompacts(@TempDir Path dir) throws Exception {
        EmbeddingCache a = EmbeddingCache.open(dir, "enc");
        EmbeddingCache b = EmbeddingCache.open(dir, "enc");
        a.put(h("1"), new float[] {1, 1});
        b.put(h("2"), new float[] {2, 2});
        a.put(h("1"), new float[] {9, 9}); // already cached: skipped, first value kept
        assertEquals(1, a.size());
        a.refresh();
        assertEquals(2, a.size());
        assertArrayEquals(new float[] {1, 1}, a.get(h("1")));
        a.compact();
        assertEquals(1, a.shardCount());
        try (var files = Files.list(a.folder())) {
            assertEquals(1, files.count());
        }
        EmbeddingCache c = EmbeddingCache.open(dir, "enc");
        assertEquals(2, c.size());
        assertArrayEquals(new float[] {2, 2}, c.get(h("2")));
    }

    @Test
    void rejectsBadKeysDimensionsAndCorruptShards(@TempDir Path dir) throws Exception {
        EmbeddingCache a = EmbeddingCache.open(dir, "enc");
        a.put(h("1"), new float[] {1, 2});
        var e = assertThrows(IllegalArgumentException.class, () -> a.put(h("2"), new float[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("dimension 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.put("not-a-hash", new float[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> a.put(h("3"), new float[] {1, Float.NaN}));
        assertThrows(IllegalArgumentException.class, () -> EmbeddingCache.open(dir, " "));
        Path bad = a.folder().resolve("shard-999999999999999-x.safetensors");
        Files.write(bad, new byte[] {1, 2, 3});
        var io = assertThrows(java.io.IOException.class, () -> EmbeddingCache.open(dir, "enc"));
        assertTrue(io.getMessage().contains(bad.toString()), io.getMessage());
        Files.delete(bad);
        // a leftover temp file of an interrupted write is ignored
        Files.write(a.folder().resolve("shard-1.safetensors12345.tmp"), new byte[] {1});
        assertEquals(1, EmbeddingCache.open(dir, "enc").size());
    }

    @Test
    void manySmallWritesAreCompactedAutomatically(@TempDir Path dir) throws Exception {
        EmbeddingCache a = EmbeddingCache.open(dir, "enc");
        for (int i = 0; i < EmbeddingCache.COMPACT_AFTER + 5; i++) {
            a.put(h("img" + i), new float[] {i, -i});
        }
        assertTrue(a.shardCount() <= EmbeddingCache.COMPACT_AFTER, "shards " + a.shardCount());
        EmbeddingCache b = EmbeddingCache.open(dir, "enc");
        assertEquals(EmbeddingCache.COMPACT_AFTER + 5, b.size());
        assertArrayEquals(new float[] {3, -3}, b.get(h("img3")));
    }
}
