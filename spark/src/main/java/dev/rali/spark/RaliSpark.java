package dev.rali.spark;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * {@code spark-submit --class dev.rali.spark.RaliSpark rali-spark.jar score|embed …}: scores or embeds an image
 * collection on a Spark cluster with the engine's scorer (same bundle, same numbers as {@code rali score}).
 */
@Command(name = "rali-spark", mixinStandardHelpOptions = true, subcommands = {RaliSpark.Score.class, RaliSpark.Embed.class},
        description = "Score or embed images on Apache Spark with a RALI model bundle; Parquet out.")
public final class RaliSpark {

    /** Options both jobs share. */
    abstract static class JobCommand implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "Model bundle folder (score), or bundle / HF CLIP "
                + "folder (embed). A folder the driver sees is shipped to every executor; otherwise the name must "
                + "exist on the executors (shared mount, or spark-submit --archives MODEL.zip#NAME).")
        String model;

        @Option(names = "--input", required = true, description = "A folder tree of images (any Hadoop URI: file:, "
                + "hdfs:, s3a:) or a Parquet/CSV table with a column of image URIs.")
        String input;

        @Option(names = "--input-format", defaultValue = "auto",
                description = "auto (by extension: .parquet, .csv, else a folder of images), images, parquet, csv.")
        String inputFormat;

        @Option(names = "--path-column", defaultValue = "path", description = "Column of image URIs in a table input.")
        String pathColumn;

        @Option(names = "--output", required = true, description = "Parquet output folder (any Hadoop URI).")
        String output;

        @Option(names = "--overwrite", description = "Replace an existing output (default: refuse).")
        boolean overwrite;

        @Option(names = "--batch", defaultValue = "16", description = "Images per encoder batch (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto on each executor.")
        String device;

        @Option(names = "--precision", defaultValue = "fp32",
                description = "Encoder precision on each executor: fp32 (default: the same numbers on every node), "
                        + "bf16, or auto (bf16 where that executor runs it natively). The precision each row was "
                        + "computed in is written in its 'precision' column.")
        String precision;

        @Option(names = "--partitions", defaultValue = "0",
                description = "Tasks (default: about 500 images each, at least 2 per core).")
        int partitions;

        @Option(names = "--test-fail-first-attempt-of-partition", hidden = true, defaultValue = "-1")
        int failFirstAttempt;

        abstract boolean score();

        boolean embeddings() {
            return true;
        }

        @Override
        public Integer call() throws Exception {
            // validated where the engine defines it, so the job accepts exactly what the engine can run
            dev.rali.engine.clip.ClipLoadOptions checked =
                    new dev.rali.engine.clip.ClipLoadOptions(device, precision, false, false);
            SparkSession spark = SparkSession.builder().appName("rali-spark " + (score() ? "score" : "embed"))
                    .getOrCreate();
            try {
                ImageJobs.Summary s = ImageJobs.run(spark, new ImageJobs.Request(score(), model, input, inputFormat,
                        pathColumn, output, embeddings(), batch, device, checked.precision(), partitions, overwrite,
                        failFirstAttempt));
                System.err.printf("rali-spark %s: %d image(s): %d ok, %d error row(s); written to %s%n",
                        score() ? "score" : "embed", s.images(), s.ok(), s.errors(), s.output());
                return s.ok() > 0 || s.images() == 0 ? 0 : 1;
            } finally {
                spark.stop();
            }
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = "Score images in [1,5]: path, score, status, error, [embedding], content_sha256, "
                    + "bundle_sha256, encoder_sha256, code_version.")
    static final class Score extends JobCommand {
        @Option(names = "--embeddings", description = "Also write each image's embedding (array<float>).")
        boolean withEmbeddings;

        @Override
        boolean score() {
            return true;
        }

        @Override
        boolean embeddings() {
            return withEmbeddings;
        }
    }

    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "CLIP image embeddings only: path, status, error, embedding, content_sha256, encoder_sha256, "
                    + "code_version (importable with `rali import-embeddings`).")
    static final class Embed extends JobCommand {
        @Override
        boolean score() {
            return false;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RaliSpark()).execute(args));
    }
}
