package dev.rali.engine.cli;

import dev.rali.engine.analysis.DomainGap;
import dev.rali.engine.analysis.DomainGapParams;
import dev.rali.engine.analysis.DomainGapReport;
import dev.rali.engine.analysis.DomainGapResult;
import dev.rali.engine.analysis.EmbeddingFiles;
import dev.rali.engine.analysis.EmbeddingSpace;
import dev.rali.engine.analysis.MapProjection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
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
            if (embeddings == null || groups == null) {
                throw new IllegalArgumentException("give --embeddings E.safetensors with --groups G.csv");
            }
            EmbeddingSpace space = EmbeddingFiles.read(embeddings, groups);
            DomainGapParams p = DomainGapParams.defaults().withMethod(MapProjection.Method.parse(method))
                    .withMap(perplexity, neighbours, iterations, seed, cap);
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, quiet || json).cancelOnInterrupt();
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
