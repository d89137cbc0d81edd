package dev.rali.engine.dataset;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dataset importer on the hostile corpus (src/test/resources/hostile/): refused clearly, nothing left behind. */
class HostileDatasetInputTest {
    @TempDir
    Path dir;
    ProjectStore store;

    @BeforeEach
    void open() throws Exception {
        store = ProjectStore.open(dir.resolve("p.rali"));
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    /** The corpus file copied next to five images a.png .. e.png. */
    private Path corpus(String name) throws IOException {
        Path target = dir.resolve("data").resolve(name);
        Files.createDirectories(target.getParent());
        try (InputStream in = getClass().getResourceAsStream("/hostile/" + name)) {
            Files.copy(in, target);
        }
        for (int i = 0; i < 5; i++) {
            Path img = target.resolveSibling((char) ('a' + i) + ".png");
            if (!Files.exists(img)) {
                Fixtures.image(img, i);
            }
        }
        return target;
    }

    private ImportReport run(ImportRequest req) throws Exception {
        return DatasetImporter.importDataset(store, req, TaskContext.silent());
    }

    private int datasets() throws Exception {
        try (var s = store.connection().createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM datasets")) {
            return rs.getInt(1);
        }
    }

    @Test
    void anExtremeScoreIsAnErrorByRowNotANewObservedRange() throws Exception {
        Path csv = corpus("outlier-score.csv");
        IOException e = assertThrows(IOException.class, () -> run(ImportRequest.of("o", "csv", csv)));
        assertTrue(e.getMessage().contains("outlier-score.csv:6: e.png: 1.0E308"), e.getMessage());
        assertTrue(e.getMessage().contains("--range"), e.getMessage());
        assertEquals(0, datasets());

        // with an explicit range the row is rejected and the others keep their place on [1, 5]
        ImportReport r = run(ImportRequest.of("o", "csv", csv).withScale(new MosScale(1, 5, false)));
        assertEquals(4, r.imported);
        assertEquals(1, r.badScores.size(), r.format(10));
        assertTrue(r.badScores.get(0).startsWith("outlier-score.csv:6: e.png: score 1.0E308 outside"), r.badScores.toString());
        Map<String, Double> mos = Datasets.images(store, "o", null).stream()
                .collect(Collectors.toMap(ImageRow::name, ImageRow::mos));
        assertEquals(Map.of("a.png", 1.0, "b.png", 2.0, "c.png", 3.0, "d.png", 4.0), mos);
    }

    @Test
    void aMappedColumnThatDoesNotExistOrAnUnknownKeyIsAnError() throws Exception {
        Path csv = corpus("split-column.csv");
        IOException e = assertThrows(IOException.class,
                () -> run(ImportRequest.of("s", "csv", csv).withColumns(Map.of("split", "nosuchcol"))));
        assertTrue(e.getMessage().contains("split-column.csv: missing column 'nosuchcol'"), e.getMessage());
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> run(ImportRequest.of("s", "csv", csv).withColumns(Map.of("spilt", "set"))));
        assertTrue(k.getMessage().contains("--columns spilt=set: the csv layout knows only distortion, image, "
                + "reference, score, split, std"), k.getMessage());
        IllegalArgumentException kq = assertThrows(IllegalArgumentException.class,
                () -> run(ImportRequest.of("s", "kadid", csv).withColumns(Map.of("score", "x"))));
        assertTrue(kq.getMessage().contains("the kadid layout takes no column names"), kq.getMessage());
        assertEquals(0, datasets());

        ImportReport ok = run(ImportRequest.of("s", "csv", csv).withColumns(Map.of("split", "set")));
        assertEquals(Map.of("test", 1, "train", 2), ok.splitCounts);
    }

    @Test
    void pathsLeavingTheDatasetFolderAreRefusedAndNeverRead() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Fixtures.image(data.resolve("ok.png"), 1);
        Fixtures.image(dir.resolve("outside.png"), 2);
        Path secret = Fixtures.text(dir.resolve("secret.png"), "TOPSECRET password");
        Path csv = Fixtures.text(data.resolve("m.csv"), "image,score\nok.png,3\n../outside.png,2\n"
                + secret.toAbsolutePath() + ",4\n");
        ImportReport r = run(ImportRequest.of("x", "csv", csv).withScale(new MosScale(1, 5, false)));
        assertEquals(1, r.imported);
        assertEquals(2, r.outsideRoot.size(), r.format(10));
        assertTrue(r.outsideRoot.get(0).startsWith("m.csv:3: ../outside.png: leads outside "), r.outsideRoot.toString());
        assertTrue(r.outsideRoot.get(0).endsWith("refused (--allow-outside-root to import it)"), r.outsideRoot.toString());
        assertTrue(r.format(10).contains("paths outside the dataset folder (2, skipped)"), r.format(10));

        // explicitly allowed: the outside image is imported; the text file is unreadable, and its bytes never shown
        ImportReport allowed = run(ImportRequest.of("y", "csv", csv).withScale(new MosScale(1, 5, false))
                .withAllowOutsideRoot(true));
        assertEquals(2, allowed.imported);
        assertEquals(1, allowed.unreadableImages.size(), allowed.format(10));
        String msg = allowed.unreadableImages.get(0);
        assertTrue(msg.contains("unsupported or unrecognised image format"), msg);
        assertFalse(msg.contains("TOPSECRET") || msg.contains("544f50") || msg.contains("first bytes"), msg);
    }

    @Test
    void anUnterminatedQuoteNamesTheFileAndRowNotTheScoreRange() throws Exception {
        Path csv = corpus("unterminated-quote.csv");
        IOException e = assertThrows(IOException.class, () -> run(ImportRequest.of("u", "csv", csv)));
        assertEquals(csv.toAbsolutePath().normalize()
                + ": unterminated quote starting at row 3 (the quoted field runs to the end of the file)", e.getMessage());
        assertEquals(0, datasets());
    }

    @Test
    void aHeaderOnlyFileOrOneWhoseRowsAllFailLeavesNoDatasetBehind() throws Exception {
        Path header = corpus("header-only.csv");
        IOException e = assertThrows(IOException.class, () -> run(ImportRequest.of("h", "csv", header)));
        assertTrue(e.getMessage().contains("header-only.csv: no data rows"), e.getMessage());
        assertEquals(0, datasets());

        ImportReport r = run(ImportRequest.of("m", "csv", corpus("all-rows-missing.csv")));
        assertEquals(0, r.imported);
        assertEquals(2, r.missingFiles.size());
        assertTrue(r.notes.contains("nothing imported: dataset 'm' not created"), r.notes.toString());
        assertEquals(0, datasets());
        try (var s = store.connection().createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM images")) {
            assertEquals(0, rs.getInt(1));
        }
    }

    @Test
    void anImageNameThatCannotBeAPathIsAMissingFileNotACrash() throws Exception {
        ImportReport r = run(ImportRequest.of("n", "deqa", corpus("deqa-nul-name.json")));
        assertEquals(2, r.imported);
        assertEquals(1, r.missingFiles.size(), r.format(10));
        assertTrue(r.missingFiles.get(0).startsWith("deqa-nul-name.json[0]: "), r.missingFiles.toString());
    }
}
