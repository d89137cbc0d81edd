package dev.rali.spark;

import dev.rali.engine.image.ImageLoader;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.score.ScoreResult;
import dev.rali.engine.task.TaskContext;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scoring job on Spark local[2] gives {@code rali score}'s numbers, an error row per broken file, and no duplicates. */
class ScoreJobTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path bundle;
    static Path images;
    /** What {@code rali score} computes (ScoreCommand = ImageLoader.listImages + BundleScorer), by absolute path. */
    static Map<String, ScoreResult> reference = new TreeMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        bundle = SparkFixtures.bundle(dir.resolve("model"));
        images = dir.resolve("images");
        SparkFixtures.images(images, 96);
        try (BundleScorer scorer = BundleScorer.open(bundle, "cpu", 16)) {
            scorer.scoreAll(ImageLoader.listImages(List.of(images)), r -> reference.put(r.file().toString(), r),
                    TaskContext.silent());
        }
        spark = SparkFixtures.session();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static ImageJobs.Request request(String input, String output, boolean embeddings, int failPartition) {
        return new ImageJobs.Request(true, bundle.toString(), input, "auto", "path", output, embeddings, 8, "cpu",
                "fp32", 0, false, failPartition);
    }

    /** Two tasks of ~50 images, 16 per engine call: the hook's task fails after writing some rows. */
    private static ImageJobs.Request twoTasks(String output, int failPartition) {
        return new ImageJobs.Request(true, bundle.toString(), images.toString(), "auto", "path", output, true, 4,
                "cpu", "fp32", 2, false, failPartition);
    }

    /** Output rows by local absolute path. */
    private static Map<String, Row> rows(String output) {
        Map<String, Row> out = new HashMap<>();
        for (Row r : spark.read().parquet(output).collectAsList()) {
            String p = Path.of(java.net.URI.create(r.getAs("path"))).toString();
            assertNull(out.put(p, r), "duplicate row for " + p);
        }
        return out;
    }

    @Test
    void everyScoreEqualsRaliScoreAndEveryBrokenFileIsAnErrorRow() {
        assertEquals(101, reference.size(), "96 good + 5 broken files, README left out");
        String out = dir.resolve("scores.parquet").toString();
        ImageJobs.Summary s = ImageJobs.run(spark, request(images.toString(), out, false, -1));
        assertEquals(new ImageJobs.Summary(101, 96, 5, out), s);
        Map<String, Row> rows = rows(out);
        assertEquals(reference.keySet(), rows.keySet());
        for (Map.Entry<String, ScoreResult> e : reference.entrySet()) {
            Row r = rows.get(e.getKey());
            ScoreResult ref = e.getValue();
            if (ref.isOk()) {
                assertEquals("ok", r.getAs("status"), e.getKey());
                assertEquals(ref.score(), (double) r.getAs("score"), 1e-5, e.getKey());
                assertNull(r.getAs("error"));
            } else {
                assertEquals("error", r.getAs("status"), e.getKey());
                assertNull(r.getAs("score"));
                String error = r.getAs("error");
                // the engine's reason, naming the image by its URI, never by the task's temp copy
                assertTrue(error.contains(e.getKey()), error);
                assertFalse(error.contains("rali-spark-"), error);
            }
        }
        for (String b : SparkFixtures.BROKEN) {
            assertEquals("error", rows.get(images.resolve(b).toString()).getAs("status"), b);
        }
        Row any = rows.values().iterator().next();
        assertEquals(64, ((String) any.getAs("bundle_sha256")).length());
        assertEquals(dev.rali.engine.Version.CODE, any.getAs("code_version"));
        assertEquals("fp32", any.getAs("precision"));
        assertFalse(List.of(spark.read().parquet(out).columns()).contains("embedding"));
    }

    @Test
    void aTaskThatFailsHalfwayIsRetriedWithTheSameRowsAndNoDuplicates() {
        String clean = dir.resolve("clean.parquet").toString();
        String retried = dir.resolve("retried.parquet").toString();
        AtomicInteger failedTasks = new AtomicInteger();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!(end.reason() instanceof Success$)) {
                    failedTasks.incrementAndGet();
                }
            }
        });
        ImageJobs.run(spark, twoTasks(clean, -1));
        ImageJobs.run(spark, twoTasks(retried, 0));
        long deadline = System.currentTimeMillis() + 10_000; // listener events arrive asynchronously
        while (failedTasks.get() == 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, failedTasks.get(), "the hook's attempt failed once, and its retry succeeded");
        Map<String, Row> a = rows(clean);
        Map<String, Row> b = rows(retried);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(a.get(k).<String>getAs("status"), b.get(k).<String>getAs("status"), k);
            if ("ok".equals(a.get(k).getAs("status"))) {
                assertEquals((double) a.get(k).getAs("score"), (double) b.get(k).getAs("score"), 0.0, k);
                assertEquals(a.get(k).getList(a.get(k).fieldIndex("embedding")),
                        b.get(k).getList(b.get(k).fieldIndex("embedding")), k);
            }
        }
        assertTrue(Files.exists(Path.of(retried, "_SUCCESS")));
    }

    @Test
    void aCsvListOfUrisScoresTheSameAndAMissingFileIsAnErrorRow() throws IOException {
        List<String> lines = new ArrayList<>(List.of("path"));
        List<String> some = new ArrayList<>(reference.keySet()).subList(0, 30);
        some.forEach(p -> lines.add(Path.of(p).toUri().toString()));
        String missing = images.resolve("gone/nowhere.jpg").toUri().toString();
        lines.add(missing);
        Path csv = dir.resolve("list.csv");
        Files.write(csv, lines);
        String out = dir.resolve("from-list.parquet").toString();
        ImageJobs.Summary s = ImageJobs.run(spark, request(csv.toString(), out, false, -1));
        assertEquals(31, s.images());
        Map<String, Row> rows = rows(out);
        for (String p : some) {
            ScoreResult ref = reference.get(p);
            if (ref.isOk()) {
                assertEquals(ref.score(), (double) rows.get(p).getAs("score"), 1e-5, p);
            } else {
                assertEquals("error", rows.get(p).getAs("status"));
            }
        }
        Row gone = rows.get(Path.of(java.net.URI.create(missing)).toString());
        assertNotNull(gone);
        assertEquals("error", gone.getAs("status"));
        assertTrue(((String) gone.getAs("error")).contains("file not found"), (String) gone.getAs("error"));
    }

    @Test
    void anExistingOutputIsRefusedUnlessOverwriteIsAsked() {
        String out = dir.resolve("twice.parquet").toString();
        ImageJobs.run(spark, request(images.resolve("set1").toString(), out, false, -1));
        assertThrows(Exception.class, () -> ImageJobs.run(spark, request(images.resolve("set1").toString(), out,
                false, -1)));
    }

    @Test
    void aTableWithoutThePathColumnIsRefusedNamingTheFile() throws IOException {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "file\n/a.jpg\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageJobs.run(spark,
                request(csv.toString(), dir.resolve("bad-out").toString(), false, -1)));
        assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("'path'"), e.getMessage());
    }
}
