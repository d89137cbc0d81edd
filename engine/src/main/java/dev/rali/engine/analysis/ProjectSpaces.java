package dev.rali.engine.analysis;

import dev.rali.engine.clip.ClipLoadOptions;
import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.EmbeddingCache;
import dev.rali.engine.pipeline.Embeddings;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.Fingerprint;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.traces.TraceStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedding spaces of a project, for the same images, per dataset:
 * <ul>
 *   <li>{@code base}: the base CLIP image embeddings;</li>
 *   <li>{@code aligned}: the run's encoder (Stage B output; the base encoder for a no-alignment run);</li>
 *   <li>{@code pca}: the aligned embeddings after the run's PCA (its head's compression);</li>
 *   <li>{@code text}: the frozen text tower's embeddings of the images' reasoning traces (mean of the L2-normalised
 *   embeddings of up to {@value #TRACES_PER_IMAGE} traces per image; images without usable traces are left out).</li>
 * </ul>
 * Image embeddings come from the pipeline's embedding cache ({@link Embeddings}: computed once per image and
 * encoder); text embeddings are cached the same way, keyed by the sha256 of the text under the encoder id
 * {@code text:<base sha256>}. Large projects are subsampled (stratified per dataset) <em>before</em> embedding.
 */
public final class ProjectSpaces {
    static final int TRACES_PER_IMAGE = 5;

    private ProjectSpaces() { }

    /** Which space. */
    public enum Space {
        BASE, ALIGNED, PCA, TEXT;

        public static Space parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown space '" + s + "' (base, aligned, pca or text)");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Loads one space.
     *
     * @param datasets dataset names, or empty for all of the project's
     * @param runId    the run whose encoder/head to use; required for aligned and pca, optional for base and text
     *                 (then the project's base encoder)
     * @param cap      at most this many images in all (stratified per dataset, seeded), before embedding
     */
    public static EmbeddingSpace load(ProjectStore store, Space space, List<String> datasets, Long runId,
                                      String device, int cap, long seed, TaskContext ctx) throws IOException {
        try {
            return loadChecked(store, space, datasets, runId, device, cap, seed, ctx);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

    private static EmbeddingSpace loadChecked(ProjectStore store, Space space, List<String> datasets, Long runId,
                                              String device, int cap, long seed, TaskContext ctx)
            throws IOException, SQLException {
        List<String> names = new ArrayList<>();
        List<String> have = Datasets.list(store).stream().map(DatasetSummary::name).toList();
        if (datasets == null || datasets.isEmpty()) {
            names.addAll(have);
        } else {
            for (String d : datasets) {
                if (!have.contains(d)) {
                    throw new IllegalArgumentException(store.file() + ": no dataset '" + d + "' (have " + have + ")");
                }
                names.add(d);
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(store.file() + ": the project has no datasets");
        }
        if ((space == Space.ALIGNED || space == Space.PCA) && runId == null) {
            throw new IllegalArgumentException("the " + space.label() + " space needs --run (see `rali runs --project "
                    + store.file() + "`)");
        }
        Path base = baseEncoder(store, runId);
        List<ImageRow> rows = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        Map<Long, List<String>> texts = space == Space.TEXT ? new HashMap<>() : null;
        for (String d : names) {
            Map<Long, List<String>> corpus = texts == null ? null : TraceStore.corpus(store, d, null, false);
            for (ImageRow r : Datasets.images(store, d, null)) {
                if (corpus != null) {
                    List<String> t = corpus.get(r.id());
                    if (t == null || t.isEmpty()) {
                        continue;
                    }
                    texts.put(r.id(), t.subList(0, Math.min(TRACES_PER_IMAGE, t.size())));
                }
                rows.add(r);
                groups.add(d);
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(store.file() + ": no images"
                    + (space == Space.TEXT ? " with reasoning traces" : "") + " in " + names);
        }
        int[] gi = groupIndex(groups, names);
        int[] pick = Subsample.stratified(gi, cap, seed);
        List<ImageRow> picked = new ArrayList<>();
        List<String> pickedGroups = new ArrayList<>();
        for (int i : pick) {
            picked.add(rows.get(i));
            pickedGroups.add(groups.get(i));
        }
        Map<Long, float[]> emb = switch (space) {
            case BASE -> images(store, base, picked, device, ctx);
            case ALIGNED, PCA -> images(store, runArtifact(store, runId, "encoder").getParent(), picked, device, ctx);
            case TEXT -> text(store, base, picked, texts, device, ctx);
        };
        ScoreHead head = space == Space.PCA ? HeadParams.read(runArtifact(store, runId, "head")).toScoreHead() : null;
        List<double[]> x = new ArrayList<>();
        List<String> g = new ArrayList<>();
        List<Double> s = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < picked.size(); k++) {
            ImageRow r = picked.get(k);
            float[] e = emb.get(r.id());
            if (e == null) {
                continue; // unreadable image: reported by the embedding stage, left out here
            }
            float[] v = head == null ? e : head.compress(e);
            double[] dv = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                dv[j] = v[j];
            }
            x.add(dv);
            g.add(pickedGroups.get(k));
            s.add(r.mos() == null ? Double.NaN : r.mos());
            ids.add(r.path().toString());
        }
        String label = space.label() + (runId == null || space == Space.BASE || space == Space.TEXT ? ""
                : " (run " + runId + ")");
        return new EmbeddingSpace(label, x.toArray(new double[0][]), g.toArray(new String[0]),
                s.stream().mapToDouble(Double::doubleValue).toArray(), ids.toArray(new String[0]));
    }

    private static int[] groupIndex(List<String> groups, List<String> names) {
        int[] y = new int[groups.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = names.indexOf(groups.get(i));
        }
        return y;
    }

    /** The base encoder: the run's resolved encoder.base, else the project's setting. */
    static Path baseEncoder(ProjectStore store, Long runId) throws IOException, SQLException {
        PipelineParams params = PipelineParams.defaults(); // no run: the project's setting alone
        if (runId != null) {
            Runs.RunItem run = new Runs(store).get(runId);
            try {
                params = PipelineParams.fromJson(run.paramsJson());
            } catch (RuntimeException e) {
                // a train-head run has no encoder parameters: the project's setting alone
            }
        }
        Path dir = new ProjectSettings(store).baseEncoder(params).orElseThrow(() ->
                new IllegalArgumentException(store.file() + ": no base encoder recorded (run the pipeline once "
                        + "with --encoder DIR)"));
        if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
            throw new IllegalArgumentException(dir + ": base encoder folder has no model.safetensors");
        }
        return dir;
    }

    static Path runArtifact(ProjectStore store, long runId, String kind) throws IOException, SQLException {
        Runs runs = new Runs(store);
        runs.get(runId);
        for (Runs.Artifact a : runs.artifacts(runId)) {
            if (a.kind().equals(kind)) {
                if (!Files.isRegularFile(a.path())) {
                    throw new IllegalArgumentException("run " + runId + ": its " + kind + " file " + a.path()
                            + " is missing");
                }
                return a.path();
            }
        }
        throw new IllegalArgumentException("run " + runId + " in " + store.file() + " has no " + kind
                + " (a pipeline run through the head stage has both encoder and head)");
    }

    static Map<Long, float[]> images(ProjectStore store, Path encoderDir, List<ImageRow> rows, String device,
                                             TaskContext ctx) throws IOException {
        String id = FileHashes.sha256(encoderDir.resolve("model.safetensors"));
        try (Embeddings e = new Embeddings(store, encoderDir, id, device, 16)) {
            return e.of(rows, ctx);
        }
    }

    private static Map<Long, float[]> text(ProjectStore store, Path base, List<ImageRow> rows,
                                           Map<Long, List<String>> texts, String device, TaskContext ctx)
            throws IOException {
        String encoderId = "text:" + FileHashes.sha256(base.resolve("model.safetensors"));
        EmbeddingCache cache = EmbeddingCache.open(store.artifactDir().resolve("embeddings"), encoderId);
        java.util.Set<String> todo = new java.util.LinkedHashSet<>();
        for (ImageRow r : rows) {
            for (String t : texts.get(r.id())) {
                if (!cache.contains(sha(t))) {
                    todo.add(t);
                }
            }
        }
        List<String> missing = new ArrayList<>(todo);
        if (!missing.isEmpty()) {
            try (ClipModel m = ClipModel.load(base, ClipLoadOptions.defaults().withDevice(device))) {
                ClipTokenizer tok = ClipTokenizer.forModelDir(base);
                int len = m.config().text().maxPositionEmbeddings();
                for (int s = 0; s < missing.size(); s += ClipModel.CHUNK) {
                    ctx.checkCancelled();
                    ctx.progress("text embeddings", s, missing.size(), "");
                    List<String> chunk = missing.subList(s, Math.min(missing.size(), s + ClipModel.CHUNK));
                    float[][] e = m.embedTexts(chunk.stream().map(t -> tok.encode(t, len)).toArray(long[][]::new));
                    Map<String, float[]> fresh = new LinkedHashMap<>();
                    for (int i = 0; i < chunk.size(); i++) {
                        fresh.put(sha(chunk.get(i)), e[i]);
                    }
                    cache.putAll(fresh);
                }
                ctx.progress("text embeddings", missing.size(), missing.size(), "");
            }
        }
        Map<Long, float[]> out = new LinkedHashMap<>();
        for (ImageRow r : rows) {
            float[] mean = null;
            List<String> ts = texts.get(r.id());
            for (String t : ts) {
                float[] e = cache.get(sha(t));
                double n = 0;
                for (float v : e) {
                    n += v * v;
                }
                n = Math.sqrt(n);
                if (mean == null) {
                    mean = new float[e.length];
                }
                for (int j = 0; j < e.length; j++) {
                    mean[j] += (float) (n > 0 ? e[j] / n / ts.size() : 0);
                }
            }
            out.put(r.id(), mean);
        }
        return out;
    }

    private static String sha(String text) {
        return Fingerprint.of(text.getBytes(StandardCharsets.UTF_8));
    }
}
