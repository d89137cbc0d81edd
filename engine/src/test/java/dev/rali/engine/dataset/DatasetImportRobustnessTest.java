package dev.rali.engine.dataset;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resume after cancel, idempotent re-runs, bad input, old projects. */
class DatasetImportRobustnessTest {
    @TempDir
    Path dir;

    /** A csv-layout dataset of n images with scores 1..5. */
    private Path csvDataset(int n) throws IOException {
        StringBuilder csv = new StringBuilder("image,score\n");
        for (int i = 0; i < n; i++) {
            Fixtures.image(dir.resolve("data/img" + i + ".png"), i + 1);
            csv.append("img").append(i).append(".png,").append(1 + 4.0 * i / (n - 1)).append('\n');
        }
        return Fixtures.text(dir.resolve("data/labels.csv"), csv.toString());
    }

    private static int count(ProjectStore store, String sql) throws Exception {
        try (Statement s = store.connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void cancelledImportLeavesWholeBatchesAndRerunCompletesWithoutDuplicates() throws Exception {
        Path csv = csvDataset(150);
        ImportRequest req = ImportRequest.of("d", "csv", csv).withScale(new MosScale(1, 5, false));
        Path project = dir.resolve("p.rali");
        AtomicInteger importProgress = new AtomicInteger();
        TaskContext cancelAfterFirstBatch = new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) {
                if (phase.equals("import")) {
                    importProgress.incrementAndGet();
                }
            }
            @Override public void log(String line) { }
            @Override public boolean isCancelled() {
                return importProgress.get() >= 1;
            }
        };
        try (ProjectStore store = ProjectStore.open(project)) {
            assertThrows(CancelledException.class, () -> DatasetImporter.importDataset(store, req, cancelAfterFirstBatch));
            // exactly one committed batch, every image with its MOS row
            assertEquals(DatasetImporter.BATCH, count(store, "SELECT COUNT(*) FROM images"));
            assertEquals(DatasetImporter.BATCH, count(store, "SELECT COUNT(*) FROM mos"));
        }
        Map<String, String> splitsAfterResume;
        try (ProjectStore store = ProjectStore.open(project)) { // a new process resumes
            ImportReport r = DatasetImporter.importDataset(store, req, TaskContext.silent());
            assertEquals(150 - DatasetImporter.BATCH, r.imported);
            assertEquals(DatasetImporter.BATCH, r.skippedExisting);
            assertEquals(150, count(store, "SELECT COUNT(*) FROM images"));
            assertEquals(150, count(store, "SELECT COUNT(DISTINCT name) FROM images"));
            assertEquals(150, count(store, "SELECT COUNT(DISTINCT content_hash) FROM images"));
            splitsAfterResume = Datasets.images(store, "d", null).stream()
                    .collect(Collectors.toMap(ImageRow::name, ImageRow::split));
        }
        // the split of a resumed import equals that of an uninterrupted one
        try (ProjectStore other = ProjectStore.open(dir.resolve("q.rali"))) {
            DatasetImporter.importDataset(other, req, TaskContext.silent());
            assertEquals(splitsAfterResume, Datasets.images(other, "d", null).stream()
                    .collect(Collectors.toMap(ImageRow::name, ImageRow::split)));
        }
    }

