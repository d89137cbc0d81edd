package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.eval.MetricReport;
import dev.rali.engine.eval.ResultsTable;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.traces.TraceStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The RALI pipeline on a project (paper §4): align → embed → head (PCA, bucketed k-means, score definition) →
 * evaluate. Every stage's output lives in a work folder named by a hash of everything it depends on (inputs,
 * parameters, upstream outputs), so re-running resumes a killed stage from its checkpoint, skips finished ones,
 * and ablations share what they have in common (e.g. "no PCA" reuses the full run's aligned encoder).
 */
public final class RaliPipeline implements PipelineService {

    public static final List<String> STAGES = List.of("align", "embed", "head", "evaluate");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public List<String> stages() {
        return STAGES;
    }

    @Override
    public ObjectNode defaultParams() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode data = root.putObject("data");
        data.put("score_dataset", "");
        data.putArray("align_datasets");
        data.put("train_split", "train");
        data.put("val_split", "val");
        ObjectNode enc = root.putObject("encoder");
        enc.put("base", "");
        enc.put("device", "auto");
        enc.put("embed_batch", 16);
        putRali(root, RaliParams.defaults());
        root.putObject("evaluate").put("bootstrap", 200);
        ObjectNode run = (ObjectNode) root.remove("run");
        root.set("run", run); // seed and ablation label last
        return root;
    }

    /** The RaliParams groups, one form section each (paper §4 stages B, C.2, C.3, D). */
    public static final List<String> RALI_SECTIONS = List.of("alignment", "compression", "bases", "scoreDefinition");

    /** Writes {@code p} into the parameter layout: one section per stage plus run.seed / run.ablation. */
    public static ObjectNode putRali(ObjectNode root, RaliParams p) {
        try {
            JsonNode j = JSON.readTree(p.toJson());
            for (String sec : RALI_SECTIONS) {
                root.set(sec, j.get(sec));
            }
            ObjectNode run = root.has("run") ? (ObjectNode) root.get("run") : root.putObject("run");
            run.put("seed", p.seed);
            run.put("ablation", p.ablation);
            return root;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the RaliParams back out of the parameter layout (unknown keys are an error naming them). */
    static RaliParams rali(JsonNode p) {
        ObjectNode j = JSON.createObjectNode();
        for (String sec : RALI_SECTIONS) {
            if (p.has(sec)) {
                j.set(sec, p.get(sec));
            }
        }
        j.put("seed", p.path("run").path("seed").asLong(RaliParams.defaults().seed));
        j.put("ablation", p.path("run").path("ablation").asText("full"));
        return RaliParams.fromJson(j.toString()).validate();
    }

    @Override
    public Map<String, String> paramHelp() {
        Map<String, String> help = new LinkedHashMap<>();
        help.put("data.score_dataset", "Dataset whose train split supplies image–score pairs (bases, score definition). "
                + "RACT: scores come from one dataset only (§3.4).");
        help.put("data.align_datasets", "Datasets whose reasoning traces align the encoder (empty = the score dataset). "
                + "Several datasets = RACT-style cross-domain alignment.");
        help.put("data.train_split", "Split used for training (default train).");
        help.put("data.val_split", "Split used for validation losses and best-epoch selection (default val).");
        help.put("encoder.base", "Hugging Face CLIP folder to start from (paper: openai/clip-vit-large-patch14-336); "
                + "empty = the project's base encoder (set by `rali run --encoder DIR` or `rali demo`).");
        help.put("encoder.device", "cpu, gpu or auto.");
        help.put("encoder.embed_batch", "Images per encoder batch when embedding.");
        RaliParams.help().forEach((k, v) -> help.put(k.equals("seed") || k.equals("ablation") ? "run." + k : k, v));
        help.put("evaluate.bootstrap", "Bootstrap resamples for the 95% confidence intervals of PLCC/SRCC.");
        return help;
    }

    /** Everything a finished (or partial) pipeline run produced. */
    public record Outcome(long runId, Path encoderDir, Path headFile, ResultsTable results) { }

    @Override
    public long run(ProjectStore store, String stage, ObjectNode params, TaskContext ctx) throws Exception {
        return execute(store, stage, params, ctx).runId();
    }

    /** Runs {@code stage} (or "all") and returns what it produced. */
    public Outcome execute(ProjectStore store, String stage, ObjectNode params, TaskContext ctx) throws Exception {
        if (!stage.equals("all") && !STAGES.contains(stage)) {
            throw new IllegalArgumentException("unknown stage '" + stage + "'; expected one of " + STAGES + " or all");
        }
        Setup s = setup(store, params);
        RunRecords run = RunRecords.begin(store, stage.equals("all") ? "pipeline" : stage, s.params.toString(),
                s.rali.seed);
        TaskContext rctx = run.context(ctx);
        try {
            Path encoderDir = s.baseEncoder;
            if (s.rali.alignment.enabled) {
                encoderDir = align(store, s, rctx, stage.equals("all") || stage.equals("align"));
            }
            // Hashed once per run: it keys the embedding cache and the head, and is the encoder artifact's sha256.
            String encoderId = FileHashes.sha256(encoderDir.resolve("model.safetensors"));
            if (stage.equals("align")) {
                run.artifact("encoder", encoderDir.resolve("model.safetensors"), encoderId);
                run.finish("done", "aligned encoder in " + encoderDir);
                return new Outcome(run.runId(), encoderDir, null, null);
            }
            try (Embeddings emb = new Embeddings(store, encoderDir, encoderId, s.device, s.embedBatch)) {
                return afterEmbed(store, stage, s, run, rctx, encoderDir, encoderId, emb);
            }
        } catch (dev.rali.engine.task.CancelledException e) {
            run.finish("cancelled", "cancelled; re-run to resume from the last checkpoint");
            throw e;
        } catch (Exception | Error e) {
            run.finish("failed", String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private Outcome afterEmbed(ProjectStore store, String stage, Setup s, RunRecords run, TaskContext rctx,
                               Path encoderDir, String encoderId, Embeddings emb) throws Exception {
        {
            if (stage.equals("embed")) {
                int n = 0;
                for (String ds : s.allDatasets(store)) {
                    n += emb.of(Datasets.images(store, ds, null), rctx).size();
                }
                run.finish("done", n + " images embedded with encoder " + encoderId.substring(0, 12));
                return new Outcome(run.runId(), encoderDir, null, null);
            }
            Path headFile = head(store, s, emb, encoderId, rctx, stage.equals("all") || stage.equals("head"));
            run.artifact("encoder", encoderDir.resolve("model.safetensors"), encoderId);
            run.artifact("head", headFile);
            if (stage.equals("head")) {
                run.finish("done", "head in " + headFile);
                return new Outcome(run.runId(), encoderDir, headFile, null);
            }
            ResultsTable table = evaluate(store, s, emb, HeadParams.read(headFile).toScoreHead(), run, rctx);
            Path tableDir = store.artifactDir().resolve("runs").resolve(Long.toString(run.runId()));
            Files.createDirectories(tableDir);
            Files.writeString(tableDir.resolve("results.md"), table.toMarkdown());
            Files.writeString(tableDir.resolve("results.csv"), table.toCsv());
            Files.writeString(tableDir.resolve("results.json"), table.toJson());
            run.artifact("table", tableDir.resolve("results.csv"));
            run.finish("done", String.format("average PLCC %.4f SRCC %.4f", table.average().plcc(),
                    table.average().srcc()));
            return new Outcome(run.runId(), encoderDir, headFile, table);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Resolved parameters. */
    static final class Setup {
        final ObjectNode params;
        final RaliParams rali;
        final String scoreDataset;
        final List<String> alignDatasets;
        final String trainSplit;
        final String valSplit;
        final Path baseEncoder;
        final String device;
        final int embedBatch;
        final int bootstrap;

        Setup(ObjectNode params, RaliParams rali, String scoreDataset, List<String> alignDatasets, String trainSplit,
              String valSplit, Path baseEncoder, String device, int embedBatch, int bootstrap) {
            this.params = params;
            this.rali = rali;
            this.scoreDataset = scoreDataset;
            this.alignDatasets = alignDatasets;
            this.trainSplit = trainSplit;
            this.valSplit = valSplit;
            this.baseEncoder = baseEncoder;
            this.device = device;
            this.embedBatch = embedBatch;
            this.bootstrap = bootstrap;
        }

        List<String> allDatasets(ProjectStore store) throws Exception {
            List<String> out = new ArrayList<>();
            for (var d : Datasets.list(store)) {
                out.add(d.name());
            }
            return out;
        }
    }

    Setup setup(ProjectStore store, ObjectNode params) throws Exception {
        ObjectNode p = defaultParams();
        merge(p, params);
        JsonNode data = p.path("data");
        List<String> names = new ArrayList<>();
        for (var d : Datasets.list(store)) {
            names.add(d.name());
        }
        String scoreDs = data.path("score_dataset").asText("");
        if (scoreDs.isEmpty()) {
            if (names.size() != 1) {
                throw new IllegalArgumentException("set data.score_dataset: the project has " + names.size()
                        + " datasets " + names);
            }
            scoreDs = names.get(0);
        }
        if (!names.contains(scoreDs)) {
            throw new IllegalArgumentException("no dataset '" + scoreDs + "' in " + store.file() + " (have " + names + ")");
        }
        List<String> align = new ArrayList<>();
        data.path("align_datasets").forEach(n -> align.add(n.asText()));
        if (align.isEmpty()) {
            align.add(scoreDs);
        }
        for (String a : align) {
            if (!names.contains(a)) {
                throw new IllegalArgumentException("no dataset '" + a + "' in " + store.file() + " (have " + names + ")");
            }
        }
        String base = p.path("encoder").path("base").asText("");
        if (base.isEmpty()) {
            base = new ProjectSettings(store).get(ProjectSettings.BASE_ENCODER).orElseThrow(() ->
                    new IllegalArgumentException("no base encoder: pass encoder.base (an HF CLIP folder) or set it "
                            + "for the project with `rali run --encoder DIR`"));
        }
        Path baseDir = Path.of(base);
        if (!Files.isRegularFile(baseDir.resolve("config.json"))) {
            throw new IllegalArgumentException(baseDir + ": not a Hugging Face CLIP folder (no config.json)");
        }
        RaliParams rali = rali(p);
        // Record what was resolved, so the run's params say exactly what it used.
        ObjectNode d = (ObjectNode) p.get("data");
        d.put("score_dataset", scoreDs);
        ArrayNode al = d.putArray("align_datasets");
        align.forEach(al::add);
        ((ObjectNode) p.get("encoder")).put("base", baseDir.toAbsolutePath().toString());
        return new Setup(p, rali, scoreDs, align, data.path("train_split").asText("train"),
                data.path("val_split").asText("val"), baseDir, p.path("encoder").path("device").asText("auto"),
                p.path("encoder").path("embed_batch").asInt(16),
                p.path("evaluate").path("bootstrap").asInt(200));
    }

    /** Deep-merges {@code over} into {@code base} (objects recursively, everything else replaced). */
    public static void merge(ObjectNode base, JsonNode over) {
        if (over == null) {
            return;
        }
        over.fields().forEachRemaining(e -> {
            JsonNode cur = base.get(e.getKey());
            if (cur instanceof ObjectNode co && e.getValue().isObject()) {
                merge(co, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        });
    }

    static String hash(Object... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object o : parts) {
                md.update(String.valueOf(o).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- Stage B: alignment -----------------------------------------------------------------------------------

    Path align(ProjectStore store, Setup s, TaskContext ctx, boolean allowTraining) throws Exception {
        String baseId = FileHashes.sha256(s.baseEncoder.resolve("model.safetensors"));
        RaliParams.Alignment a = s.rali.alignment;
        String key = hash("align", baseId, JSON.writeValueAsString(a), s.alignDatasets, s.trainSplit,
                s.rali.seed);
        Path work = store.artifactDir().resolve("work").resolve("align-" + key);
        Path encoder = work.resolve("encoder");
        if (Files.isRegularFile(encoder.resolve("model.safetensors")) && Files.exists(work.resolve("DONE"))) {
            ctx.log("alignment: reusing " + work);
            return encoder;
        }
        if (!allowTraining) {
            throw new IllegalStateException("the aligned encoder for these parameters does not exist yet: run the "
                    + "align stage first (or stage all)");
        }
        List<AlignmentStage.Item> train = new ArrayList<>();
        List<AlignmentStage.Item> val = new ArrayList<>();
        for (String ds : s.alignDatasets) {
            train.addAll(items(store, ds, s.trainSplit, a.tracesPerImage));
            val.addAll(items(store, ds, s.valSplit, a.tracesPerImage));
        }
        ctx.log(String.format("alignment: %d training and %d validation images with reasoning traces from %s",
                train.size(), val.size(), s.alignDatasets));
        AlignmentStage.Options o = new AlignmentStage.Options(a.epochs, a.batchSize, a.lr, a.weightDecay,
                a.warmupSteps, a.gradClip, a.seedAugmentation, a.cropAugmentation, s.rali.seed);
        AlignmentStage.Result r = AlignmentStage.run(s.baseEncoder, train, val, o, work, s.device, ctx);
        Files.writeString(work.resolve("DONE"), "train_loss=" + r.trainLoss() + "\nval_loss=" + r.valLoss() + "\n");
        return r.encoderDir();
    }

    /** Images of a dataset split with their reasoning texts (first {@code maxTraces} seeds). */
    static List<AlignmentStage.Item> items(ProjectStore store, String dataset, String split, int maxTraces)
            throws Exception {
        Map<Long, List<String>> corpus = TraceStore.corpus(store, dataset, split, false);
        List<AlignmentStage.Item> out = new ArrayList<>();
        for (ImageRow row : Datasets.images(store, dataset, split)) {
            List<String> texts = corpus.get(row.id());
            if (texts != null && !texts.isEmpty()) {
                out.add(new AlignmentStage.Item(row.path(),
                        texts.subList(0, Math.min(texts.size(), Math.max(1, maxTraces)))));
            }
        }
        return out;
    }

    // ---- Stages C + D: PCA, bucketed k-means, score definition -------------------------------------------------

    Path head(ProjectStore store, Setup s, Embeddings emb, String encoderId, TaskContext ctx, boolean allowTraining)
            throws Exception {
        RaliParams headParams = s.rali.copy();
        headParams.alignment = new RaliParams.Alignment(); // the head does not depend on alignment knobs
        String key = hash("head", encoderId, headParams.toJson(), s.scoreDataset, s.trainSplit, s.valSplit);
        Path work = store.artifactDir().resolve("work").resolve("head-" + key);
        Path headFile = work.resolve("rali.safetensors");
        if (Files.isRegularFile(headFile)) {
            ctx.log("head: reusing " + headFile);
            return headFile;
        }
        if (!allowTraining) {
            throw new IllegalStateException("no trained head for these parameters yet: run the head stage first");
        }
        List<ImageRow> trainRows = Datasets.images(store, s.scoreDataset, s.trainSplit);
        List<ImageRow> valRows = Datasets.images(store, s.scoreDataset, s.valSplit);
        Labelled train = labelled(emb.of(trainRows, ctx), trainRows);
        Labelled val = labelled(emb.of(valRows, ctx), valRows);
        if (train.scores.length < 2) {
            throw new IllegalArgumentException("dataset '" + s.scoreDataset + "' has " + train.scores.length
                    + " labelled images in split '" + s.trainSplit + "': need at least 2 to fit the bases");
        }
        ctx.log(String.format("head: %d training and %d validation image–score pairs from '%s'",
                train.scores.length, val.scores.length, s.scoreDataset));
        var result = dev.rali.engine.rali.RaliHeadTrainer.train(train.embeddings, train.scores, val.embeddings,
                val.scores, s.rali, work, ctx);
        HeadParams hp = result.head();
        hp.write(headFile.resolveSibling("rali.safetensors.tmp"), Map.of("encoder_sha256", encoderId));
        Files.move(headFile.resolveSibling("rali.safetensors.tmp"), headFile,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return headFile;
    }

    record Labelled(float[][] embeddings, double[] scores, List<ImageRow> rows) { }

    static Labelled labelled(Map<Long, float[]> emb, List<ImageRow> rows) {
        List<float[]> e = new ArrayList<>();
        List<Double> sc = new ArrayList<>();
        List<ImageRow> kept = new ArrayList<>();
        for (ImageRow r : rows) {
            float[] v = emb.get(r.id());
            if (v != null && r.mos() != null && Double.isFinite(r.mos())) {
                e.add(v);
                sc.add(r.mos());
                kept.add(r);
            }
        }
        return new Labelled(e.toArray(float[][]::new), sc.stream().mapToDouble(Double::doubleValue).toArray(), kept);
    }

    // ---- Evaluation ---------------------------------------------------------------------------------------------

    ResultsTable evaluate(ProjectStore store, Setup s, Embeddings emb, ScoreHead head, RunRecords run,
                          TaskContext ctx) throws Exception {
        ResultsTable table = new ResultsTable();
        for (String ds : s.allDatasets(store)) {
            List<ImageRow> rows = Datasets.images(store, ds, "test");
            if (rows.stream().noneMatch(r -> r.mos() != null)) {
                rows = ds.equals(s.scoreDataset) ? List.of() : Datasets.images(store, ds, null);
            }
            if (rows.isEmpty()) {
                continue;
            }
            Labelled l = labelled(emb.of(rows, ctx), rows);
            double[] pred = new double[l.scores.length];
            Map<Long, Double> byImage = new LinkedHashMap<>();
            for (int i = 0; i < pred.length; i++) {
                pred[i] = head.score(l.embeddings[i]);
                byImage.put(l.rows.get(i).id(), pred[i]);
            }
            run.predictions(byImage);
            if (pred.length >= 3) {
                table.add(ds, MetricReport.compute(pred, l.scores, s.bootstrap, s.rali.seed));
                ctx.log(String.format("evaluate %s: n=%d PLCC %.4f SRCC %.4f", ds, pred.length,
                        table.rows().get(table.rows().size() - 1).report().plcc(),
                        table.rows().get(table.rows().size() - 1).report().srcc()));
            }
        }
        if (table.rows().isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: no dataset has at least 3 labelled test images");
        }
        return table;
    }

}
