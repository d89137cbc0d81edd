package dev.rali.engine.traces;

import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageIndexTest {
    @TempDir
    Path dir;

    @Test
    void resolvesPathsNamesSuffixesAndUniqueBasenames() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long koniq = TestProjects.dataset(store, "koniq");
            long kadid = TestProjects.dataset(store, "kadid");
            long a = TestProjects.image(store, koniq, "1024x768/123.jpg", dir.resolve("koniq/1024x768/123.jpg"), "train");
            long b = TestProjects.image(store, kadid, "I01_01_01.png", dir.resolve("kadid/images/I01_01_01.png"), "all");
            long c1 = TestProjects.image(store, koniq, "1024x768/dup.jpg", dir.resolve("koniq/1024x768/dup.jpg"), "train");
            long c2 = TestProjects.image(store, kadid, "dup.jpg", dir.resolve("kadid/images/dup.jpg"), "all");
            ImageIndex all = ImageIndex.load(store, null);
            assertEquals(4, all.size());
            assertEquals(a, all.resolve(dir.resolve("koniq/1024x768/123.jpg").toString()).imageId());
            assertEquals(a, all.resolve("1024x768/123.jpg").imageId());
            assertEquals(a, all.resolve("./1024x768\\123.jpg").imageId());
            assertEquals(a, all.resolve("/data/koniq/1024x768/123.jpg").imageId());
            assertEquals(a, all.resolve("123.jpg").imageId());
            assertEquals(b, all.resolve("images/I01_01_01.png").imageId());
            ImageIndex.Resolution amb = all.resolve("dup.jpg");
            assertEquals(c2, amb.imageId()); // exact name in kadid wins over a basename match
            ImageIndex.Resolution missing = all.resolve("nothere.jpg");
            assertFalse(missing.ok());
            assertTrue(missing.reason().contains("nothere.jpg"), missing.reason());
            ImageIndex koniqOnly = ImageIndex.load(store, "koniq");
            assertEquals(c1, koniqOnly.resolve("dup.jpg").imageId());
            assertEquals(c2, all.resolve("x/dup.jpg").imageId()); // a longer path ending in the stored name
        }
    }

    @Test
    void reportsAmbiguousBasenames() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long d1 = TestProjects.dataset(store, "one");
            long d2 = TestProjects.dataset(store, "two");
            TestProjects.image(store, d1, "sub/x.jpg", dir.resolve("1/sub/x.jpg"), "all");
            TestProjects.image(store, d2, "other/x.jpg", dir.resolve("2/other/x.jpg"), "all");
            ImageIndex.Resolution r = ImageIndex.load(store, null).resolve("x.jpg");
            assertFalse(r.ok());
            assertTrue(r.reason().contains("ambiguous"), r.reason());
            assertTrue(r.reason().contains("one:sub/x.jpg"), r.reason());
        }
    }
}
