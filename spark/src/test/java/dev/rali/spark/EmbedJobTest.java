package dev.rali.spark;

import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.dataset.DatasetImporter;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.dataset.ImportRequest;
import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.pipeline.EmbeddingCache;
import dev.rali.engine.pipeline.EmbeddingImport;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The embedding job writes {@code rali embed}'s vectors, and {@code rali import-embeddings} puts them in a project. */
class EmbedJobTest {
    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkFixtures.session();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void embeddingsEqualTheEnginesAndImportIntoTheProjectThatHoldsTheImages() throws Exception {
        Path clip = SparkFixtures.clip(dir.resolve("clip"));
        Path images = dir.resolve("images");
        SparkFixtures.images(images, 24);
        Map<String, float[]> reference = new HashMap<>();
        try (ImageEmbedder e = ImageEmbedder.open(clip, "cpu")) {
            for (ImageEmbedder.Result r : e.embed(ImageLoader.listImages(List.of(images)),
                    ImageEmbedder.Options.defaults(), TaskContext.silent())) {
                reference.put(r.file().toString(), r.ok() ? r.embedding() : null);
            }
        }
        String out = dir.resolve("emb.parquet").toString();
        ImageJobs.Summary s = ImageJobs.run(spark, new ImageJobs.Request(false, clip.toString(), images.toString(),
                "auto", "path", out, true, 8, "cpu", "fp32", 0, false, -1));
        assertEquals(new ImageJobs.Summary(29, 24, 5, out), s);
        String encoder = FileHashes.sha256(clip.resolve("model.safetensors"));
        for (Row r : spark.read().parquet(out).collectAsList()) {
            String p = Path.of(java.net.URI.create(r.getAs("path"))).toString();
            float[] ref = reference.get(p);
            assertEquals(encoder, r.getAs("encoder_sha256"));
            if (ref == null) {
                assertEquals("error", r.getAs("status"), p);
                assertNull(r.getAs("embedding"));
                continue;
            }
            List<Float> got = r.getList(r.fieldIndex("embedding"));
            assertEquals(ref.length, got.size());
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], got.get(i), 1e-5, p + "[" + i + "]");
            }
            assertEquals(FileHashes.sha256(Path.of(p)), r.getAs("content_sha256"));
        }

        // the project holds the same images (a folder dataset): after the import the cache has each one's vector
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            DatasetImporter.importDataset(store, ImportRequest.of("photos", "folder", images), TaskContext.silent());
            List<ImageRow> rows = Datasets.images(store, "photos", null);
            EmbeddingImport.Report r = EmbeddingImport.run(store, Path.of(out), TaskContext.silent());
            assertEquals(24, r.imported());
            assertEquals(5, r.errorRows());
            assertEquals(rows.size(), r.projectImages());
            EmbeddingCache cache = EmbeddingCache.open(store.artifactDir().resolve("embeddings"), encoder);
            int found = 0;
            for (ImageRow row : rows) {
                float[] ref = reference.get(row.path().toAbsolutePath().normalize().toString());
                if (ref != null) {
                    float[] cached = cache.get(row.contentHash());
                    assertNotNull(cached, row.name());
                    for (int i = 0; i < ref.length; i++) {
                        assertEquals(ref[i], cached[i], 1e-5);
                    }
                    found++;
                }
            }
            assertEquals(24, found);
            assertEquals(24, r.projectMatches());
            assertFalse(cache.contains("f".repeat(64)));
        }
    }

    @Test
    void aBundleEmbedsWithItsEncoderAndIsNamedByItsEncoderHash() throws Exception {
        Path bundle = SparkFixtures.bundle(dir.resolve("bundle"));
        Path images = dir.resolve("few");
        SparkFixtures.images(images, 6);
        String out = dir.resolve("bundle-emb.parquet").toString();
        ImageJobs.Summary s = ImageJobs.run(spark, new ImageJobs.Request(false, bundle.toString(), images.toString(),
                "auto", "path", out, true, 4, "cpu", "fp32", 0, false, -1));
        assertEquals(new ImageJobs.Summary(11, 6, 5, out), s);
        String encoder = FileHashes.sha256(bundle.resolve("model.safetensors"));
        for (Row r : spark.read().parquet(out).collectAsList()) {
            assertEquals(encoder, r.getAs("encoder_sha256"));
        }
    }

    /**
     * --precision bf16 reaches the executors: the vectors are the engine's own bf16 vectors, each row says the
     * precision it was computed in, and the import keys them apart from fp32 vectors of the same encoder.
     */
    @Test
    void bf16EmbeddingsAreTheEnginesBf16VectorsAndImportUnderTheirOwnCacheKey() throws Exception {
        Path clip = SparkFixtures.clip(dir.resolve("clip-bf16"));
        Path images = dir.resolve("bf16-images");
        SparkFixtures.images(images, 6);
        Map<String, float[]> reference = new HashMap<>();
        String label;
        try (ImageEmbedder e = ImageEmbedder.open(clip, dev.rali.engine.clip.ClipLoadOptions.cpu()
                .withPrecision("bf16"))) {
            label = e.model().precision().label();
            for (ImageEmbedder.Result r : e.embed(ImageLoader.listImages(List.of(images)),
                    ImageEmbedder.Options.defaults(), TaskContext.silent())) {
                if (r.ok()) {
                    reference.put(r.file().toString(), r.embedding());
                }
            }
        }
        assertTrue(label.startsWith("bf16"), label);
        String out = dir.resolve("emb-bf16.parquet").toString();
        ImageJobs.run(spark, new ImageJobs.Request(false, clip.toString(), images.toString(), "auto", "path", out,
                true, 4, "cpu", "bf16", 0, false, -1));
        int ok = 0;
        for (Row r : spark.read().parquet(out).collectAsList()) {
            assertEquals(label, r.getAs("precision"));
            float[] ref = reference.get(Path.of(java.net.URI.create(r.getAs("path"))).toString());
            if (ref != null) {
                List<Float> got = r.getList(r.fieldIndex("embedding"));
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], got.get(i), 1e-5);
                }
                ok++;
            }
        }
        assertEquals(6, ok);
        String encoder = FileHashes.sha256(clip.resolve("model.safetensors"));
        try (ProjectStore store = ProjectStore.open(dir.resolve("p-bf16.rali"))) {
            EmbeddingImport.Report r = EmbeddingImport.run(store, Path.of(out), TaskContext.silent());
            assertEquals(6, r.imported());
            assertEquals(java.util.Set.of(encoder + "+" + label), r.dims().keySet());
            Path caches = store.artifactDir().resolve("embeddings");
            assertEquals(6, EmbeddingCache.open(caches, encoder + "+" + label).size());
            assertEquals(0, EmbeddingCache.open(caches, encoder).size(), "fp32's table stays empty");
        }
    }
}
