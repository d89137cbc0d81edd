package dev.rali.engine.sample;

import dev.rali.engine.dataset.Datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleProjectBuilderTest {
    @TempDir
    static Path tmp;
    static Path out;
    static SampleProjectBuilder.Result result;
    static Path photos;

    @BeforeAll
    static void buildSmallProject() throws IOException {
        photos = SampleProjectBuilder.findPhotosDir(Path.of(""));
        out = tmp.resolve("proj");
        // 40-px images and 2 seeds keep the test fast; the layout is the same as the demo's.
        result = SampleProjectBuilder.build(out, SampleProjectBuilder.Options.defaults(photos).withImageSize(40)
                .withSeedsPerImage(2).withScenes(2), TaskContext.silent());
    }

    @Test
    void writesEveryImageOnceWithItsMosAndSplit() throws IOException {
        List<String> mos = Files.readAllLines(out.resolve("mos.csv"));
        assertEquals("image,score,std,split,reference,distortion", mos.get(0));
        assertEquals(result.images(), mos.size() - 1);
        // 6 colour photos × (1 + 12·5) + 6 grey photos × (1 + 10·5) + 2 colour dead-leaves scenes × 61
        assertEquals(6 * 61 + 6 * 51 + 2 * 61, result.images());
        Set<String> names = new HashSet<>();
        for (String line : mos.subList(1, mos.size())) {
            String[] f = line.split(",", -1);
            assertEquals(6, f.length, line);
            assertTrue(names.add(f[0]), "duplicate " + f[0]);
            assertTrue(Files.isRegularFile(out.resolve(f[0])), f[0]);
            double s = Double.parseDouble(f[1]);
            assertTrue(s >= 1 && s <= 5, line);
            assertTrue(Set.of("train", "val", "test").contains(f[3]), line);
        }
        assertEquals(40, ImageOps.read(out.resolve("images/chelsea.png")).width());
    }

    @Test
    void splitsAreByReferencePhoto() throws IOException {
        Map<String, String> splitOf = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("mos.csv")).subList(1, result.images() + 1)) {
            String[] f = line.split(",");
            splitOf.put(f[0], f[3]);
        }
        Map<String, String> refSplit = new HashMap<>();
        List<String> dist = Files.readAllLines(out.resolve("distortions.csv"));
        assertEquals("image,reference,distortion,level", dist.get(0));
        for (String line : dist.subList(1, dist.size())) {
            String[] f = line.split(",");
            String prev = refSplit.putIfAbsent(f[1], splitOf.get(f[0]));
            assertEquals(prev == null ? splitOf.get(f[0]) : prev, splitOf.get(f[0]), "reference " + f[1] + " spans splits");
            if (f[2].equals("none")) {
                assertEquals("0", f[3]);
                assertEquals(f[0], f[1]);
            }
        }
        assertEquals("test", refSplit.get("images/chelsea.png"));
        assertEquals("val", refSplit.get("images/coffee.png"));
        assertEquals("train", refSplit.get("images/astronaut.png"));
        assertEquals("train", refSplit.get("images/scene01.png"));
        assertEquals(result.images(), result.imagesPerSplit().values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void mosCsvNamesEachImagesReferenceAndDistortionAsTheImporterStoresThem() throws Exception {
        Map<String, String[]> byImage = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("mos.csv")).subList(1, result.images() + 1)) {
            String[] f = line.split(",", -1);
            byImage.put(f[0], f);
        }
        assertEquals("astronaut", byImage.get("images/astronaut__gaussian_blur_3.png")[4]);
        assertEquals("gaussian_blur_3", byImage.get("images/astronaut__gaussian_blur_3.png")[5]);
        assertEquals("astronaut", byImage.get("images/astronaut.png")[4], "a reference is its own reference");
        assertEquals("", byImage.get("images/astronaut.png")[5], "and has no distortion");
        // imported with the csv layout (as the demo does): the columns land in images.reference/distortion
        try (dev.rali.engine.project.ProjectStore store = dev.rali.engine.project.ProjectStore.open(tmp.resolve("p.rali"))) {
            dev.rali.engine.dataset.DatasetImporter.importDataset(store,
                    dev.rali.engine.dataset.ImportRequest.of("sample", "csv", out.resolve("mos.csv")), TaskContext.silent());
            var q = new dev.rali.engine.project.ProjectQueries(store);
            long id = dev.rali.engine.dataset.Datasets.list(store).get(0).id();
            var fields = q.imageFields(id);
            assertEquals(dev.rali.engine.project.ProjectQueries.FIELDS,
                    fields.stream().map(dev.rali.engine.project.ProjectQueries.ImageField::name).toList());
            var levels = fields.get(2).values();
            assertEquals(List.of("", "1", "2", "3", "4", "5"),
                    levels.stream().map(dev.rali.engine.project.ProjectQueries.FieldValue::value).toList());
            assertEquals(14, fields.get(3).values().size(), "12 photos + 2 scenes");
            var blur = new dev.rali.engine.project.ProjectQueries.ImageFilter(null, null, null, Map.of(
                    dev.rali.engine.project.ProjectQueries.FIELD_TYPE, Set.of("gaussian_blur")));
            assertEquals(14 * DistortionType.LEVELS, q.countImages(id, blur));
            assertEquals("test", Datasets.images(store, "sample", null).stream()
                    .filter(r -> r.name().equals("images/chelsea__jpeg_2.png")).findFirst().orElseThrow().split(),
                    "the official split still decides");
        }
    }

    @Test
    void aTruncatedImageLeftByAKilledBuildIsReplacedAndNoTempFilesRemain() throws IOException {
        Path again = tmp.resolve("killed");
        Path victim = again.resolve("images/rocket__jpeg_3.png");
        Files.createDirectories(victim.getParent());
        Files.write(victim, Arrays.copyOf(Files.readAllBytes(out.resolve("images/rocket__jpeg_3.png")), 50));
        SampleProjectBuilder.build(again, SampleProjectBuilder.Options.defaults(photos).withImageSize(40)
                .withSeedsPerImage(2).withScenes(2), TaskContext.silent());
        assertEquals(-1, Files.mismatch(out.resolve("images/rocket__jpeg_3.png"), victim));
        try (var files = Files.list(again.resolve("images"))) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".")).toList(),
                    "PNGs are written through a temp file and renamed");
        }
    }

    @Test
    void writesSeedTracesPerImageAndAManifest() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> perImage = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("traces.jsonl"))) {
            JsonNode t = json.readTree(line);
            assertTrue(t.get("text").asText().matches("<think>.+</think><answer>\\d\\.\\d\\d</answer>"), line);
            perImage.merge(t.get("image").asText(), 1, Integer::sum);
        }
        assertEquals(result.images(), perImage.size());
        assertTrue(perImage.values().stream().allMatch(n -> n == 2));
        JsonNode m = json.readTree(out.resolve("manifest.json").toFile());
        assertTrue(m.get("synthetic").asBoolean());
        assertEquals(3, m.get("splits").get("test").size());
        assertEquals(result.images(), m.get("images").asInt());
    }

    @Test
    void sameOptionsGiveTheSameProject() throws IOException {
        Path again = tmp.resolve("again");
        SampleProjectBuilder.build(again, SampleProjectBuilder.Options.defaults(photos).withImageSize(40)
                .withSeedsPerImage(2).withScenes(2), TaskContext.silent());
        assertEquals(Files.readString(out.resolve("mos.csv")), Files.readString(again.resolve("mos.csv")));
        assertEquals(Files.readString(out.resolve("traces.jsonl")), Files.readString(again.resolve("traces.jsonl")));
        assertEquals(-1, Files.mismatch(out.resolve("images/rocket__jpeg_3.png"), again.resolve("images/rocket__jpeg_3.png")));
    }

    @Test
    void findsPhotosThroughRaliHomeAndReportsAMissingFolder(@TempDir Path elsewhere) throws IOException {
        String old = System.getProperty("rali.home");
        try {
            System.setProperty("rali.home", photos.getParent().getParent().toString());
            assertEquals(photos.toAbsolutePath(), SampleProjectBuilder.findPhotosDir(elsewhere).toAbsolutePath());
            System.clearProperty("rali.home");
            IOException e = assertThrows(IOException.class, () -> SampleProjectBuilder.findPhotosDir(elsewhere));
            assertTrue(e.getMessage().contains("sample-projects/photos"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("rali.home");
            } else {
                System.setProperty("rali.home", old);
            }
        }
    }

    @Test
    void aManifestListingAMissingPhotoIsAClearError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("MANIFEST.tsv"), "file\tbytes\nghost.png\t1\n");
        IOException e = assertThrows(IOException.class, () -> SampleProjectBuilder.manifestPhotos(dir));
        assertTrue(e.getMessage().contains("ghost.png") && e.getMessage().contains("MANIFEST.tsv"), e.getMessage());
    }

    @Test
    void optionsRejectAPhotoInTwoSplits() {
        assertThrows(IllegalArgumentException.class, () -> new SampleProjectBuilder.Options(photos, 64, 2, 0,
                Set.of("cat"), Set.of("cat"), false, 0));
    }
}
