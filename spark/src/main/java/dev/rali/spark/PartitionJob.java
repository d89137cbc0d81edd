package dev.rali.spark;

import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.task.TaskContext;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * One partition of image URIs → one output row per URI, in input order. Images are copied from their file system
 * (any Hadoop URI) to a task-local temp folder under their own file names and scored there by the engine's
 * {@link BundleScorer} / {@link ImageEmbedder}, exactly as {@code rali score} / {@code rali embed} read files;
 * {@code batch × 4} images per call, so decoding the next encoder batch overlaps the current one. Anything wrong
 * with one image (unreadable, corrupt, too large, encoder failure on its batch) is that image's error row.
 */
final class PartitionJob implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    /** Encoder batches per engine call. */
    static final int BATCHES_PER_CALL = 4;

    private final JobSpec spec;

    PartitionJob(JobSpec spec) {
        this.spec = spec;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        ExecutorModels.Loaded model = ExecutorModels.get(spec.model(), spec.device(), spec.precision(), spec.batch(),
                spec.score());
        Configuration conf = new Configuration(false);
        spec.hadoopConf().forEach(conf::set);
        int chunk = spec.batch() * BATCHES_PER_CALL;
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        boolean failAfterFirst = task != null && task.partitionId() == spec.failFirstAttemptOfPartition()
                && task.attemptNumber() == 0;
        return new Iterator<>() {
            private final ArrayDeque<Row> ready = new ArrayDeque<>();
            private int chunks;

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && input.hasNext()) {
                    if (failAfterFirst && chunks == 1) {
                        throw new IllegalStateException("rali-spark test hook: first attempt of partition "
                                + task.partitionId() + " fails after its first batch");
                    }
                    List<String> uris = new ArrayList<>(chunk);
                    while (uris.size() < chunk && input.hasNext()) {
                        uris.add(input.next().getString(0));
                    }
                    ready.addAll(process(model, conf, uris));
                    chunks++;
                }
                return !ready.isEmpty();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }
        };
    }

    /** One row per URI, in order. */
    List<Row> process(ExecutorModels.Loaded model, Configuration conf, List<String> uris) {
        Row[] out = new Row[uris.size()];
        Path tmp;
        try {
            tmp = Files.createTempDirectory("rali-spark-");
        } catch (IOException e) {
            throw new IllegalStateException("rali-spark: cannot create a temp folder on this executor: "
                    + e.getMessage(), e);
        }
        try {
            List<Path> local = new ArrayList<>();
            List<Integer> index = new ArrayList<>();
            String[] sha = new String[uris.size()];
            for (int i = 0; i < uris.size(); i++) {
                String uri = uris.get(i);
                try {
                    Path f = tmp.resolve(i + "-" + fileName(uri));
                    sha[i] = copy(uri, conf, f);
                    local.add(f);
                    index.add(i);
                } catch (IOException | RuntimeException e) {
                    out[i] = row(model, uri, null, "cannot read: " + message(e), null, null);
                }
            }
            if (!local.isEmpty()) {
                int[] k = {0};
                synchronized (model.lock) {
                    if (spec.score()) {
                        model.scorer.scoreWithEmbeddings(local, s -> {
                            int i = index.get(k[0]++);
                            out[i] = s.result().isOk()
                                    ? row(model, uris.get(i), s.result().score(), null, s.embedding(), sha[i])
                                    : row(model, uris.get(i), null, unTemp(s.result().error(), s.result().file(), uris.get(i)), null, sha[i]);
                        }, TaskContext.silent());
                    } else {
                        ImageEmbedder.Options o = ImageEmbedder.Options.defaults().withBatch(spec.batch());
                        model.embedder.embed(local, o, TaskContext.silent(), batch -> {
                            for (ImageEmbedder.Result r : batch) {
                                int i = index.get(k[0]++);
                                out[i] = r.ok() ? row(model, uris.get(i), null, null, r.embedding(), sha[i])
                                        : row(model, uris.get(i), null, unTemp(r.error(), r.file(), uris.get(i)), null, sha[i]);
                            }
                        });
                    }
                }
            }
            return List.of(out);
        } finally {
            deleteTree(tmp);
        }
    }

    /** The output row; the column order is {@link ImageJobs#schema}'s. */
    private Row row(ExecutorModels.Loaded m, String path, Double score, String error, float[] embedding, String contentSha) {
        List<Object> v = new ArrayList<>(10);
        v.add(path);
        if (spec.score()) {
            v.add(score);
        }
        v.add(error == null ? "ok" : "error");
        v.add(error);
        if (spec.withEmbeddings() || !spec.score()) {
            v.add(embedding == null ? null : boxed(embedding));
        }
        v.add(contentSha);
        if (spec.score()) {
            v.add(m.bundleSha256);
        }
        v.add(m.encoderSha256);
        v.add(m.precision);
        v.add(spec.codeVersion());
        return RowFactory.create(v.toArray());
    }

    private static Float[] boxed(float[] e) {
        Float[] b = new Float[e.length];
        for (int i = 0; i < e.length; i++) {
            b[i] = e[i];
        }
        return b;
    }

    /** Streams the URI to {@code target}, returning the bytes' sha256 (the project's content hash). */
    private static String copy(String uri, Configuration conf, Path target) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = p.getFileSystem(conf);
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(fs.open(p), md); OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String fileName(String uri) {
        String s = uri.replaceFirst("/+$", "");
        String n = s.substring(s.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        return n.isEmpty() ? "image" : n;
    }

    /** The engine names its temp copy in a few messages; the user knows the image by its URI. */
    private static String unTemp(String error, Path local, String uri) {
        return error == null ? null : error.replace(local.toString(), uri);
    }

    private static String message(Throwable e) {
        if (e instanceof java.io.FileNotFoundException) {
            return "file not found";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    static Map<String, String> hadoopSettings(Configuration conf) {
        Map<String, String> m = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : conf) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
