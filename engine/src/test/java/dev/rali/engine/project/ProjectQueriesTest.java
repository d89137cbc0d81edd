package dev.rali.engine.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectQueriesTest {

    @TempDir Path dir;
    ProjectStore store;
    ProjectQueries q;

    @BeforeEach
    void fill() throws Exception {
        store = ProjectStore.open(dir.resolve("t.rali"));
        q = new ProjectQueries(store);
        try (Statement s = store.connection().createStatement()) {
            s.execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'koniq', 'koniq'), (2, 'empty', 'folder')");
            // koniq: 4 images, 3 labelled; a.png train 2.0, b.png train 4.5, c.png test 3.0, d.png test unlabelled
            s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split) VALUES "
                    + "(10, 1, '/x/a.png', 'a.png', 'h1', 'train'), (11, 1, '/x/b.png', 'b.png', 'h2', 'train'), "
                    + "(12, 1, '/x/c.png', 'c.png', 'h3', 'test'), (13, 1, '/x/d.png', 'd.png', 'h4', 'test')");
            s.execute("INSERT INTO mos(image_id, raw, normalised, std) VALUES (10, 25, 2.0, 0.3), (11, 87.5, 4.5, 0.2), "
                    + "(12, 50, 3.0, NULL)");
            // a.png: seeds 0,1 agree and are close to MOS; b.png: seed 0 far from MOS, seeds disagree (1.0 vs 4.6);
            // c.png: one unparsable trace
            s.execute("INSERT INTO traces(id, image_id, seed, source, raw_text, think, answer, score, parse_status) VALUES "
                    + "(100, 10, 0, 'm', 'r', 't', '2', 2.1, 'ok'), (101, 10, 1, 'm', 'r', 't', '2', 1.9, 'ok'), "
                    + "(102, 11, 0, 'm', 'r', 't', '1', 1.0, 'ok'), (103, 11, 1, 'm', 'r', 't', '4.6', 4.6, 'ok'), "
                    + "(104, 12, 0, 'm', 'garbage', NULL, NULL, NULL, 'no_answer')");
            s.execute("INSERT INTO runs(id, stage, params_json, code_version, status) VALUES "
                    + "(1, 'bases', '{\"k\":7}', 'v', 'done'), (2, 'evaluate', '{}', 'v', 'done')");
            s.execute("INSERT INTO run_metrics(run_id, step, name, value) VALUES (1, 2, 'loss', 0.5), (1, 1, 'loss', 0.9), "
                    + "(1, 1, 'acc', 0.1)");
            s.execute("INSERT INTO predictions(run_id, image_id, score) VALUES (2, 10, 2.2), (2, 11, 4.0), (2, 13, 3.3)");
        }
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    @Test
    void imagesPageFiltersBySplitAndMos() throws Exception {
        assertEquals(4, q.countImages(1, ProjectQueries.ImageFilter.ALL));
        List<ProjectQueries.ImageItem> page = q.images(1, ProjectQueries.ImageFilter.ALL, 2, 1);
        assertEquals(List.of("b.png", "c.png"), page.stream().map(ProjectQueries.ImageItem::name).toList());
        assertEquals(4.5, page.get(0).mos());
        assertEquals(Path.of("/x/b.png"), page.get(0).path());

        var train = new ProjectQueries.ImageFilter("train", null, null);
        assertEquals(2, q.countImages(1, train));
        var mid = new ProjectQueries.ImageFilter(null, 2.5, 4.0);
        assertEquals(List.of("c.png"), q.images(1, mid, 10, 0).stream().map(ProjectQueries.ImageItem::name).toList());
        assertEquals(1, q.countImages(1, mid));
        assertThrows(IllegalArgumentException.class, () -> q.images(1, null, -1, 0));
    }

    /** Distortions as the importers store them ("type_level"), with the corner cases of the last-'_' rule. */
    private static final String[] DISTORTIONS = {"gaussian_blur_3", "gaussian_blur_5", "jpeg_3", "JPEG_3", "01_03",
            null, "contrast", "_7", "a_b_c", "blur_", "gaussian_blur"};

    private long fieldsDataset() throws Exception {
        try (Statement s = store.connection().createStatement()) {
            s.execute("INSERT INTO datasets(id, name, layout) VALUES (3, 'synthetic', 'csv')");
            for (int i = 0; i < DISTORTIONS.length; i++) {
                String d = DISTORTIONS[i] == null ? "NULL" : "'" + DISTORTIONS[i] + "'";
                String ref = i % 3 == 0 ? "NULL" : "'ref" + (i % 2) + "'";
                s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split, reference, distortion) "
                        + "VALUES (" + (200 + i) + ", 3, '/s/" + i + ".png', 'img" + i + ".png', 'h', '"
                        + (i < 4 ? "train" : "test") + "', " + ref + ", " + d + ")");
                s.execute("INSERT INTO mos(image_id, raw, normalised) VALUES (" + (200 + i) + ", " + i + ", " + (1 + i * 0.3) + ")");
            }
        }
        return 3;
    }

    @Test
    void fieldsSplitDistortionsIntoTypeAndLevelAtTheLastUnderscore() {
        assertEquals("gaussian_blur", ProjectQueries.distortionType("gaussian_blur_3"));
        assertEquals("3", ProjectQueries.distortionLevel("gaussian_blur_3"));
        assertEquals("01", ProjectQueries.distortionType("01_03"));
        assertEquals("03", ProjectQueries.distortionLevel("01_03"));
        assertEquals("contrast", ProjectQueries.distortionType("contrast"));
        assertEquals(ProjectQueries.NONE, ProjectQueries.distortionLevel("contrast"));
        assertEquals("_7", ProjectQueries.distortionType("_7"));
        assertEquals(ProjectQueries.NONE, ProjectQueries.distortionLevel("_7"));
        assertEquals("blur", ProjectQueries.distortionType("blur_"));
        assertEquals(ProjectQueries.NONE, ProjectQueries.distortionLevel("blur_"));
        assertEquals(ProjectQueries.NONE, ProjectQueries.distortionType(null));
    }

    @Test
    void imageFieldsCountEveryValueAndLeaveOutFieldsNoImageHas() throws Exception {
        long ds = fieldsDataset();
        var fields = q.imageFields(ds);
        assertEquals(ProjectQueries.FIELDS, fields.stream().map(ProjectQueries.ImageField::name).toList());
        var levels = fields.get(2).values();
        // "gaussian_blur" alone reads as type "gaussian", level "blur": the last '_' decides, as for KADID's "01_03"
        assertEquals(List.of("", "03", "3", "5", "blur", "c"), levels.stream().map(ProjectQueries.FieldValue::value)
                .toList(), "none first, numbers numerically, then text");
        assertEquals(List.of(4, 1, 3, 1, 1, 1), levels.stream().map(ProjectQueries.FieldValue::count).toList());
        var split = fields.get(0).values();
        assertEquals(List.of(new ProjectQueries.FieldValue("test", 7), new ProjectQueries.FieldValue("train", 4)), split);
        // koniq has no distortion or reference: only its split is a field
        assertEquals(List.of(ProjectQueries.FIELD_SPLIT),
                q.imageFields(1).stream().map(ProjectQueries.ImageField::name).toList());
    }

    @Test
    void filteringByAFieldValueSelectsExactlyTheImagesWithThatValue() throws Exception {
        long ds = fieldsDataset();
        List<ProjectQueries.ImageItem> all = q.images(ds, ProjectQueries.ImageFilter.ALL, 100, 0);
        for (var field : q.imageFields(ds)) {
            for (var value : field.values()) {
                var f = new ProjectQueries.ImageFilter(null, null, null, Map.of(field.name(), java.util.Set.of(value.value())));
                List<String> sql = q.images(ds, f, 100, 0).stream().map(ProjectQueries.ImageItem::name).toList();
                List<String> java = all.stream().filter(i -> ProjectQueries.fieldValue(i, field.name()).equals(value.value()))
                        .map(ProjectQueries.ImageItem::name).toList();
                assertEquals(java, sql, field.name() + " = '" + value.value() + "'");
                assertEquals(value.count(), sql.size(), field.name() + " = '" + value.value() + "'");
            }
        }
        // two values of one field: either; two fields: both; with split and MOS range as before
        var f = new ProjectQueries.ImageFilter("train", null, 1.5, Map.of(ProjectQueries.FIELD_LEVEL,
                java.util.Set.of("3", "5"), ProjectQueries.FIELD_TYPE, java.util.Set.of("gaussian_blur", "jpeg")));
        assertEquals(List.of("img0.png", "img1.png"), q.images(ds, f, 100, 0).stream().map(ProjectQueries.ImageItem::name).toList());
        assertEquals(2, q.countImages(ds, f));
        assertEquals(3, q.mosHistogram(ds, f).length, "the histogram ignores the MOS range, not the fields (JPEG_3 "
                + "is another type than jpeg)");
        assertThrows(IllegalArgumentException.class, () -> new ProjectQueries.ImageFilter(null, null, null,
                Map.of("colour", java.util.Set.of("red"))));
    }

    @Test
    void mosValuesForHistogram() throws Exception {
        assertEquals(3, q.mosValues(1, null).length);
        assertEquals(1, q.mosValues(1, "test").length);
        assertEquals(3.0, q.mosValues(1, "test")[0]);
    }

    @Test
    void imageDetailHasMosAndTracesInSeedOrder() throws Exception {
        var d = q.image(11).orElseThrow();
        assertEquals("koniq", d.datasetName());
        assertEquals(87.5, d.image().mosRaw());
        assertEquals(0.2, d.image().mosStd());
        assertEquals(List.of(0L, 1L), d.traces().stream().map(ProjectQueries.TraceItem::seed).toList());
        assertTrue(q.image(999).isEmpty());
    }

    @Test
    void runsMetricsAndPredictions() throws Exception {
        Runs runs = q.runs();
        assertEquals(List.of(2L, 1L), runs.list().stream().map(Runs.RunItem::id).toList());
        assertEquals(List.of(2L), runs.recent(1).stream().map(Runs.RunItem::id).toList());
        assertEquals("{\"k\":7}", runs.find(1).orElseThrow().paramsJson());
        assertTrue(runs.find(3).isEmpty());
        var missing = assertThrows(IllegalArgumentException.class, () -> runs.get(3));
        assertTrue(missing.getMessage().contains("no run 3"), missing.getMessage());
        Map<String, List<Runs.MetricPoint>> m = runs.metrics(1);
        assertEquals(List.of("acc", "loss"), List.copyOf(m.keySet()));
        assertEquals(List.of(new Runs.MetricPoint(1, 0.9), new Runs.MetricPoint(2, 0.5)), m.get("loss"));
        assertEquals(List.of(2L), runs.withPredictions().stream().map(Runs.RunItem::id).toList());
        var p = runs.predictions(2);
        // d.png has a prediction but no MOS: left out
        assertEquals(2, p.get("koniq").size());
        assertEquals(new Runs.Prediction(10, "a.png", "train", 2.2, 2.0), p.get("koniq").get(0));
    }

    @Test
    void flagsParseFailuresFarFromMosAndSeedDisagreement() throws Exception {
        var items = q.auditItems(null, ProjectQueries.FlagCriteria.DEFAULT, false);
        assertEquals(5, items.size());
        assertEquals(List.of(), items.get(0).flags());
        assertEquals(List.of(), items.get(1).flags());
        assertEquals(0.1, items.get(0).seedStd(), 1e-9);
        assertEquals(List.of(ProjectQueries.FLAG_MOS, ProjectQueries.FLAG_SEEDS), items.get(2).flags());
        assertEquals(List.of(ProjectQueries.FLAG_SEEDS), items.get(3).flags());
        assertEquals(1.8, items.get(3).seedStd(), 1e-9);
        assertEquals(List.of(ProjectQueries.FLAG_PARSE), items.get(4).flags());

        var flagged = q.auditItems(1L, ProjectQueries.FlagCriteria.DEFAULT, true);
        assertEquals(List.of(102L, 103L, 104L), flagged.stream().map(a -> a.trace().id()).toList());
        // a looser threshold unflags seed disagreement and MOS distance
        var loose = q.auditItems(1L, new ProjectQueries.FlagCriteria(5, 5), true);
        assertEquals(List.of(104L), loose.stream().map(a -> a.trace().id()).toList());
    }

    @Test
    void verdictUpsertAndCsvExport() throws Exception {
        q.setVerdict(104, "wrong", "no answer tag, says \"bad\", really");
        q.setVerdict(104, "unsure", "second look, \"bad\"");
        q.setVerdict(100, "ok", "  ");
        var t = q.traces(12).get(0);
        assertEquals("unsure", t.verdict());
        assertEquals("second look, \"bad\"", t.note());
        assertEquals(null, q.traces(10).get(0).note());
        assertThrows(IllegalArgumentException.class, () -> q.setVerdict(104, "maybe", null));
        assertThrows(IllegalArgumentException.class, () -> q.setVerdict(999, "ok", null));

        StringWriter w = new StringWriter();
        ProjectQueries.writeAuditCsv(q.auditItems(1L, null, true), w);
        String[] lines = w.toString().split("\n");
        assertEquals("trace_id,dataset,image,source,seed,score,mos,parse_status,flags,verdict,note", lines[0]);
        assertEquals(4, lines.length);
        assertEquals("104,koniq,c.png,m,0,,3.0,no_answer,parse failure,unsure,\"second look, \"\"bad\"\"\"", lines[3]);
    }

    /** A generic CSV's extra columns become sidebar fields (few values) to filter and sort by; a column of scores does not. */
    @Test
    void importedColumnsWithFewValuesAreFieldsToFilterAndSortBy() throws Exception {
        Path data = java.nio.file.Files.createDirectories(dir.resolve("data"));
        StringBuilder csv = new StringBuilder("image,score,content,votes\n");
        for (int k = 0; k < 60; k++) {
            var img = new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, k * 4000); // distinct bytes: the import skips duplicate content
            javax.imageio.ImageIO.write(img, "png", data.resolve("i" + k + ".png").toFile());
            // every third image has no content value; votes are all different (a score-like column)
            csv.append("i").append(k).append(".png,").append(1 + k % 5).append(',')
                    .append(k % 3 == 0 ? "" : k % 3 == 1 ? "portrait" : "landscape").append(',').append(100 + k)
                    .append('\n');
        }
        java.nio.file.Files.writeString(data.resolve("mos.csv"), csv);
        dev.rali.engine.dataset.DatasetImporter.importDataset(store, dev.rali.engine.dataset.ImportRequest.of("mine",
                "csv", data.resolve("mos.csv")), dev.rali.engine.task.TaskContext.silent());
        long ds = dev.rali.engine.dataset.Datasets.list(store).stream().filter(d -> d.name().equals("mine"))
                .findFirst().orElseThrow().id();
        var content = q.imageFields(ds).stream().filter(f -> f.name().equals("column: content")).findFirst()
                .orElseThrow();
        assertEquals(List.of(new ProjectQueries.FieldValue(ProjectQueries.NONE, 20),
                new ProjectQueries.FieldValue("landscape", 20), new ProjectQueries.FieldValue("portrait", 20)),
                content.values());
        assertTrue(q.imageFields(ds).stream().noneMatch(f -> f.name().equals("column: votes")),
                "60 distinct values: a score-like column is not a sidebar field");
        var portrait = new ProjectQueries.ImageFilter(null, null, null, Map.of("column: content",
                java.util.Set.of("portrait")));
        List<ProjectQueries.ImageItem> got = q.images(ds, portrait, 100, 0);
        assertEquals(20, got.size());
        assertTrue(got.stream().allMatch(i -> i.columns().get("content").equals("portrait")));
        assertEquals("101", got.stream().filter(i -> i.name().equals("i1.png")).findFirst().orElseThrow().columns()
                .get("votes"), "every extra column is kept with the image");
        var none = new ProjectQueries.ImageFilter(null, null, null, Map.of("column: content",
                java.util.Set.of(ProjectQueries.NONE)));
        assertEquals(20, q.countImages(ds, none));
        assertEquals("portrait", ProjectQueries.fieldValue(got.get(0), "column: content"));
    }
}
