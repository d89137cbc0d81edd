package dev.rali.spark;

import dev.rali.engine.Version;
import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.image.ImageLoader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.apache.spark.sql.functions.col;

/**
 * The driver side of the {@code score} and {@code embed} jobs: list the input, ship the model, run
 * {@link PartitionJob} over deterministic partitions, write Parquet through Spark's commit protocol.
 *
 * <p>Idempotence: partitions are a hash of the image URI and sorted by it, so a retried task (or a re-run job)
 * sees the same images in the same order and writes the same rows; Spark's file commit protocol keeps only one
 * attempt's file per task, and the output appears (with {@code _SUCCESS}) only when every task committed.
 */
public final class ImageJobs {
    private ImageJobs() { }

    /** How the job is asked to run (the command line's options). */
    public record Request(boolean score, String model, String input, String inputFormat, String pathColumn,
                          String output, boolean embeddings, int batch, String device, String precision,
                          int partitions, boolean overwrite, int failFirstAttemptOfPartition) { }

    /** What the job did. */
    public record Summary(long images, long ok, long errors, String output) { }

    /**
     * Output columns: path, [score], status, error, [embedding], content_sha256, [bundle_sha256], encoder_sha256,
     * precision (the encoder's, as resolved on the executor: fp32, bf16 or bf16-mlp), code_version.
     */
    static StructType schema(boolean score, boolean embeddings) {
        StructType s = new StructType().add("path", DataTypes.StringType, false);
        if (score) {
            s = s.add("score", DataTypes.DoubleType, true);
        }
        s = s.add("status", DataTypes.StringType, false).add("error", DataTypes.StringType, true);
        if (embeddings || !score) {
            s = s.add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true);
        }
        s = s.add("content_sha256", DataTypes.StringType, true);
        if (score) {
            s = s.add("bundle_sha256", DataTypes.StringType, true);
        }
        return s.add("encoder_sha256", DataTypes.StringType, true).add("precision", DataTypes.StringType, true)
                .add("code_version", DataTypes.StringType, false);
    }

    public static Summary run(SparkSession spark, Request r) {
        if (r.batch() < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, not " + r.batch());
        }
        String modelRef;
        try {
            modelRef = shipModel(spark, r.model(), r.score());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Dataset<Row> uris = inputUris(spark, r.input(), r.inputFormat(), r.pathColumn());
        int n = r.partitions() > 0 ? r.partitions() : defaultPartitions(spark, uris.count());
        JobSpec spec = new JobSpec(r.score(), modelRef, r.device(), r.precision(), r.batch(), r.embeddings(),
                PartitionJob.hadoopSettings(spark.sparkContext().hadoopConfiguration()), Version.CODE,
                r.failFirstAttemptOfPartition());
        Dataset<Row> out = uris.repartition(n, col("path")).sortWithinPartitions("path")
                .mapPartitions(new PartitionJob(spec), Encoders.row(schema(r.score(), r.embeddings())));
        out.write().mode(r.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(r.output());
        List<Row> counts = spark.read().parquet(r.output()).groupBy("status").count().collectAsList();
        long ok = 0;
        long errors = 0;
        for (Row c : counts) {
            if ("ok".equals(c.getString(0))) {
                ok += c.getLong(1);
            } else {
                errors += c.getLong(1);
            }
        }
        return new Summary(ok + errors, ok, errors, r.output());
    }

    /** About 500 images a task (a retry redoes little), at least two tasks per core. */
    static int defaultPartitions(SparkSession spark, long images) {
        int cores = spark.sparkContext().defaultParallelism();
        return (int) Math.max(1, Math.max(2L * cores, (images + 499) / 500));
    }

    /**
     * The image URIs as one string column {@code path}: a folder tree read through Spark's {@code binaryFile}
     * source (only its listing: content is read by the tasks), or a Parquet/CSV table with a column of URIs.
     * Folder trees keep the files {@code rali score} would take (image extensions, no hidden files).
     */
    static Dataset<Row> inputUris(SparkSession spark, String input, String format, String pathColumn) {
        String f = format == null || format.equals("auto") ? guessFormat(input) : format.toLowerCase(Locale.ROOT);
        Dataset<Row> table;
        switch (f) {
            case "images" -> {
                // The source's file index (parallel listing on any Hadoop file system); its rows would leave out
                // empty files, which are broken images to report, so the listing itself is taken.
                String[] files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                        .load(input).inputFiles();
                List<String> images = Stream.of(files).filter(ImageJobs::isImage).toList();
                return spark.createDataset(images, Encoders.STRING()).toDF("path");
            }
            case "parquet" -> table = spark.read().parquet(input);
            case "csv" -> table = spark.read().option("header", "true").csv(input);
            default -> throw new IllegalArgumentException("--input-format must be auto, images, parquet or csv, not '"
                    + format + "'");
        }
        if (!List.of(table.columns()).contains(pathColumn)) {
            throw new IllegalArgumentException(input + ": needs a column '" + pathColumn + "' of image URIs, found "
                    + List.of(table.columns()) + " (--path-column names another)");
        }
        return table.select(col(pathColumn).cast(DataTypes.StringType).as("path")).na().drop().distinct();
    }

    static String guessFormat(String input) {
        String s = input.toLowerCase(Locale.ROOT).replaceFirst("/+$", "");
        return s.endsWith(".parquet") ? "parquet" : s.endsWith(".csv") ? "csv" : "images";
    }

    static boolean isImage(String uri) {
        String name = uri.substring(uri.replaceFirst("/+$", "").lastIndexOf('/') + 1);
        return !name.startsWith(".") && ImageLoader.isImageFile(Path.of(name));
    }

    /**
     * Ships a model folder the driver has to every executor as a zip archive ({@code SparkContext.addArchive},
     * unpacked once per executor under the folder's name); returns the name tasks resolve it by. A model the
     * driver cannot see is left to the executors (a shared mount, or {@code spark-submit --archives X.zip#NAME}).
     */
    static String shipModel(SparkSession spark, String model, boolean score) throws IOException {
        Path dir = Path.of(model);
        if (!Files.isDirectory(dir)) {
            return model;
        }
        if (score && !ModelBundle.isBundle(dir)) {
            throw new IOException(dir + ": not a model bundle (no " + ModelBundle.MANIFEST + " of format "
                    + ModelBundle.FORMAT + "); scoring needs one made by `rali export`");
        }
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            throw new IOException(dir + ": lacks model.safetensors (not a CLIP folder or model bundle)");
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        Path zip = Files.createTempDirectory("rali-spark-model-").resolve(name + ".zip");
        zipFolder(dir, zip);
        spark.sparkContext().addArchive(zip.toUri() + "#" + name);
        return name;
    }

    /** Stored, not deflated: weights do not compress, and executors unpack faster. */
    private static void zipFolder(Path dir, Path zip) throws IOException {
        try (OutputStream os = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(os);
             Stream<Path> files = Files.walk(dir)) {
            z.setLevel(0);
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                z.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
    }
}
