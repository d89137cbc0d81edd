package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.eval.MetricReport;
import dev.rali.engine.eval.ResultsTable;
import dev.rali.engine.io.CsvTable;
import dev.rali.engine.io.FileHashes;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ImageExclusions;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunEnvironment;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.clip.TorchRuntime;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.Fingerprint;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.traces.TraceStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /**
     * What this pipeline object reused and recomputed so far, counted where the work folders are looked up: the
     * aligned encoder and the head (hit = found finished in its hashed work folder), and embeddings per image (hit =
     * served from the on-disk cache). Sweeps report the difference over each point; tests assert on them.
     */
    public static final class Reuse {
        final java.util.concurrent.atomic.AtomicLong alignHits = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong alignMisses = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong embedHits = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong embedMisses = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong headHits = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong headMisses = new java.util.concurrent.atomic.AtomicLong();

        /** The counters now. */
        public Counts snapshot() {
            return new Counts(alignHits.get(), alignMisses.get(), embedHits.get(), embedMisses.get(), headHits.get(),
                    headMisses.get());
        }
    }

    /** Reuse counters at one moment; {@link #minus} gives what happened in between. */
    public record Counts(long alignHits, long alignMisses, long embedHits, long embedMisses, long headHits,
                         long headMisses) {
        public Counts minus(Counts before) {
            return new Counts(alignHits - before.alignHits, alignMisses - before.alignMisses,
                    embedHits - before.embedHits, embedMisses - before.embedMisses, headHits - before.headHits,
                    headMisses - before.headMisses);
        }

        public Counts plus(Counts o) {
            return new Counts(alignHits + o.alignHits, alignMisses + o.alignMisses, embedHits + o.embedHits,
                    embedMisses + o.embedMisses, headHits + o.headHits, headMisses + o.headMisses);
        }

        public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);
    }

    private final Reuse reuse = new Reuse();

    /** This pipeline's reuse counters (cumulative over its runs). */
    public Reuse reuse() {
        return reuse;
    }

    /** Everything a finished (or partial) pipeline run produced. */
    public record Outcome(long runId, Path encoderDir, Path headFile, ResultsTable results) { }

    @Override
    public long run(ProjectStore store, String stage, PipelineParams params, TaskContext ctx) throws Exception {
        return execute(store, stage, params, ctx).runId();
    }

    /**
     * Runs {@code stage} (or "all") and returns what it produced. Holds the project's writer lock while it runs
     * (a {@link dev.rali.engine.project.ProjectLock.BusyException} when another process is writing to the project),
     * so the CLI and the app never train into the same work folder at once.
     */
    public Outcome execute(ProjectStore store, String stage, PipelineParams params, TaskContext ctx) throws Exception {
        return execute(store, stage, params, ctx, id -> { });
    }

    /** {@link #execute}, telling {@code onRunStarted} the run's id as soon as its record exists (sweeps link it). */
    public Outcome execute(ProjectStore store, String stage, PipelineParams params, TaskContext ctx,
                           java.util.function.LongConsumer onRunStarted) throws Exception {
        if (!stage.equals("all") && !STAGES.contains(stage)) {
            throw new IllegalArgumentException("unknown stage '" + stage + "'; expected one of " + STAGES + " or all");
        }
        try (ProjectStore.Hold lock = store.holdWriterLock("pipeline " + stage)) {
            return executeLocked(store, stage, params, ctx, onRunStarted);
        }
    }

    private Outcome executeLocked(ProjectStore store, String stage, PipelineParams params, TaskContext ctx,
                                  java.util.function.LongConsumer onRunStarted) throws Exception {
        Setup s = setup(store, params);
        // A rerun after a cancel, crash or failure resumes the same work folders: record which run it continues.
        RunRecords run = RunRecords.resume(store, stage.equals("all") ? "pipeline" : stage, s.params.toJson(),
                s.rali.seed);
        onRunStarted.accept(run.runId());
        TaskContext rctx = run.context(ctx);
        try {
            recordEnvironment(store, s, run);
            Path encoderDir = s.baseEncoder;
            if (s.rali.alignment.enabled) {
                encoderDir = align(store, s, run, rctx, stage.equals("all") || stage.equals("align"));
            }
            // Hashed once per run: it keys the embedding cache and the head, and is the encoder artifact's sha256.
            String encoderId = FileHashes.sha256(encoderDir.resolve("model.safetensors"));
            if (stage.equals("align")) {
                run.artifact("encoder", encoderDir.resolve("model.safetensors"), encoderId);
                run.finish("done", "aligned encoder in " + encoderDir);
                return new Outcome(run.runId(), encoderDir, null, null);
            }
            try (Embeddings emb = new Embeddings(store, encoderDir, encoderId, s.device, s.precision, s.embedBatch)) {
                try {
                    return afterEmbed(store, stage, s, run, rctx, encoderDir, encoderId, emb);
                } finally {
                    reuse.embedHits.addAndGet(emb.cacheHits());
                    reuse.embedMisses.addAndGet(emb.cacheMisses());
                }
            }
        } catch (dev.rali.engine.task.CancelledException e) {
            run.finish("cancelled", "cancelled; re-run to resume from the last checkpoint");
            throw e;
        } catch (Exception | Error e) {
            run.finish("failed", String.valueOf(e.getMessage()));
            throw e;
        }
    }

    /** Where this start of the run computes (see {@link RunEnvironment}); a file per start, so resumes keep theirs. */
    private static void recordEnvironment(ProjectStore store, Setup s, RunRecords run) throws IOException {
        Path dir = store.artifactDir().resolve("runs").resolve(Long.toString(run.runId()));
        RunEnvironment env = captureEnvironment(s.device, s.precision, s.baseEncoder, s.rali.alignment.precision);
        run.artifact(RunEnvironment.KIND, env.write(dir, "environment-" + System.currentTimeMillis() + ".json"));
    }

    /**
     * This process, for a run with these settings: {@code device} as asked ("auto", "cpu", "gpu"), the encoder's
     * precision as resolved for the base encoder (auto becomes fp32, bf16 or bf16-mlp), the alignment's as set.
     */
    static RunEnvironment captureEnvironment(String device, String encoderPrecision, Path baseEncoder,
                                             String alignmentPrecision) {
        String precision;
        try {
            precision = dev.rali.engine.clip.Precision.resolve(encoderPrecision, device, baseEncoder).label();
        } catch (IOException | RuntimeException unreadable) {
            precision = encoderPrecision; // the pipeline reports the unreadable encoder itself
        }
        return new RunEnvironment(dev.rali.engine.Version.CODE, System.getProperty("java.vendor") + " "
                + System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                TorchRuntime.cpuModel(), Runtime.getRuntime().availableProcessors(), TorchRuntime.cpuBf16(),
                TorchRuntime.libtorch(), TorchRuntime.device(device), TorchRuntime.threads(), precision, alignmentPrecision);
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
            AtomicFiles.writeString(tableDir.resolve("results.md"), table.toMarkdown());
            AtomicFiles.writeString(tableDir.resolve("results.json"), table.toJson());
            AtomicFiles.writeString(tableDir.resolve("results.csv"), table.toCsv()); // last: the run's artifact
            run.artifact("table", tableDir.resolve("results.csv"));
            run.finish("done", String.format("average PLCC %.4f (raw %.4f) SRCC %.4f", table.average().plcc(),
                    table.average().plccRaw(), table.average().srcc()));
            return new Outcome(run.runId(), encoderDir, headFile, table);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Resolved parameters. */
    static final class Setup {
        /** As recorded: the score/align datasets and the base encoder resolved to what the run used. */
        final PipelineParams params;
        final RaliParams rali;
        final String scoreDataset;
        final List<String> alignDatasets;
        final String trainSplit;
        final String valSplit;
        final Path baseEncoder;
        final String device;
        final int embedBatch;
        final String precision;
        final int bootstrap;

        Setup(PipelineParams params, Path baseEncoder) {
            this.params = params;
            this.rali = params.rali().validate();
            this.scoreDataset = params.data().scoreDataset();
            this.alignDatasets = params.data().alignDatasets();
            this.trainSplit = params.data().trainSplit();
            this.valSplit = params.data().valSplit();
            this.baseEncoder = baseEncoder;
            this.device = params.encoder().device();
            this.embedBatch = params.encoder().embedBatch();
            this.precision = params.encoder().precision();
            this.bootstrap = params.evaluate().bootstrap();
        }

        List<String> allDatasets(ProjectStore store) throws Exception {
            List<String> out = new ArrayList<>();
            for (var d : Datasets.list(store)) {
                out.add(d.name());
            }
            return out;
        }
    }

    Setup setup(ProjectStore store, PipelineParams p) throws Exception {
        p.validate();
        List<String> names = new ArrayList<>();
        for (var d : Datasets.list(store)) {
            names.add(d.name());
        }
        String scoreDs = p.data().scoreDataset();
        if (scoreDs.isEmpty()) {
            if (names.size() != 1) {
                throw new IllegalArgumentException("set data.scoreDataset: the project has " + names.size()
                        + " datasets " + names);
            }
            scoreDs = names.get(0);
        }
        if (!names.contains(scoreDs)) {
            throw new IllegalArgumentException("no dataset '" + scoreDs + "' in " + store.file() + " (have " + names + ")");
        }
        List<String> align = new ArrayList<>(p.data().alignDatasets());
        if (align.isEmpty()) {
            align.add(scoreDs);
        }
        for (String a : align) {
            if (!names.contains(a)) {
                throw new IllegalArgumentException("no dataset '" + a + "' in " + store.file() + " (have " + names + ")");
            }
        }
        Path baseDir = new ProjectSettings(store).baseEncoder(p).orElseThrow(() ->
                // names both ways to set it: the app's users have the form, not the command line
                new IllegalArgumentException("no base encoder: set encoder.base to an HF CLIP folder (the "
                        + "encoder section of the Pipeline view's parameters, or `rali run --encoder DIR`, which "
                        + "also stores it for the project)"));
        if (!Files.isRegularFile(baseDir.resolve("config.json"))) {
            throw new IllegalArgumentException(baseDir + ": not a Hugging Face CLIP folder (no config.json)");
        }
        List<String> sources = TraceStore.sources(store);
        List<String> traceSources = new ArrayList<>(p.traces().sources());
        for (String src : traceSources) {
            if (!sources.contains(src)) {
                throw new IllegalArgumentException("data.traceSources names '" + src + "', which is not a trace source "
                        + "of " + store.file() + " (have " + sources + ")");
            }
        }
        if (traceSources.isEmpty()) {
            traceSources.addAll(sources);
        }
        // Record what was resolved, so the run's params say exactly what it used.
        PipelineParams resolved = p.with(ParamKeys.SCORE_DATASET, scoreDs)
                .with(ParamKeys.ALIGN_DATASETS, List.copyOf(align))
                .with(ParamKeys.TRACE_SOURCES, List.copyOf(traceSources))
                .with(ParamKeys.ENCODER_BASE, baseDir.toAbsolutePath().toString());
        return new Setup(resolved, baseDir);
    }

    /** A work folder's key: 16 hex digits of the fingerprint of everything the stage depends on. */
    static String hash(Object... parts) {
        return Fingerprint.ofParts(parts).substring(0, 16);
    }

    // ---- Stage B: alignment -----------------------------------------------------------------------------------

    /**
     * Stage B. The traces it aligns to are chosen by {@code data.traceSources/traceStatus/excludeWrongTraces}; their
     * ids are written to {@code alignment-traces.csv} in the work folder, recorded as the run's
     * {@code alignment_traces} artifact (its sha256 identifies the exact set and is part of the work folder's key),
     * with the count, the "wrong" verdicts left out and the texts the text tower cuts as metrics.
     */
    Path align(ProjectStore store, Setup s, RunRecords run, TaskContext ctx, boolean allowTraining) throws Exception {
        String baseId = FileHashes.sha256(s.baseEncoder.resolve("model.safetensors"));
        RaliParams.AlignmentParams a = s.rali.alignment;
        PipelineParams.Traces tp = s.params.traces();
        AlignmentInput in = alignmentInput(store, s);
        List<AlignmentStage.Item> train = in.train();
        List<AlignmentStage.Item> val = in.val();
        String tracesId = in.tracesId();
        ctx.log(String.format("alignment: %d training and %d validation images with reasoning traces from %s",
                train.size(), val.size(), s.alignDatasets));
        ctx.log(String.format("alignment: %d traces from sources %s (%s parses%s); trace set sha256 %s", in.used(),
                tp.sources(), tp.status().equals("OK") ? "OK" : "any complete reasoning",
                tp.excludeWrong() ? ", " + in.excludedWrong() + " marked wrong left out" : "",
                tracesId.substring(0, 12)));
        AlignmentStage.Truncation cut = in.truncation();
        ctx.log("alignment: " + cut.describe() + " by the text tower (alignment.textContext "
                + a.textContext + ", the encoder's limit applied)");
        if ("bf16".equals(a.precision)) {
            ctx.log("alignment: bf16 mixed precision (encoder layers in bf16; master weights, loss and AdamW fp32)");
        }
        ctx.metric("align/traces_used", 0, in.used());
        ctx.metric("align/traces_excluded_wrong", 0, in.excludedWrong());
        ctx.metric("align/traces_truncated", 0, cut.truncated());
        ctx.metric("align/traces_truncated_share", 0, cut.share());
        String ids = in.idsCsv();

        String key = hash("align", baseId, JSON.writeValueAsString(a), s.alignDatasets, s.trainSplit, s.valSplit,
                s.rali.seed, tracesId);
        Path work = store.artifactDir().resolve("work").resolve("align-" + key);
        Path encoder = work.resolve("encoder");
        Path idsFile = work.resolve("alignment-traces.csv");
        if (Files.isRegularFile(encoder.resolve("model.safetensors")) && Files.exists(work.resolve("DONE"))) {
            ctx.log("alignment: reusing " + work);
            recordTraces(run, idsFile, ids, tracesId);
            reuse.alignHits.incrementAndGet();
            return encoder;
        }
        reuse.alignMisses.incrementAndGet();
        if (!allowTraining) {
            throw new IllegalStateException("the aligned encoder for these parameters does not exist yet: run the "
                    + "align stage first (or stage all)");
        }
        Files.createDirectories(work);
        recordTraces(run, idsFile, ids, tracesId);
        AlignmentStage.Options o = AlignmentStage.Options.of(a, s.rali.seed);
        AlignmentStage.Result r = AlignmentStage.run(s.baseEncoder, train, val, o, work, s.device, ctx, bad -> {
            Map<Path, String> reasons = new LinkedHashMap<>();
            bad.forEach(u -> reasons.put(u.image(), u.reason()));
            int n = ImageExclusions.markUnreadable(store, reasons);
            ctx.log("alignment: " + bad.size() + " unreadable image(s) left out; " + n + " image row(s) marked "
                    + "excluded in the project (`rali dataset show` lists them, `rali dataset remove-image "
                    + "--excluded` deletes them)");
        });
        AtomicFiles.writeString(work.resolve("DONE"), "train_loss=" + r.trainLoss() + "\nval_loss=" + r.valLoss() + "\n");
        return r.encoderDir();
    }

    /**
     * What the alignment trains on: the images with their selected traces (train and validation split of every
     * align dataset), the traces' ids as CSV (trace_id, image_id, split, source, seed) and its sha256, how many traces
     * were used and how many "wrong" verdicts were left out, and how many texts the text tower cuts.
     */
    record AlignmentInput(List<AlignmentStage.Item> train, List<AlignmentStage.Item> val, String idsCsv,
                          String tracesId, int used, int excludedWrong, AlignmentStage.Truncation truncation) { }

    static AlignmentInput alignmentInput(ProjectStore store, Setup s) throws Exception {
        RaliParams.AlignmentParams a = s.rali.alignment;
        PipelineParams.Traces tp = s.params.traces();
        TraceStore.Selection sel = new TraceStore.Selection(tp.sources(), tp.status().equals("OK"), tp.excludeWrong());
        List<AlignmentStage.Item> train = new ArrayList<>();
        List<AlignmentStage.Item> val = new ArrayList<>();
        StringBuilder ids = new StringBuilder("trace_id,image_id,split,source,seed\n");
        int used = 0;
        int wrong = 0;
        List<String> texts = new ArrayList<>();
        for (String ds : s.alignDatasets) {
            for (boolean training : new boolean[] {true, false}) {
                String split = training ? s.trainSplit : s.valSplit;
                TraceStore.Corpus corpus = TraceStore.corpus(store, ds, split, sel);
                wrong += corpus.excludedWrong();
                for (ImageRow row : Datasets.images(store, ds, split)) {
                    List<TraceStore.CorpusTrace> ts = corpus.byImage().get(row.id());
                    if (ts == null || ts.isEmpty()) {
                        continue;
                    }
                    ts = ts.subList(0, Math.min(ts.size(), Math.max(1, a.tracesPerImage)));
                    for (TraceStore.CorpusTrace t : ts) {
                        ids.append(t.id()).append(',').append(row.id()).append(',').append(CsvTable.quote(split))
                                .append(',').append(CsvTable.quote(t.source())).append(',').append(t.seed())
                                .append('\n');
                        texts.add(t.think());
                    }
                    used += ts.size();
                    (training ? train : val).add(new AlignmentStage.Item(row.path(),
                            ts.stream().map(TraceStore.CorpusTrace::think).toList()));
                }
            }
        }
        AlignmentStage.Truncation cut = AlignmentStage.truncation(
                dev.rali.engine.clip.ClipTokenizer.forModelDir(s.baseEncoder),
                AlignmentStage.contextLength(s.baseEncoder, a.textContext), texts);
        String csv = ids.toString();
        return new AlignmentInput(train, val, csv, Fingerprint.sha256().text(csv).hex(), used, wrong, cut);
    }

    /** Writes the trace-id list (once; its content is fixed by the key) and records it as the run's artifact. */
    private static void recordTraces(RunRecords run, Path idsFile, String ids, String sha) throws IOException {
        if (!Files.isRegularFile(idsFile)) {
            AtomicFiles.writeString(idsFile, ids);
        }
        run.artifact("alignment_traces", idsFile, sha);
    }

    // ---- Stages C + D: PCA, bucketed k-means, score definition -------------------------------------------------

    Path head(ProjectStore store, Setup s, Embeddings emb, String encoderId, TaskContext ctx, boolean allowTraining)
            throws Exception {
        RaliParams headParams = s.rali.copy();
        headParams.alignment = new RaliParams.AlignmentParams(); // the head does not depend on alignment knobs
        String key = hash("head", encoderId, headParams.toJson(), s.scoreDataset, s.trainSplit, s.valSplit);
        Path work = store.artifactDir().resolve("work").resolve("head-" + key);
        Path headFile = work.resolve("rali.safetensors");
        if (Files.isRegularFile(headFile)) {
            ctx.log("head: reusing " + headFile);
            reuse.headHits.incrementAndGet();
            reportStoredValidation(headFile, ctx);
            return headFile;
        }
        reuse.headMisses.incrementAndGet();
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
        Map<String, String> meta = new LinkedHashMap<>(Map.of("encoder_sha256", encoderId));
        Double valPlcc = result.metrics().get("head.val_plcc");
        if (valPlcc != null && Double.isFinite(valPlcc)) {
            meta.put(HEAD_VAL_PLCC_KEY, Double.toString(valPlcc));
        }
        hp.write(headFile, meta); // atomic (Safetensors.Writer)
        return headFile;
    }

    /** Metadata key of a trained head file: its validation PLCC (what {@code head/val_plcc} reported). */
    static final String HEAD_VAL_PLCC_KEY = "head_val_plcc";

    /**
     * A reused head reports the validation PLCC stored when it was trained, as training does ({@code head/val_plcc}),
     * so a sweep point or run that finds its head finished still has its validation figure. Heads written before
     * the key existed have none: nothing is reported, as before.
     */
    private static void reportStoredValidation(Path headFile, TaskContext ctx) {
        try (dev.rali.engine.io.Safetensors.Reader r = dev.rali.engine.io.Safetensors.open(headFile)) {
            String v = r.metadata().get(HEAD_VAL_PLCC_KEY);
            if (v != null) {
                ctx.metric("head/val_plcc", 0, Double.parseDouble(v));
            }
        } catch (IOException | NumberFormatException e) {
            ctx.log("head: " + headFile + ": no stored validation PLCC (" + e.getMessage() + ")");
        }
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

    /**
     * The paper's protocol (§5.1, Table 2): the score dataset on its held-out split, every other dataset
     * <em>whole</em> (cross-dataset: the head never saw it). {@code evaluate.datasets} lists the datasets (empty =
     * every dataset with MOS); {@code evaluate.crossDatasetSplit} evaluates the others on their test split instead.
     * Each row records which images it used.
     */
    ResultsTable evaluate(ProjectStore store, Setup s, Embeddings emb, ScoreHead head, RunRecords run,
                          TaskContext ctx) throws Exception {
        ResultsTable table = new ResultsTable();
        for (EvalSet set : evaluationSets(store, s)) {
            List<ImageRow> rows = set.rows();
            Labelled l = labelled(emb.of(rows, ctx), rows);
            double[] pred = new double[l.scores.length];
            Map<Long, Double> byImage = new LinkedHashMap<>();
            for (int i = 0; i < pred.length; i++) {
                pred[i] = head.score(l.embeddings[i]);
                byImage.put(l.rows.get(i).id(), pred[i]);
            }
            run.predictions(byImage);
            if (pred.length >= 3) {
                MetricReport m = MetricReport.compute(pred, l.scores, s.bootstrap, s.rali.seed);
                table.add(set.dataset(), set.images(), m);
                ctx.log(String.format("evaluate %s (%s): n=%d PLCC %.4f (raw %.4f) SRCC %.4f", set.dataset(),
                        set.images(), pred.length, m.plccFitted(), m.plcc(), m.srcc()));
            } else {
                ctx.log(String.format("evaluate %s (%s): only %d labelled images, no row (need 3)", set.dataset(),
                        set.images(), pred.length));
            }
        }
        if (table.rows().isEmpty()) {
            throw new IllegalArgumentException("nothing to evaluate: no dataset has at least 3 labelled test images");
        }
        return table;
    }

    /** One evaluated dataset: its name, which images ({@link ResultsTable#TEST_SPLIT} or {@link ResultsTable#ALL}). */
    record EvalSet(String dataset, String images, List<ImageRow> rows) { }

    /** The datasets and images {@link #evaluate} scores, in project order. */
    static List<EvalSet> evaluationSets(ProjectStore store, Setup s) throws Exception {
        List<String> all = s.allDatasets(store);
        List<String> listed = s.params.evaluate().datasets();
        for (String d : listed) {
            if (!all.contains(d)) {
                throw new IllegalArgumentException("evaluate.datasets names '" + d + "', which is not a dataset of "
                        + store.file() + " (have " + all + ")");
            }
        }
        String testSplit = s.params.evaluate().testSplit();
        List<EvalSet> out = new ArrayList<>();
        for (String ds : all) {
            if (!listed.isEmpty() && !listed.contains(ds)) {
                continue;
            }
            boolean split = ds.equals(s.scoreDataset) || s.params.evaluate().crossDatasetSplit();
            List<ImageRow> rows = withMos(Datasets.images(store, ds, split ? testSplit : null));
            if (rows.isEmpty() && !listed.isEmpty()) {
                throw new IllegalArgumentException("evaluate.datasets names '" + ds + "', which has no image with "
                        + "MOS" + (split ? " in split '" + testSplit + "'" : ""));
            }
            if (!rows.isEmpty()) {
                out.add(new EvalSet(ds, split ? ResultsTable.TEST_SPLIT : ResultsTable.ALL, rows));
            }
        }
        return out;
    }

    private static List<ImageRow> withMos(List<ImageRow> rows) {
        return rows.stream().filter(r -> r.mos() != null && Double.isFinite(r.mos())).toList();
    }

}
