package dev.rali.engine.dataset;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every layout imports its creators' native files (and pyiqa's meta CSV) from a tiny synthetic copy. */
class DatasetLayoutsTest {
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

    private ImportReport run(ImportRequest req) throws Exception {
        ImportReport r = DatasetImporter.importDataset(store, req, TaskContext.silent());
        assertEquals(0, r.problemCount(), r.format(50));
        return r;
    }

    private Map<String, ImageRow> rows(String dataset) throws Exception {
        return Datasets.images(store, dataset, null).stream().collect(Collectors.toMap(ImageRow::name, r -> r));
    }

    private double raw(long imageId) throws Exception {
        try (var ps = store.connection().prepareStatement("SELECT raw FROM mos WHERE image_id = ?")) {
            ps.setLong(1, imageId);
            var rs = ps.executeQuery();
            rs.next();
            return rs.getDouble(1);
        }
    }

    private Double std(long imageId) throws Exception {
        try (var ps = store.connection().prepareStatement("SELECT std FROM mos WHERE image_id = ?")) {
            ps.setLong(1, imageId);
            var rs = ps.executeQuery();
            rs.next();
            double v = rs.getDouble(1);
            return rs.wasNull() ? null : v;
        }
    }

    @Test
    void koniqNativeUsesMosAndOfficialSets() throws Exception {
        Path root = dir.resolve("koniq10k");
        StringBuilder scores = new StringBuilder("image_name,c1,c2,c3,c4,c5,c_total,MOS,SD,MOS_zscore\n");
        StringBuilder sets = new StringBuilder("image_name,set\n");
        String[] set = {"training", "training", "validation", "test"};
        for (int i = 0; i < 4; i++) {
            Fixtures.image(root.resolve("1024x768/" + (1000 + i) + ".jpg"), i);
            scores.append(1000 + i).append(".jpg,1,2,3,4,5,15,").append(1 + i).append(",0.").append(i + 1).append(",")
                    .append(25 * i).append('\n');
            sets.append(1000 + i).append(".jpg,").append(set[i]).append('\n');
        }
        Fixtures.text(root.resolve("koniq10k_scores_and_distributions.csv"), scores.toString());
        Fixtures.text(root.resolve("koniq10k_distributions_sets.csv"), sets.toString());
        ImportReport r = run(ImportRequest.of("koniq", "koniq", root));
        assertEquals(4, r.imported);
        assertNull(r.splitSeed);
        assertEquals(Map.of("train", 2, "val", 1, "test", 1), r.splitCounts);
        Map<String, ImageRow> rows = rows("koniq");
        assertEquals(3.0, rows.get("1002.jpg").mos(), 1e-12); // 1-5 scale: normalised == raw
        assertEquals(0.3, std(rows.get("1002.jpg").id()), 1e-12);
        assertEquals(4, Datasets.get(store, "koniq").count());
        // MOS_zscore as the score column: 0-100 scale, no std
        ImportReport z = run(ImportRequest.of("koniq-z", "koniq", root).withColumns(Map.of("score", "MOS_zscore")));
        assertEquals(4, z.imported);
        assertEquals(1 + 4 * 0.75, rows("koniq-z").get("1003.jpg").mos(), 1e-12);
    }

    @Test
    void koniqPyiqaMetaCsvUsesZscoreScaleAndSplitCodes() throws Exception {
        Path root = dir.resolve("k");
        Fixtures.image(root.resolve("1024x768/a.jpg"), 1);
        Fixtures.image(root.resolve("1024x768/b.jpg"), 2);
        Fixtures.text(root.resolve("meta_info_KonIQ10kDataset.csv"),
                "img_name,mos,std,split,c1,c2,c3,c4,c5,c_total\na.jpg,80,1.0,0,1,1,1,1,1,5\nb.jpg,20,2.0,2,1,1,1,1,1,5\n");
        run(ImportRequest.of("k", "koniq", root));
        Map<String, ImageRow> rows = rows("k");
        assertEquals(4.2, rows.get("a.jpg").mos(), 1e-12);
        assertEquals("train", rows.get("a.jpg").split());
        assertEquals("test", rows.get("b.jpg").split());
    }

