package dev.rali.engine.dataset;

import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The one DatasetSummary carries what the CLI, the app's dataset table and the trace audit show. */
class DatasetSummaryTest {
    @TempDir Path dir;

    @Test
    void summariesCarryCountsSplitsTracesAndMosRanges() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("t.rali"))) {
            try (Statement s = store.connection().createStatement()) {
                s.execute("INSERT INTO datasets(id, name, layout, score_min, score_max, split_seed) VALUES "
                        + "(1, 'koniq', 'koniq', 0, 100, 7), (2, 'empty', 'folder', 1, 5, NULL)");
                // a.png train 2.0, b.png train 4.5, c.png test 3.0, d.png test unlabelled
                s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split) VALUES "
                        + "(10, 1, '/x/a.png', 'a.png', 'h1', 'train'), (11, 1, '/x/b.png', 'b.png', 'h2', 'train'), "
                        + "(12, 1, '/x/c.png', 'c.png', 'h3', 'test'), (13, 1, '/x/d.png', 'd.png', 'h4', 'test')");
                s.execute("INSERT INTO mos(image_id, raw, normalised, std) VALUES (10, 25, 2.0, 0.3), "
                        + "(11, 87.5, 4.5, 0.2), (12, 50, 3.0, NULL)");
                s.execute("INSERT INTO traces(id, image_id, seed, source, raw_text, think, answer, score, parse_status) "
                        + "VALUES (100, 10, 0, 'm', 'r', 't', '2', 2.1, 'ok'), (101, 10, 1, 'm', 'r', 't', '2', 1.9, 'ok'), "
                        + "(102, 11, 0, 'm', 'r', 't', '1', 1.0, 'ok'), (103, 11, 1, 'm', 'r', 't', '4.6', 4.6, 'ok'), "
                        + "(104, 12, 0, 'm', 'garbage', NULL, NULL, NULL, 'no_answer')");
            }
            List<DatasetSummary> ds = Datasets.list(store);
            assertEquals(List.of("empty", "koniq"), ds.stream().map(DatasetSummary::name).toList());
            DatasetSummary empty = ds.get(0);
            assertEquals(0, empty.count());
            assertEquals(0, empty.traces());
            assertEquals(Map.of(), empty.splits());
            assertNull(empty.normalisedMin());
            assertNull(empty.normalisedMean());
            assertNull(empty.splitSeed());
            DatasetSummary k = ds.get(1);
            assertEquals(4, k.count());
            assertEquals(3, k.labelled());
            assertEquals(5, k.traces());
            assertEquals(Map.of("test", 2, "train", 2), k.splits());
            assertEquals(List.of("test", "train"), List.copyOf(k.splits().keySet()));
            assertEquals(2.0, k.normalisedMin());
            assertEquals(4.5, k.normalisedMax());
            assertEquals(9.5 / 3, k.normalisedMean(), 1e-12);
            assertEquals(25.0, k.rawMin());
            assertEquals(87.5, k.rawMax());
            assertEquals(100.0, k.scoreMax());
            assertEquals(7L, k.splitSeed());
            assertEquals(k, Datasets.get(store, "koniq"));
        }
    }
}
