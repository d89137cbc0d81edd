package dev.rali.engine.cli;

import dev.rali.engine.analysis.DomainGap;
import dev.rali.engine.analysis.DomainGapParams;
import dev.rali.engine.analysis.DomainGapReport;
import dev.rali.engine.analysis.DomainGapResult;
import dev.rali.engine.analysis.EmbeddingFiles;
import dev.rali.engine.analysis.EmbeddingSpace;
import dev.rali.engine.analysis.MapProjection;
import dev.rali.engine.analysis.ProjectSpaces;
import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rali analyze …}: analyses of models and data (attention dumps, domain gap of embedding spaces, …), one
 * sub-command each.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Analyses: where reasoning models look (attention); how far apart datasets lie in an embedding"
                + " space (domain gap: t-SNE/UMAP maps with the numbers behind them).",
        subcommands = {AnalyzeAttentionCommand.class, AnalyzeCommand.DomainGapCommand.class})
public final class AnalyzeCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "domain-gap", mixinStandardHelpOptions = true,
            description = {"2-D map (t-SNE or UMAP) of an embedding space coloured by dataset, and the numbers no",
                    "figure gives: domain-classifier accuracy (with chance), MMD² per dataset pair (permutation",
                    "p-value), kNN score-regression SRCC within/across datasets, the map's trustworthiness.",
                    "Writes OUT/coordinates.csv, OUT/numbers.json and OUT/map.png."})
    static final class DomainGapCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--project", description = "project (.rali): its images per dataset in the chosen --space")
        Path project;

        @Option(names = "--datasets", split = ",", description = "datasets of the project to compare (default: all)")
        List<String> datasets = new ArrayList<>();

        @Option(names = "--space", defaultValue = "base",
                description = "base (CLIP), aligned (the run's encoder), pca (after the run's PCA), text (reasoning"
                        + " traces, frozen text tower); default ${DEFAULT-VALUE}")
        String spaceName;

        @Option(names = "--run", description = "run id whose encoder/head to use (needed for aligned and pca)")
        Long run;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto, for embedding images")
        String device;

        @Option(names = "--embeddings", description = "embeddings file (safetensors, tensor 'embeddings' [N, D])")
        Path embeddings;

        @Option(names = "--groups", description = "CSV with header group[,score], one row per embedding row, in order")
        Path groups;

        @Option(names = "--method", defaultValue = "tsne", description = "tsne or umap (default ${DEFAULT-VALUE})")
        String method;

        @Option(names = "--perplexity", defaultValue = "30", description = "t-SNE perplexity (default ${DEFAULT-VALUE})")
        double perplexity;

        @Option(names = "--neighbors", defaultValue = "15", description = "UMAP neighbours (default ${DEFAULT-VALUE})")
        int neighbours;

        @Option(names = "--iterations", defaultValue = "0",
                description = "map iterations (0 = default: t-SNE 1000, UMAP 500 or 200 above 10,000 points)")
        int iterations;

        @Option(names = "--seed", defaultValue = "42", description = "seed of map, subsampling, folds, permutations")
        long seed;

        @Option(names = "--cap", defaultValue = "2000",
                description = "at most this many points on the map (stratified subsample; default ${DEFAULT-VALUE})")
        int cap;

        @Option(names = "--out", description = "output folder for coordinates.csv, numbers.json and map.png")
        Path out;

        @Option(names = "--json", description = "print the numbers as JSON instead of text")
        boolean json;

        @Option(names = {"-q", "--quiet"}, description = "no progress output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            if ((project == null) == (embeddings == null)) {
                throw new IllegalArgumentException("give either --project P.rali or --embeddings E.safetensors with"
                        + " --groups G.csv");
            }
            DomainGapParams p = DomainGapParams.defaults().withMethod(MapProjection.Method.parse(method))
                    .withMap(perplexity, neighbours, iterations, seed, cap);
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, quiet || json).cancelOnInterrupt();
            EmbeddingSpace space;
            if (project != null) {
                ProjectSpaces.Space which = ProjectSpaces.Space.parse(spaceName);
                try (ProjectStore store = CliProjects.openExisting(project)) {
                    space = ProjectSpaces.load(store, which, datasets, run, device, p.numbersCap(), seed, ctx);
                }
            } else {
                if (groups == null) {
                    throw new IllegalArgumentException("--embeddings needs --groups G.csv (header group[,score])");
                }
                space = EmbeddingFiles.read(embeddings, groups);
            }
            DomainGapResult r = new DomainGap().analyze(space, p, ctx);
            if (out != null) {
                DomainGapReport.write(r, space, out);
            }
            spec.commandLine().getOut().print(json ? DomainGapReport.toJson(r) : DomainGapReport.summary(r));
            if (out != null && !json) {
                spec.commandLine().getOut().println("wrote " + out.resolve(DomainGapReport.COORDINATES) + ", "
                        + DomainGapReport.NUMBERS + ", " + DomainGapReport.PNG);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
