package dev.rali.spark;

import java.io.Serializable;
import java.util.Map;

/**
 * What the executors need to know about a job; shipped with every task (small: no model, no image data).
 *
 * @param score          score with a bundle (else embeddings only)
 * @param model          bundle (score) or bundle / HF CLIP folder (embed): a local path or a shipped file's name
 * @param precision      the encoder's: fp32, bf16 or auto (resolved by each executor for its own hardware)
 * @param withEmbeddings also write each image's embedding (always on for the embed job)
 * @param hadoopConf     the driver's Hadoop settings (s3a credentials providers, HDFS name nodes), to open URIs
 * @param failFirstAttemptOfPartition test hook: the first attempt of this partition fails after its first batch,
 *                       so a test can see that the retried task's rows replace it (−1: off)
 */
record JobSpec(boolean score, String model, String device, String precision, int batch, boolean withEmbeddings,
               Map<String, String> hadoopConf, String codeVersion, int failFirstAttemptOfPartition)
        implements Serializable {
}