    @Test
    void spaqXlsxWithSeededSplit() throws Exception {
        Path root = dir.resolve("SPAQ");
        List<List<Object>> sheet = new ArrayList<>();
        sheet.add(List.of("Image name", "MOS", "Brightness", "Colorfulness", "Contrast", "Noisiness", "Sharpness"));
        for (int i = 1; i <= 10; i++) {
            Fixtures.image(root.resolve("TestImage/" + String.format("%05d.png", i)), i);
            sheet.add(List.of(String.format("%05d.png", i), 10.0 * i - 5, 50, 50, 50, 50, 50));
        }
        Fixtures.xlsx(root.resolve("Annotations/MOS and Image attribute scores.xlsx"), Map.of("Sheet1", sheet));
        ImportReport r = run(ImportRequest.of("spaq", "spaq", root).withSplitSeed(7L));
        assertEquals(10, r.imported);
        assertEquals(7L, r.splitSeed);
        assertEquals(Map.of("train", 8, "test", 2), r.splitCounts);
        assertEquals(1 + 4 * 0.95, rows("spaq").get("00010.png").mos(), 1e-12);
        assertEquals(7L, Datasets.get(store, "spaq").splitSeed());
        // same seed -> same split in another dataset; the split is a function of the seed and the names only
        run(ImportRequest.of("spaq2", "spaq", root).withSplitSeed(7L));
        Map<String, ImageRow> a = rows("spaq");
        rows("spaq2").forEach((n, row) -> assertEquals(a.get(n).split(), row.split(), n));
    }

    @Test
    void liveChallengeMatFilesAndFirstSevenInTrain() throws Exception {
        Path root = dir.resolve("ChallengeDB_release");
        List<String> names = new ArrayList<>();
        double[] mos = new double[12];
        for (int i = 0; i < 12; i++) {
            String n = i < 7 ? "t" + (i + 1) + ".bmp" : (100 + i) + ".JPG";
            names.add(n);
            mos[i] = 5 + 7.5 * i;
            Fixtures.image(root.resolve("Images/" + n), i);
        }
        Fixtures.matDoubles(root.resolve("Data/AllMOS_release.mat"), "AllMOS_release", mos, true);
        Fixtures.matStrings(root.resolve("Data/AllImages_release.mat"), "AllImages_release", names, true);
        ImportReport r = run(ImportRequest.of("livec", "livec", root));
        assertEquals(12, r.imported);
        Map<String, ImageRow> rows = rows("livec");
        for (int i = 0; i < 7; i++) {
            assertEquals("train", rows.get(names.get(i)).split(), names.get(i));
        }
        assertEquals(1 + 4 * 0.05, rows.get("t1.bmp").mos(), 1e-12);
        assertEquals(mos[11], raw(rows.get(names.get(11)).id()), 1e-12);
        assertEquals(1, rows.values().stream().filter(x -> x.split().equals("test")).count()); // 20% of the other 5
    }

    @Test
    void livecPyiqaCsv() throws Exception {
        Path root = dir.resolve("lc");
        Fixtures.image(root.resolve("Images/1.bmp"), 1);
        Fixtures.image(root.resolve("Images/2.bmp"), 2);
        Fixtures.text(root.resolve("meta_info_LIVEChallengeDataset.csv"), "img_name,mos,std\n1.bmp,50,10\n2.bmp,100,12\n");
        run(ImportRequest.of("lc", "livec", root));
        assertEquals(3.0, rows("lc").get("1.bmp").mos(), 1e-12);
    }

