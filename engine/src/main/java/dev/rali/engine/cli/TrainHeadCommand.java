package dev.rali.engine.cli;

import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.params.ParamException;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectLock;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.rali.LabelledEmbeddings;
import dev.rali.engine.rali.RaliHeadTrainer;
import dev.rali.engine.task.TaskContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rali train-head}: trains RALI's head (PCA → bucketed k-means bases → score definition) from precomputed
 * embeddings. Rerunning with the same --out resumes a cancelled run.
 */
@Command(name = "train-head", mixinStandardHelpOptions = true,
        description = {"Train the RALI head (PCA, bucketed k-means bases, score definition; paper §4) from embeddings.",
                "Input files: safetensors with 'embeddings' [n,D] and 'scores' [n] (MOS in [1,5]).",
                "Writes OUT/rali.safetensors (plus stage files; rerun with the same OUT to resume)."})
public final class TrainHeadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--train", description = "training embeddings + scores (safetensors)")
    Path train;

    @Option(names = "--val", description = "validation embeddings + scores (safetensors); picks the best epoch")
    Path val;

    @Option(names = "--params", description = "parameters as JSON nested by section (see --print-params)")
    Path paramsFile;

    @Option(names = "--ablation",
            description = "Table 4 case of the head: full, no_pca, plain_kmeans, no_score_definition (no_alignment "
                    + "and no_seed_augmentation change the encoder: embed with that encoder, or use rali run)")
    String ablation;

    @Option(names = "--set", description = "override one parameter, e.g. --set scoreDefinition.epochs=50 "
            + "--set run.seed=7 (repeatable)")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", description = "work/output folder")
    Path out;

    @Option(names = "--print-params", description = "print the resolved parameters as JSON and exit")
    boolean printParams;

    @Option(names = "--explain", description = "print every parameter with its explanation and exit")
    boolean explain;

    @Option(names = {"-q", "--quiet"}, description = "no progress output")
    boolean quiet;

    @Option(names = "--project", description = "record the run, its metrics and the head file in this project (.rali)")
    Path project;

    @Override
    public Integer call() throws IOException {
        if (explain) {
            spec.commandLine().getOut().print(ParamListing.format(k -> HEAD_SECTIONS.contains(k.section())));
            spec.commandLine().getOut().flush();
            return 0;
        }
        PipelineParams params = resolveParams();
        if (printParams) {
            spec.commandLine().getOut().println(params.toPrettyJson());
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (train == null || out == null) {
            throw new IllegalArgumentException("--train and --out are required");
        }
        LabelledEmbeddings tr = LabelledEmbeddings.read(train);
        LabelledEmbeddings va = val == null ? null : LabelledEmbeddings.read(val);
        ConsoleTaskContext console = new ConsoleTaskContext(System.err, quiet).cancelOnInterrupt();
        TaskContext ctx = new TaskContext() { // per-step losses only drive plots; the terminal shows epochs
            @Override public void progress(String phase, long done, long total, String message) {
                console.progress(phase, done, total, message);
            }
            @Override public void log(String line) {
                console.log(line);
            }
            @Override public void metric(String name, long step, double value) { }
            @Override public boolean isCancelled() {
                return console.isCancelled();
            }
        };
        // One writer per work folder: two runs resuming the same --out would overwrite each other's stage files.
        try (ProjectLock folder = ProjectLock.acquireFolder(out, "rali train-head")) {
            if (project == null) {
                report(train(tr, va, params, ctx));
                return 0;
            }
            return trainRecorded(tr, va, params, ctx);
        }
    }

    private int trainRecorded(LabelledEmbeddings tr, LabelledEmbeddings va, PipelineParams params, TaskContext ctx)
            throws IOException {
        try (ProjectStore store = ProjectStore.openForWriting(project, "rali train-head");
             RunRecords run = RunRecords.begin(store, "train_head", params.toJson(), params.run().seed())) {
            RaliHeadTrainer.Result r;
            try {
                r = train(tr, va, params, run.context(ctx));
            } catch (RuntimeException | IOException e) {
                run.finish(RunRecords.statusOf(e), e.getMessage());
                throw e;
            }
            for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
                run.metric(m.getKey(), 0, m.getValue());
            }
            run.artifact("head", out.resolve(RaliHeadTrainer.HEAD_FILE));
            Double v = r.metrics().get("head.val_plcc");
            run.finish(RunRecords.DONE, v == null ? "trained" : String.format("val PLCC %.4f", v));
            System.out.println("run: " + run.runId() + " in " + store.file());
            report(r);
        }
        return 0;
    }

    private RaliHeadTrainer.Result train(LabelledEmbeddings tr, LabelledEmbeddings va, PipelineParams params,
                                         TaskContext ctx) throws IOException {
        RaliHeadTrainer.Result r = RaliHeadTrainer.train(tr.embeddings(), tr.scores(),
                va == null ? null : va.embeddings(), va == null ? null : va.scores(), params.rali(), out, ctx);
        AtomicFiles.writeString(out.resolve("params.json"), params.toPrettyJson());
        return r;
    }

    private void report(RaliHeadTrainer.Result r) {
        System.out.println("head: " + out.resolve(RaliHeadTrainer.HEAD_FILE));
        r.metrics().forEach((k, v) -> System.out.printf("%s = %.6g%n", k, v));
    }

    /** Table 4 cases that differ only in the encoder's alignment, which train-head cannot apply. */
    static final List<String> ALIGNMENT_ABLATIONS = List.of("no_alignment", "no_seed_augmentation");

    /** The sections train-head uses: the head's stages and the run's seed (alignment only as an ablation label). */
    static final List<String> HEAD_SECTIONS = List.of("compression", "bases", "scoreDefinition", "run");

    /**
     * The ablation's settings, the parameter file, then each --set (as {@code rali run}); a changed key of a
     * section train-head does not use (data, encoder, evaluate) is refused rather than silently ignored, and so is
     * anything that changes the encoder's alignment, from whichever source: the embedding files carry no record of
     * the alignment that made them, so the only alignment train-head can state is the default one.
     */
    PipelineParams resolveParams() throws IOException {
        if (ablation != null && ALIGNMENT_ABLATIONS.contains(ablation)) {
            throw new ParamException("--ablation " + ablation + " changes the alignment of the encoder, and train-head "
                    + "only sees the embeddings in --train/--val: embed the images with that encoder and train the "
                    + "full head on them, or run `rali run --ablation " + ablation + "`");
        }
        PipelineParams p = RunCommand.resolve(paramsFile, ablation, sets);
        String resolvedAblation = p.get(ParamKeys.ABLATION);
        if (ALIGNMENT_ABLATIONS.contains(resolvedAblation)) {
            throw new ParamException(ParamKeys.ABLATION.name() + "=" + resolvedAblation + " (from " + sourceOf()
                    + ") names an ablation of the encoder's alignment, and train-head only sees the embeddings in "
                    + "--train/--val: it would record the full head under that name. Embed the images with that "
                    + "encoder and train with run.ablation=full, or run `rali run --ablation " + resolvedAblation + "`");
        }
        for (String key : p.changedFrom(PipelineParams.defaults())) {
            String section = key.substring(0, key.indexOf('.'));
            if (List.of("data", "encoder", "evaluate").contains(section)) {
                throw new ParamException(key + ": not used by train-head, which trains the head from the --train and "
                        + "--val files (use `rali run` for the whole pipeline)");
            }
            if (section.equals("alignment")) {
                throw new ParamException(key + "=" + p.get(key) + " (from " + sourceOf() + "; default "
                        + PipelineParams.defaults().get(key) + "): changes the encoder's alignment, which train-head "
                        + "cannot apply to the embeddings in --train/--val and would record for a head that did not "
                        + "use it; embed the images with that encoder, or use `rali run`");
            }
        }
        return p;
    }

    /** Where the resolved parameters came from, for the refusal messages. */
    private String sourceOf() {
        List<String> from = new ArrayList<>();
        if (paramsFile != null) {
            from.add("--params " + paramsFile);
        }
        if (!sets.isEmpty()) {
            from.add("--set");
        }
        return from.isEmpty() ? "the defaults" : String.join(" or ", from);
    }
}
