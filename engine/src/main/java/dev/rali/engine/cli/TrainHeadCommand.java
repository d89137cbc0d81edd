package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.rali.LabelledEmbeddings;
import dev.rali.engine.rali.RaliHeadTrainer;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.task.TaskContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Option(names = "--train", description = "training embeddings + scores (safetensors)")
    Path train;

    @Option(names = "--val", description = "validation embeddings + scores (safetensors); picks the best epoch")
    Path val;

    @Option(names = "--params", description = "parameters as JSON (see --print-params)")
    Path paramsFile;

    @Option(names = "--ablation", defaultValue = "full",
            description = "Table 4 case: full, no_alignment, no_pca, plain_kmeans, no_seed_augmentation, no_score_definition")
    String ablation;

    @Option(names = "--set", description = "override one parameter, e.g. --set scoreDefinition.epochs=50 (repeatable)")
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
        RaliParams params = resolveParams();
        if (explain) {
            for (Map.Entry<String, String> e : RaliParams.help().entrySet()) {
                System.out.println(e.getKey() + ": " + e.getValue());
            }
            return 0;
        }
        if (printParams) {
            System.out.println(params.toJson());
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
        if (project == null) {
            report(train(tr, va, params, ctx));
            return 0;
        }
        try (ProjectStore store = ProjectStore.open(project);
             RunRecords run = RunRecords.begin(store, "train_head", params.toJson(), params.seed)) {
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

    private RaliHeadTrainer.Result train(LabelledEmbeddings tr, LabelledEmbeddings va, RaliParams params,
                                         TaskContext ctx) throws IOException {
        RaliHeadTrainer.Result r = RaliHeadTrainer.train(tr.embeddings(), tr.scores(),
                va == null ? null : va.embeddings(), va == null ? null : va.scores(), params, out, ctx);
        Files.writeString(out.resolve("params.json"), params.toJson());
        return r;
    }

    private void report(RaliHeadTrainer.Result r) {
        System.out.println("head: " + out.resolve(RaliHeadTrainer.HEAD_FILE));
        r.metrics().forEach((k, v) -> System.out.printf("%s = %.6g%n", k, v));
    }

    RaliParams resolveParams() throws IOException {
        RaliParams p;
        if (paramsFile != null) {
            if (!Files.isRegularFile(paramsFile)) {
                throw new IOException(paramsFile + ": no such parameter file");
            }
            try {
                p = RaliParams.fromJson(Files.readString(paramsFile));
            } catch (IllegalArgumentException e) {
                throw new IOException(paramsFile + ": " + e.getMessage(), e);
            }
        } else {
            p = RaliParams.ablation(ablation);
        }
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + s + "'");
            }
            p = p.with(s.substring(0, eq).strip(), s.substring(eq + 1).strip());
        }
        return p;
    }
}