    @Test
    void kadidSplitsByReferenceAndStoresReferenceAndDistortion() throws Exception {
        Path root = dir.resolve("kadid10k");
        StringBuilder csv = new StringBuilder("dist_img,ref_img,dmos,var\n");
        int seed = 0;
        for (int ref = 1; ref <= 5; ref++) {
            for (int d = 1; d <= 2; d++) {
                for (int lev = 1; lev <= 2; lev++) {
                    String n = String.format("I%02d_%02d_%02d.png", ref, d, lev);
                    Fixtures.image(root.resolve("images/" + n), seed++);
                    csv.append(n).append(',').append(String.format("I%02d.png", ref)).append(',')
                            .append(1 + 0.2 * seed).append(",0.25\n");
                }
            }
        }
        Fixtures.text(root.resolve("dmos.csv"), csv.toString());
        ImportReport r = run(ImportRequest.of("kadid", "kadid", root));
        assertEquals(20, r.imported);
        Map<String, ImageRow> rows = rows("kadid");
        ImageRow one = rows.get("I03_02_01.png");
        assertEquals("I03", one.reference());
        assertEquals("02_01", one.distortion());
        assertEquals(0.5, std(one.id()), 1e-12); // sqrt(var)
        Map<String, String> refSplit = new HashMap<>();
        for (ImageRow row : rows.values()) {
            String prev = refSplit.putIfAbsent(row.reference(), row.split());
            assertTrue(prev == null || prev.equals(row.split()), "reference " + row.reference() + " spans splits");
        }
        assertEquals(Map.of("train", 16, "test", 4), r.splitCounts); // 4 of 5 references in train
        // "dmos" of KADID is higher-better on 1..5
        assertEquals(1 + 0.2 * 20, raw(rows.get("I05_02_02.png").id()), 1e-12);
        assertEquals(1 + 0.2 * 20, rows.get("I05_02_02.png").mos(), 1e-12);
    }

    @Test
    void csiqXlsxIsLowerBetterAndMapsTypesToFiles() throws Exception {
        Path root = dir.resolve("CSIQ");
        List<List<Object>> sheet = new ArrayList<>();
        sheet.add(List.of("CSIQ DMOS, all images")); // a title row above the header, as in the real file
        sheet.add(List.of("image", "dst_idx", "dst_type", "dst_lev", "dmos_std", "dmos"));
        String[][] types = {{"noise", "awgn", "AWGN"}, {"jpeg 2000", "jpeg2000", "jpeg2000"}, {"blur", "blur", "BLUR"}};
        int seed = 0;
        for (String ref : List.of("1600", "bridge")) {
            for (int t = 0; t < types.length; t++) {
                for (int lev = 1; lev <= 2; lev++) {
                    Fixtures.image(root.resolve("dst_imgs/" + types[t][1] + "/" + ref + "." + types[t][2] + "." + lev + ".png"), seed++);
                    sheet.add(Arrays.asList(ref.equals("1600") ? (Object) 1600 : ref, t + 1, types[t][0], lev, 0.05, 0.08 * seed));
                }
            }
        }
        Fixtures.xlsx(root.resolve("csiq.DMOS.xlsx"), Map.of("note", List.of(List.of("x")), "all_by_image", sheet));
        ImportReport r = run(ImportRequest.of("csiq", "csiq", root));
        assertEquals(12, r.imported);
        assertTrue(r.scale.lowerIsBetter());
        Map<String, ImageRow> rows = rows("csiq");
        ImageRow first = rows.get("dst_imgs/awgn/1600.AWGN.1.png");
        assertEquals(5 - 4 * 0.08, first.mos(), 1e-12); // dmos 0.08, lower better
        assertEquals(Map.of("train", 6, "test", 6), r.splitCounts); // one reference each
        assertEquals("1600", first.reference());
        assertEquals("awgn_1", first.distortion());
        assertEquals("jpeg2000_2", rows.get("dst_imgs/jpeg2000/bridge.jpeg2000.2.png").distortion());
    }