    @Test
    void rerunningAFinishedImportChangesNothing() throws Exception {
        Path csv = csvDataset(5);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            ImportRequest req = ImportRequest.of("d", "csv", csv);
            DatasetImporter.importDataset(store, req, TaskContext.silent());
            ImportReport again = DatasetImporter.importDataset(store, req, TaskContext.silent());
            assertEquals(0, again.imported);
            assertEquals(5, again.skippedExisting);
            assertEquals(5, count(store, "SELECT COUNT(*) FROM images"));
            assertEquals(1, count(store, "SELECT COUNT(*) FROM datasets"));
            // observed range (csv without a range): 1..5
            assertEquals(1.0, again.scale.lo(), 1e-12);
            assertEquals(5.0, again.scale.hi(), 1e-12);
            // a different split seed on an existing dataset is refused, naming both
            IOException e = assertThrows(IOException.class, () -> DatasetImporter.importDataset(store,
                    req.withSplitSeed(9L), TaskContext.silent()));
            assertTrue(e.getMessage().contains("seed 42") && e.getMessage().contains("seed 9"), e.getMessage());
            IOException e2 = assertThrows(IOException.class, () -> DatasetImporter.importDataset(store,
                    ImportRequest.of("d", "folder", dir.resolve("data")), TaskContext.silent()));
            assertTrue(e2.getMessage().contains("already exists with layout csv"), e2.getMessage());
        }
    }

    @Test
    void badRowsAreSkippedAndEachIsReportedByFileAndRow() throws Exception {
        Path d = dir.resolve("bad");
        Fixtures.image(d.resolve("ok1.png"), 1);
        Fixtures.image(d.resolve("ok2.png"), 2);
        Fixtures.image(d.resolve("copy.png"), 1); // same bytes as ok1.png
        Files.writeString(d.resolve("corrupt.png"), "this is not a png");
        Fixtures.image(d.resolve("nan.png"), 3);
        Fixtures.image(d.resolve("high.png"), 4);
        Path csv = Fixtures.text(d.resolve("labels.csv"), String.join("\n",
                "image,score",
                "ok1.png,2.0",
                "ok2.png,4.0",
                "missing.png,3.0",
                "corrupt.png,3.0",
                "nan.png,NaN",
                "high.png,7.5",
                "ok2.png,4.5",
                "copy.png,3.3",
                "broken,row,with,fields",
                ""));
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            ImportReport r = DatasetImporter.importDataset(store,
                    ImportRequest.of("bad", "csv", csv).withScale(new MosScale(1, 5, false)), TaskContext.silent());
            assertEquals(2, r.imported, r.format(50));
            assertEquals(List.of("labels.csv:4: missing.png: image file not found"), r.missingFiles);
            assertEquals(1, r.unreadableImages.size());
            assertTrue(r.unreadableImages.get(0).startsWith("labels.csv:5: ") && r.unreadableImages.get(0).contains("corrupt.png"),
                    r.unreadableImages.toString());
            assertEquals(2, r.badScores.size(), r.badScores.toString());
            assertTrue(r.badScores.get(0).startsWith("labels.csv:6: nan.png:"), r.badScores.toString());
            assertTrue(r.badScores.get(1).startsWith("labels.csv:7: high.png: score 7.5 outside"), r.badScores.toString());
            assertEquals(2, r.duplicates.size(), r.duplicates.toString());
            assertTrue(r.duplicates.get(0).startsWith("labels.csv:8: ok2.png listed twice"), r.duplicates.toString());
            assertTrue(r.duplicates.get(1).contains("copy.png has the same content as ok1.png"), r.duplicates.toString());
            assertEquals(List.of("labels.csv:10: expected 2 fields, found 4; row skipped"), r.malformedRows);
            String text = r.format(50);
            assertTrue(text.contains("missing image files (1, skipped)") && text.contains("labels.csv:10"), text);
            Set<String> names = new HashSet<>();
            Datasets.images(store, "bad", null).forEach(x -> names.add(x.name()));
            assertEquals(Set.of("ok1.png", "ok2.png"), names);
        }
    }

    @Test
    void missingMetadataAndUnknownLayoutAreClearErrors() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            Files.createDirectories(dir.resolve("empty"));
            IOException e = assertThrows(IOException.class, () -> DatasetImporter.importDataset(store,
                    ImportRequest.of("k", "koniq", dir.resolve("empty")), TaskContext.silent()));
            assertTrue(e.getMessage().contains("koniq10k_scores_and_distributions.csv"), e.getMessage());
            IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> DatasetImporter.importDataset(
                    store, ImportRequest.of("k", "live-iqa", dir.resolve("empty")), TaskContext.silent()));
            assertTrue(e2.getMessage().contains("unknown layout 'live-iqa'"), e2.getMessage());
            Path csv = Fixtures.text(dir.resolve("x.csv"), "file,score\na.png,1\n");
            IOException e3 = assertThrows(IOException.class, () -> DatasetImporter.importDataset(store,
                    ImportRequest.of("x", "csv", csv), TaskContext.silent()));
            assertTrue(e3.getMessage().contains("x.csv: missing column 'image'"), e3.getMessage());
            IOException e4 = assertThrows(IOException.class, () -> Datasets.images(store, "nope", null));
            assertTrue(e4.getMessage().contains("no dataset named 'nope'"), e4.getMessage());
            assertEquals(0, count(store, "SELECT COUNT(*) FROM datasets WHERE name = 'k'"));
        }
    }

    @Test
    void projectWrittenByTheVersion1SchemaOpensAndImports() throws Exception {
        // build a project the way a build with only V1 did, without ProjectStore
        Path project = dir.resolve("old.rali");
        String v1;
        try (var in = ProjectStore.class.getResourceAsStream("V1__initial.sql")) {
            v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + project); Statement s = c.createStatement()) {
            for (String stmt : v1.replaceAll("--[^\n]*", "").split(";")) {
                if (!stmt.isBlank()) {
                    s.execute(stmt);
                }
            }
            s.execute("PRAGMA user_version=1");
            s.execute("INSERT INTO datasets(name, layout, score_min, score_max) VALUES ('legacy', 'csv', 0, 10)");
            s.execute("INSERT INTO images(dataset_id, path, name, content_hash, split) VALUES (1, '/x/a.png', 'a.png', 'h', 'test')");
            s.execute("INSERT INTO mos(image_id, raw, normalised) VALUES (1, 5, 3)");
        }
        try (ProjectStore store = ProjectStore.open(project)) {
            assertEquals(ProjectStore.currentVersion(), store.schemaVersion());
            DatasetSummary legacy = Datasets.get(store, "legacy");
            assertEquals(1, legacy.count());
            assertEquals(Map.of("test", 1), legacy.splits());
            assertEquals(3.0, Datasets.images(store, "legacy", "test").get(0).mos(), 1e-12);
            DatasetImporter.importDataset(store, ImportRequest.of("new", "csv", csvDataset(3)), TaskContext.silent());
            assertEquals(List.of("legacy", "new"), Datasets.list(store).stream().map(DatasetSummary::name).toList());
        }
    }

    @Test
    void showBuildsHistogramOfNormalisedScores() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            DatasetImporter.importDataset(store, ImportRequest.of("d", "csv", csvDataset(5)), TaskContext.silent());
            Datasets.DatasetDetail d = Datasets.show(store, "d", 4); // scores 1,2,3,4,5
            assertEquals(List.of(1, 1, 1, 2), java.util.Arrays.stream(d.histogram()).boxed().toList());
            assertEquals(5.0, d.binEdges()[4], 1e-12);
            String text = d.histogramText(10);
            assertTrue(text.contains("[4.00, 5.00]      2 ##########"), text);
            DatasetSummary s = d.summary();
            assertEquals(1.0, s.normalisedMin(), 1e-12);
            assertEquals(5.0, s.normalisedMax(), 1e-12);
            assertEquals(5, s.labelled());
            assertEquals(42L, s.splitSeed());
            assertEquals(5, Datasets.delete(store, "d"));
            assertEquals(0, count(store, "SELECT COUNT(*) FROM mos"));
            assertTrue(Datasets.list(store).isEmpty());
        }
    }
}
