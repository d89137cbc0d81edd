package dev.rali.engine.cli;

import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rali run}: runs a pipeline stage (or all of them) on a project, resuming from checkpoints. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run RALI stages on a project: align, embed, head (PCA + bucketed k-means + score definition), "
                + "evaluate, or all.")
public final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--project", description = "Project file (*.rali).")
    Path project;

    @Option(names = "--stage", defaultValue = "all", description = "align, embed, head, evaluate or all (default ${DEFAULT-VALUE}).")
    String stage;

    @Option(names = "--encoder", description = "Base HF CLIP folder; remembered for the project.")
    Path encoder;

    @Option(names = "--params", description = "JSON file with parameters, nested by section (see --show-defaults).")
    Path paramsFile;

    @Option(names = "--set", description = "Override one parameter: section.key=value, repeatable. "
            + "E.g. --set compression.enabled=false --set bases.count=100 --set data.alignDatasets=koniq,spaq")
    List<String> sets = new ArrayList<>();

    @Option(names = "--preset", description = "Start from a preset saved in the project (`rali sweep save-preset`); "
            + "--set still applies on top.")
    String preset;

    @Option(names = "--ablation", description = "Shorthand for an ablation of the paper's Table 4: "
            + "full, no_alignment, no_pca, plain_kmeans, no_seed_augmentation, no_score_definition.")
    String ablation;

    @Option(names = "--name", description = "A name for the run (shown by `rali runs` and the app's Past runs).")
    String name;

    @Option(names = "--tag", description = "A tag for the run, repeatable (e.g. --tag baseline --tag lr).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--show-defaults", description = "Print every parameter with its type, default, the paper's "
            + "value and help, and exit (no project needed).")
    boolean showDefaults;

    @Override
    public Integer call() throws Exception {
        if (showDefaults) {
            spec.commandLine().getOut().print(ParamListing.format());
            spec.commandLine().getOut().flush();
            return 0;
        }
        // Every parameter is parsed and checked before the project is opened or any work starts.
        PipelineParams params = resolve(paramsFile, ablation, sets);
        for (String t : tags) {
            if (t.contains(",")) { // checked here too: a bad tag must not cost a run
                throw new IllegalArgumentException("--tag '" + t + "' contains a comma (give each tag its own --tag)");
            }
        }
        if (project == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--project=<project>'");
        }
        if (!STAGES_AND_ALL.contains(stage)) {
            throw new IllegalArgumentException("unknown stage '" + stage + "'; expected one of " + STAGES_AND_ALL);
        }
        RaliPipeline pipeline = new RaliPipeline();
        try (ProjectStore store = CliProjects.openForWriting(project,
                "no such project (create it with `rali dataset import`)", "rali run")) {
            if (encoder != null) {
                new ProjectSettings(store).put(ProjectSettings.BASE_ENCODER, encoder.toAbsolutePath().toString());
            }
            ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
            if (preset != null) {
                if (paramsFile != null || ablation != null) {
                    throw new IllegalArgumentException("--preset replaces --params and --ablation; give only one");
                }
                params = dev.rali.engine.sweep.SweepPresets.load(store, preset);
                for (String s : sets) {
                    int eq = s.indexOf('=');
                    params = params.with(s.substring(0, eq).strip(), s.substring(eq + 1));
                }
                params.validate();
            }
            // labelled as soon as the run's record exists, so `rali runs` and the app show the name while it runs
            RaliPipeline.Outcome o = pipeline.execute(store, stage, params, ctx, runId -> {
                if ((name != null && !name.isBlank()) || !tags.isEmpty()) {
                    try {
                        RunRecords.label(store, runId, name, tags);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            if (o.results() != null) {
                System.out.println(o.results().toMarkdown());
            }
            System.out.println("run " + o.runId() + " done"
                    + (o.headFile() != null ? "; export with: rali export --project " + project + " --run " + o.runId()
                    + " --out NAME.rali-model" : ""));
        }
        return 0;
    }

    private static final List<String> STAGES_AND_ALL = java.util.stream.Stream.concat(
            RaliPipeline.STAGES.stream(), java.util.stream.Stream.of("all")).toList();

    /**
     * The run's parameters: the defaults (or the named Table 4 ablation's settings), then the parameter file's
     * entries, then each {@code --set key=value} in order. Unknown keys, wrong types and values out of range throw
     * {@link dev.rali.engine.params.ParamException} naming the key (and the file).
     */
    static PipelineParams resolve(Path paramsFile, String ablation, List<String> sets) throws IOException {
        PipelineParams p = ablation == null ? PipelineParams.defaults() : PipelineParams.ablation(ablation);
        if (paramsFile != null) {
            if (!Files.isRegularFile(paramsFile)) {
                throw new IOException(paramsFile + ": no such parameter file");
            }
            PipelineParams ablated = p;
            try {
                p = p.withAll(PipelineParams.parseJson(Files.readString(paramsFile)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(paramsFile + ": " + e.getMessage(), e);
            }
            if (ablation != null) {
                // the file would silently undo the ablation's settings: refuse a contradiction instead
                List<String> undone = new java.util.ArrayList<>();
                for (String key : ablated.changedFrom(PipelineParams.defaults())) {
                    if (!String.valueOf(p.get(key)).equals(String.valueOf(ablated.get(key)))) {
                        undone.add(key + "=" + p.get(key) + " (--ablation " + ablation + ": " + ablated.get(key) + ")");
                    }
                }
                if (!undone.isEmpty()) {
                    throw new IllegalArgumentException(paramsFile + " contradicts --ablation " + ablation + ": "
                            + String.join(", ", undone) + "; drop --ablation or those keys from the file");
                }
            }
        }
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, got '" + s + "'");
            }
            p = p.with(s.substring(0, eq).strip(), s.substring(eq + 1));
        }
        return p.validate();
    }
}