    @Test
    void tid2013MatchesFileNamesCaseInsensitively() throws Exception {
        Path root = dir.resolve("tid2013");
        StringBuilder mos = new StringBuilder();
        StringBuilder std = new StringBuilder();
        int seed = 0;
        for (int ref = 1; ref <= 3; ref++) {
            for (int d = 1; d <= 2; d++) {
                String disk = String.format("I%02d_%02d_1.BMP", ref, d); // upper case on disk
                Fixtures.image(root.resolve("distorted_images/" + disk), seed++);
                mos.append(String.format(java.util.Locale.ROOT, "%.5f i%02d_%02d_1.bmp%n", 1.5 * seed, ref, d));
                std.append(0.1 * seed).append('\n');
            }
        }
        Fixtures.text(root.resolve("mos_with_names.txt"), mos.toString());
        Fixtures.text(root.resolve("mos_std.txt"), std.toString());
        ImportReport r = run(ImportRequest.of("tid", "tid2013", root));
        assertEquals(6, r.imported);
        ImageRow row = rows("tid").get("i02_01_1.bmp");
        assertEquals("I02", row.reference());
        assertEquals("01_1", row.distortion());
        assertTrue(row.path().getFileName().toString().equals("I02_01_1.BMP"));
        assertEquals(1 + 4 * 4.5 / 9, row.mos(), 1e-12);
        assertEquals(0.3, std(row.id()), 1e-9);
    }

    @Test
    void pipalLabelFoldersGiveOfficialSplitAndObservedEloRange() throws Exception {
        Path root = dir.resolve("PIPAL");
        int seed = 0;
        for (String[] spec : new String[][] {{"Train_Label", "A0001"}, {"Train_Label", "A0002"}, {"Val_Label", "A0003"}}) {
            StringBuilder lab = new StringBuilder();
            for (int d = 0; d < 3; d++) {
                String n = spec[1] + "_0" + d + "_0" + d + ".bmp";
                Fixtures.image(root.resolve("Distortion_" + (d + 1) + "/" + n), seed++);
                lab.append(n).append(',').append(1000 + 100 * seed).append('\n');
            }
            Fixtures.text(root.resolve(spec[0] + "/" + spec[1] + ".txt"), lab.toString());
        }
        ImportReport r = run(ImportRequest.of("pipal", "pipal", root));
        assertEquals(9, r.imported);
        assertEquals(Map.of("train", 6, "val", 3), r.splitCounts);
        assertEquals(1100, r.scale.lo(), 1e-12);
        assertEquals(1900, r.scale.hi(), 1e-12);
        Map<String, ImageRow> rows = rows("pipal");
        assertEquals(1.0, rows.get("A0001_00_00.bmp").mos(), 1e-12);
        assertEquals(5.0, rows.get("A0003_02_02.bmp").mos(), 1e-12);
        assertEquals("A0002", rows.get("A0002_01_01.bmp").reference());
        assertEquals("01_01", rows.get("A0002_01_01.bmp").distortion());
        assertTrue(r.notes.stream().anyMatch(n -> n.contains("no test labels")), r.notes.toString());
    }

    @Test
    void agiqaQualityOrAlignment() throws Exception {
        Path root = dir.resolve("agiqa");
        Fixtures.image(root.resolve("AGIQA-3K/a.png"), 1);
        Fixtures.image(root.resolve("AGIQA-3K/b.png"), 2);
        Fixtures.text(root.resolve("data.csv"), "name,prompt,adj1,adj2,style,mos_quality,std_quality,mos_align,std_align\n"
                + "a.png,\"a cat, sitting\",x,y,z,2.5,0.5,5,0.1\nb.png,dog,x,y,z,5,0.2,0,0.3\n");
        run(ImportRequest.of("ag", "agiqa", root));
        assertEquals(3.0, rows("ag").get("a.png").mos(), 1e-12);
        run(ImportRequest.of("ag-align", "agiqa", root).withColumns(Map.of("score", "mos_align")));
        assertEquals(5.0, rows("ag-align").get("a.png").mos(), 1e-12);
        assertEquals(0.1, std(rows("ag-align").get("a.png").id()), 1e-12);
    }

