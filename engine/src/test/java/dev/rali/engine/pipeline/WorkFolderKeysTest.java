package dev.rali.engine.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Work folder names and embedding-cache folders are keys into existing projects: they must not drift. */
class WorkFolderKeysTest {

    @Test
    void workFolderKeyIsStable() {
        // value produced by the version before the shared Fingerprint helper: existing work folders are reused
        assertEquals("00b1e26f819aec74", RaliPipeline.hash("align", "abc", 3, List.of("x", "y"), 7L));
    }

    @Test
    void embeddingCacheFolderIsStable() {
        assertEquals("clip-vit_abc_def-e846c6384fc2", EmbeddingCache.slug("clip-vit@abc/def"));
    }
}
