package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rali run}: runs a pipeline stage (or all of them) on a project, resuming from checkpoints. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run RALI stages on a project: align, embed, head (PCA + bucketed k-means + score definition), "
                + "evaluate, or all.")
public final class RunCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--project", required = true, description = "Project file (*.rali).")
    Path project;

    @Option(names = "--stage", defaultValue = "all", description = "align, embed, head, evaluate or all (default ${DEFAULT-VALUE}).")
    String stage;

    @Option(names = "--encoder", description = "Base HF CLIP folder; remembered for the project.")
    Path encoder;

    @Option(names = "--params", description = "JSON file with parameters (see --show-defaults).")
    Path paramsFile;

    @Option(names = "--set", description = "Override one parameter: dotted.key=value (JSON value or text), repeatable. "
            + "E.g. --set compression.enabled=false --set bases.count=100")
    List<String> sets = new ArrayList<>();

    @Option(names = "--ablation", description = "Shorthand for an ablation of the paper's Table 4: "
            + "full, no_alignment, no_pca, plain_kmeans, no_seed_augmentation, no_score_definition.")
    String ablation;

    @Option(names = "--show-defaults", description = "Print the default parameters (with the paper's values) and exit.")
    boolean showDefaults;

    @Override
    public Integer call() throws Exception {
        RaliPipeline pipeline = new RaliPipeline();
        if (showDefaults) {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(pipeline.defaultParams()));
            return 0;
        }
        ObjectNode params = paramsFile == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(paramsFile.toFile());
        if (ablation != null) {
            params = withAblation(params, ablation);
        }
        for (String s : sets) {
            apply(params, s);
        }
        try (ProjectStore store = CliProjects.openExisting(project,
                "no such project (create it with `rali dataset import`)")) {
            if (encoder != null) {
                new ProjectSettings(store).put(ProjectSettings.BASE_ENCODER, encoder.toAbsolutePath().toString());
            }
            ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
            RaliPipeline.Outcome o = pipeline.execute(store, stage, params, ctx);
            if (o.results() != null) {
                System.out.println(o.results().toMarkdown());
            }
            System.out.println("run " + o.runId() + " done"
                    + (o.headFile() != null ? "; export with: rali export --project " + project + " --run " + o.runId()
                    + " --out NAME.rali-model" : ""));
        }
        return 0;
    }

    /** The named Table 4 ablation's settings, overridden by whatever {@code params} sets explicitly. */
    static ObjectNode withAblation(ObjectNode params, String name) {
        ObjectNode base = RaliPipeline.putRali(JSON.createObjectNode(), dev.rali.engine.rali.RaliParams.ablation(name));
        RaliPipeline.merge(base, params);
        return base;
    }

    /** Applies {@code a.b.c=value} (value parsed as JSON when it is JSON, else text). */
    static void apply(ObjectNode root, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set expects key=value, got '" + assignment + "'");
        }
        String[] keys = assignment.substring(0, eq).split("\\.");
        String raw = assignment.substring(eq + 1);
        JsonNode value;
        try {
            value = JSON.readTree(raw);
            if (value == null || value.isMissingNode()) {
                value = JSON.getNodeFactory().textNode(raw);
            }
        } catch (Exception notJson) {
            value = JSON.getNodeFactory().textNode(raw);
        }
        ObjectNode cur = root;
        for (int i = 0; i < keys.length - 1; i++) {
            cur = cur.has(keys[i]) && cur.get(keys[i]).isObject() ? (ObjectNode) cur.get(keys[i]) : cur.putObject(keys[i]);
        }
        cur.set(keys[keys.length - 1], value);
    }
}