    @Test
    void deqaJsonUsesGtScoreNormWhenPresent() throws Exception {
        Path root = dir.resolve("deqa");
        Fixtures.image(root.resolve("imgs/koniq/1.jpg"), 1);
        Fixtures.image(root.resolve("imgs/koniq/2.jpg"), 2);
        Path json = Fixtures.text(root.resolve("meta/test_koniq.json"), "[{\"id\":\"1\",\"image\":\"koniq/1.jpg\","
                + "\"gt_score\":80.0,\"gt_score_norm\":4.2,\"std\":0.3},{\"id\":\"2\",\"image\":\"koniq/2.jpg\",\"gt_score\":2.5}]");
        ImportReport r = run(ImportRequest.of("deqa", "deqa", json).withImageRoot(root.resolve("imgs")));
        assertEquals(2, r.imported);
        Map<String, ImageRow> rows = rows("deqa");
        assertEquals(4.2, rows.get("koniq/1.jpg").mos(), 1e-12);
        assertEquals(80.0, raw(rows.get("koniq/1.jpg").id()), 1e-12);
        assertEquals(2.5, rows.get("koniq/2.jpg").mos(), 1e-12);
    }

    @Test
    void genericCsvWithColumnMappingRangeAndDirection() throws Exception {
        Path root = dir.resolve("mine");
        Fixtures.image(root.resolve("pics/x.png"), 1);
        Fixtures.image(root.resolve("pics/y.png"), 2);
        Path csv = Fixtures.text(root.resolve("labels.csv"), "file,badness,set\npics/x.png,0,train\npics/y.png,10,test\n");
        ImportRequest req = ImportRequest.of("mine", "csv", csv)
                .withColumns(Map.of("image", "file", "score", "badness", "split", "set"))
                .withScale(new MosScale(0, 10, true));
        ImportReport r = run(req);
        assertNull(r.splitSeed);
        Map<String, ImageRow> rows = rows("mine");
        assertEquals(5.0, rows.get("pics/x.png").mos(), 1e-12);
        assertEquals(1.0, rows.get("pics/y.png").mos(), 1e-12);
        assertEquals("test", rows.get("pics/y.png").split());
    }

    @Test
    void folderImportsUnlabelledImages() throws Exception {
        Path root = dir.resolve("photos");
        Fixtures.image(root.resolve("a.png"), 1);
        Fixtures.image(root.resolve("sub/b.jpg"), 2);
        Fixtures.text(root.resolve("readme.txt"), "not an image");
        ImportReport r = run(ImportRequest.of("photos", "folder", root));
        assertEquals(2, r.imported);
        // an unlabelled folder has no published split: the report must not call its "all" split official
        String text = r.format(5);
        assertTrue(text.contains("split:            none (unlabelled, for scoring only) {all=2}"), text);
        assertFalse(text.contains("official"), text);
        List<ImageRow> all = Datasets.images(store, "photos", null);
        assertEquals(List.of("a.png", "sub/b.jpg"), all.stream().map(ImageRow::name).toList());
        assertNull(all.get(0).mos());
        assertEquals("all", all.get(0).split());
        DatasetSummary s = Datasets.get(store, "photos");
        assertEquals(0, s.labelled());
        assertNull(s.rawMin());
        try (var ps = store.connection().prepareStatement("SELECT width, height FROM images WHERE name = 'a.png'")) {
            var rs = ps.executeQuery();
            rs.next();
            assertEquals(6, rs.getInt(1));
            assertEquals(5, rs.getInt(2));
        }
    }
}
