package dev.rali.engine.project;

import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageExclusionsTest {
    @TempDir
    Path dir;

    /** Datasets a and b both list /d/x.jpg; a also has y.jpg. x has MOS and a trace in a. */
    private ProjectStore project() throws Exception {
        ProjectStore store = ProjectStore.open(dir.resolve("p.rali"));
        try (Statement s = store.connection().createStatement()) {
            s.execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'a', 'folder'), (2, 'b', 'folder')");
            s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split) VALUES "
                    + "(1, 1, '/d/x.jpg', 'x.jpg', 'hx', 'train'), (2, 1, '/d/y.jpg', 'y.jpg', 'hy', 'train'), "
                    + "(3, 2, '/d/x.jpg', 'x.jpg', 'hx', 'test')");
            s.execute("INSERT INTO mos(image_id, raw, normalised) VALUES (1, 3, 3)");
            s.execute("INSERT INTO traces(image_id, seed, source, raw_text, parse_status) VALUES (1, 0, 'm', 't', 'ok')");
        }
        return store;
    }

    @Test
    void anUnreadableFileIsMarkedInEveryDatasetAndTheStagesNoLongerSeeIt() throws Exception {
        try (ProjectStore store = project()) {
            assertEquals(2, ImageExclusions.markUnreadable(store, Map.of(Path.of("/d/x.jpg"), "truncated JPEG")));
            assertEquals(List.of("y.jpg"), Datasets.images(store, "a", null).stream().map(ImageRow::name).toList());
            assertTrue(Datasets.images(store, "b", null).isEmpty());
            List<ImageExclusions.Excluded> ex = ImageExclusions.list(store, "a");
            assertEquals(1, ex.size());
            assertEquals("unreadable: truncated JPEG", ex.get(0).reason());
            assertEquals(2, ImageExclusions.list(store, null).size());
            // Marking again keeps the first reason.
            assertEquals(0, ImageExclusions.markUnreadable(store, Map.of(Path.of("/d/x.jpg"), "other")));
        }
    }

    @Test
    void theUserCanExcludeAndIncludeAnImage() throws Exception {
        try (ProjectStore store = project()) {
            ImageExclusions.setExcluded(store, 2, true);
            assertEquals(List.of("x.jpg"), Datasets.images(store, "a", null).stream().map(ImageRow::name).toList());
            assertEquals(ImageExclusions.BY_USER, ImageExclusions.list(store, "a").get(0).reason());
            ImageExclusions.setExcluded(store, 2, false);
            assertEquals(2, Datasets.images(store, "a", null).size());
            assertThrows(IOException.class, () -> ImageExclusions.setExcluded(store, 99, true));
        }
    }

    @Test
    void removingImagesDeletesTheirMosAndTracesAndRefusesUnknownNamesWhole() throws Exception {
        try (ProjectStore store = project()) {
            IOException e = assertThrows(IOException.class,
                    () -> ImageExclusions.remove(store, "a", List.of("x.jpg", "nope.jpg")));
            assertTrue(e.getMessage().contains("dataset 'a' has no image named nope.jpg; nothing removed"), e.getMessage());
            assertEquals(2, Datasets.images(store, "a", null).size());
            assertEquals(1, ImageExclusions.remove(store, "a", List.of("x.jpg")));
            try (Statement s = store.connection().createStatement()) {
                assertEquals(0, s.executeQuery("SELECT COUNT(*) FROM mos").getInt(1));
                assertEquals(0, s.executeQuery("SELECT COUNT(*) FROM traces").getInt(1));
                assertEquals(2, s.executeQuery("SELECT COUNT(*) FROM images").getInt(1), "b's x.jpg stays");
            }
        }
    }
}
