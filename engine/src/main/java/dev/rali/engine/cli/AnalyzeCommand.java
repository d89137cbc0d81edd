package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rali.engine.analysis.BasisExplorer;
import dev.rali.engine.analysis.DomainGap;
import dev.rali.engine.analysis.Explainer;
import dev.rali.engine.bundle.ModelBundle;
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
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rali analyze …}: analyses of models and data (attention dumps, domain gap of embedding spaces, the bases of
 * a run, the bases behind a score), one sub-command each.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Analyses: where reasoning models look (attention); how far apart datasets lie in an embedding"
                + " space (domain gap: t-SNE/UMAP maps with the numbers behind them); the bases of a run and the"
                + " bases behind an image's score; which pixels drive a score (saliency).",
        subcommands = {AnalyzeAttentionCommand.class, AnalyzeCommand.DomainGapCommand.class,
                AnalyzeCommand.BasesCommand.class, AnalyzeCommand.ExplainCommand.class, AnalyzeSaliencyCommand.class})
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

        @Option(names = "--method", defaultValue = "tsne", description = "tsne (Barnes-Hut), tsne-exact (Smile's exact "
                + "O(n²) t-SNE, up to 5,000 points) or umap (default ${DEFAULT-VALUE})")
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

        @Option(names = "--cap", defaultValue = "5000",
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

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Command(name = "bases", mixinStandardHelpOptions = true,
            description = {"The K bases of a run: score f, size (training images whose nearest basis it is), nearest",
                    "training images with their reasoning, distinguishing words (tf-idf) and position on a t-SNE map",
                    "of the training images."})
    static final class BasesCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--project", required = true, description = "project (.rali)")
        Path project;

        @Option(names = "--run", required = true, description = "run id (a pipeline run through the head stage)")
        long run;

        @Option(names = "--nearest", defaultValue = "5", description = "nearest training images per basis")
        int nearest;

        @Option(names = "--words", defaultValue = "8", description = "distinguishing words per basis")
        int words;

        @Option(names = "--map-cap", defaultValue = "2000", description = "training images on the map (0 = no map)")
        int mapCap;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto")
        String device;

        @Option(names = "--json", description = "print everything as JSON")
        boolean json;

        @Option(names = {"-q", "--quiet"}, description = "no progress output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, quiet || json).cancelOnInterrupt();
            BasisExplorer.Report r;
            try (ProjectStore store = CliProjects.openExisting(project)) {
                r = BasisExplorer.bases(store, run, nearest, words, mapCap, device, ctx);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JSON.writeValueAsString(r));
            } else {
                out.printf(Locale.ROOT, "run %d: %d bases over %d training images of %s/%s, tau %.4g%n", r.runId(),
                        r.bases().size(), r.trainingImages(), r.dataset(), r.split(), r.tau());
                for (BasisExplorer.Basis b : r.bases()) {
                    out.printf(Locale.ROOT, "basis %d: f %.3f, %d images, map (%.2f, %.2f), words: %s%n", b.index(),
                            b.f(), b.size(), b.mapX(), b.mapY(), String.join(" ", b.words()));
                    for (BasisExplorer.Member m : b.nearest()) {
                        String text = m.reasoning().replaceAll("\\s+", " ");
                        out.printf(Locale.ROOT, "    %.3f  MOS %.2f  %s  %s%n", m.cosine(), m.mos(), m.path(),
                                text.length() > 100 ? text.substring(0, 100) + "…" : text);
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {"The bases that carried an image's score: top softmax weights w with their f and share w·f.",
                    "With --project/--run (default: the project and run recorded in the bundle, when that project",
                    "file exists) each basis also lists its nearest training images."})
    static final class ExplainCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--model", required = true, description = "model bundle (*.rali-model)")
        Path model;

        @CommandLine.Parameters(arity = "1..*", paramLabel = "IMAGE", description = "image files")
        List<Path> images;

        @Option(names = "--top", defaultValue = "5", description = "bases per image (default ${DEFAULT-VALUE})")
        int top;

        @Option(names = "--project", description = "project for the bases' training images")
        Path project;

        @Option(names = "--run", description = "run id of the bundle's head in --project")
        Long run;

        @Option(names = "--device", defaultValue = "auto", description = "cpu, gpu or auto")
        String device;

        @Option(names = "--json", description = "print as JSON")
        boolean json;

        @Option(names = {"-q", "--quiet"}, description = "no progress output")
        boolean quiet;

        @Override
        public Integer call() throws IOException {
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, quiet || json).cancelOnInterrupt();
            List<Explainer.Explanation> ex = Explainer.explain(model, images, top, device, ctx);
            Map<Integer, BasisExplorer.Basis> bases = new HashMap<>();
            JsonNode manifest = ModelBundle.read(model).manifest();
            Path p = project != null ? project : manifest.hasNonNull("project")
                    ? Path.of(manifest.get("project").asText()) : null;
            Long r = run != null ? run : manifest.hasNonNull("run")
                    ? manifest.get("run").asLong() : null;
            if (p != null && r != null && java.nio.file.Files.isRegularFile(p)) {
                try (ProjectStore store = ProjectStore.open(p)) {
                    for (BasisExplorer.Basis b : BasisExplorer.bases(store, r, 3, 5, 0, device, ctx).bases()) {
                        bases.put(b.index(), b);
                    }
                }
            } else if (project != null) {
                throw new IllegalArgumentException(project + ": no such project (or give --run)");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> items = new ArrayList<>();
                for (Explainer.Explanation e : ex) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", e.file());
                    m.put("score", Double.isFinite(e.score()) ? e.score() : null);
                    m.put("error", e.error());
                    List<Map<String, Object>> cs = new ArrayList<>();
                    for (Explainer.Carrier c : e.carriers()) {
                        Map<String, Object> cm = new LinkedHashMap<>();
                        cm.put("basis", c.basis());
                        cm.put("weight", c.weight());
                        cm.put("f", c.f());
                        cm.put("contribution", c.contribution());
                        if (bases.containsKey(c.basis())) {
                            cm.put("images", bases.get(c.basis()).nearest());
                            cm.put("words", bases.get(c.basis()).words());
                        }
                        cs.add(cm);
                    }
                    m.put("bases", cs);
                    items.add(m);
                }
                out.println(JSON.writeValueAsString(items));
            } else {
                for (Explainer.Explanation e : ex) {
                    if (e.error() != null) {
                        out.println(e.file() + ": not scored: " + e.error());
                        continue;
                    }
                    out.printf(Locale.ROOT, "%s: score %.4f%n", e.file(), e.score());
                    for (Explainer.Carrier c : e.carriers()) {
                        out.printf(Locale.ROOT, "    basis %d  w %.4f  f %.3f  w·f %.4f%s%n", c.basis(), c.weight(),
                                c.f(), c.contribution(), bases.containsKey(c.basis())
                                        ? "  " + String.join(" ", bases.get(c.basis()).words()) : "");
                        BasisExplorer.Basis b = bases.get(c.basis());
                        if (b != null) {
                            for (BasisExplorer.Member m : b.nearest()) {
                                out.printf(Locale.ROOT, "        MOS %.2f  %s%n", m.mos(), m.path());
                            }
                        }
                    }
                }
            }
            out.flush();
            return ex.stream().anyMatch(e -> e.error() == null) ? 0 : 1;
        }
    }
}
