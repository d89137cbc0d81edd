package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rali.engine.dataset.DatasetImporter;
import dev.rali.engine.dataset.DatasetLayouts;
import dev.rali.engine.dataset.DatasetSummary;
import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImportReport;
import dev.rali.engine.dataset.ImportRequest;
import dev.rali.engine.dataset.MosScale;
import dev.rali.engine.project.ImageExclusions;
import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rali dataset import|list|show}: thin wrapper over {@link DatasetImporter} and {@link Datasets}. */
@Command(name = "dataset", description = "Import and inspect IQA datasets (images + MOS).",
        mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        subcommands = {DatasetCommand.Import.class, DatasetCommand.ListCmd.class, DatasetCommand.Show.class,
                DatasetCommand.Delete.class, DatasetCommand.RemoveImage.class})
public final class DatasetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import a downloaded dataset folder (or its metadata file) into a project, creating the "
                    + "project if absent. Re-running resumes: images already imported are skipped.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true, description = "project file (.rali)") Path project;
        @Option(names = "--layout", required = true, completionCandidates = DatasetLayouts.Names.class,
                description = "one of: ${COMPLETION-CANDIDATES} (see docs/DATASETS.md)") String layout;
        @Option(names = "--name", required = true, description = "dataset name in the project") String name;
        @Option(names = "--split-seed", description = "seed of the generated split when the dataset has no official one (default 42)") Long seed;
        @Option(names = "--test-fraction", defaultValue = "0.2", description = "test share of a generated split, in (0, 1]; 1 = all test, a cross-dataset test set (default 0.2)") double testFraction;
        @Option(names = "--columns", split = ",", description = "column names, e.g. image=file,score=mos,std=sd,split=set,reference=ref,distortion=dist") Map<String, String> columns;
        @Option(names = "--range", description = "raw score range LO:HI (csv, deqa; overrides the nominal range)") String range;
        @Option(names = "--lower-is-better", description = "with --range: lower raw scores are better") boolean lowerIsBetter;
        @Option(names = "--observed-range", description = "rescale with the observed min/max instead of the nominal range") boolean observed;
        @Option(names = "--image-root", description = "folder image paths are relative to (csv, deqa)") Path imageRoot;
        @Option(names = "--allow-outside-root", description = "import rows whose image path leads outside the dataset "
                + "folder (or --image-root); refused by default") boolean allowOutsideRoot;
        @Option(names = "--verify", description = "fully decode every image (slower) instead of reading headers") boolean verify;
        @Option(names = "--quiet", description = "no progress output") boolean quiet;
        @Parameters(index = "0", paramLabel = "PATH", description = "dataset folder or metadata file") Path source;

        @Override
        public Integer call() throws Exception {
            MosScale scale = null;
            if (range != null) {
                String[] p = range.split(":");
                if (p.length != 2) {
                    throw new IllegalArgumentException("--range must be LO:HI, got '" + range + "'");
                }
                try {
                    scale = new MosScale(Double.parseDouble(p[0]), Double.parseDouble(p[1]), lowerIsBetter);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--range must be LO:HI with two numbers, got '" + range + "'");
                }
            } else if (lowerIsBetter) {
                throw new IllegalArgumentException("--lower-is-better needs --range LO:HI");
            }
            ImportRequest req = new ImportRequest(name, layout, source, seed,
                    columns == null ? Map.of() : columns, scale, observed, imageRoot, verify, testFraction, allowOutsideRoot);
            ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, quiet).cancelOnInterrupt();
            ImportReport report;
            try (ProjectStore store = ProjectStore.openForWriting(project, "rali dataset import")) {
                report = DatasetImporter.importDataset(store, req, ctx);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(report.format(50));
            out.flush();
            if (report.imported == 0 && report.skippedExisting == 0) {
                spec.commandLine().getErr().println("rali dataset import: error: nothing imported from " + source);
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the project's datasets.")
    static final class ListCmd implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                List<DatasetSummary> all = Datasets.list(store);
                if (all.isEmpty()) {
                    out.println("no datasets");
                }
                out.printf("%-20s %-8s %7s %8s  %-28s %s%n", "NAME", "LAYOUT", "IMAGES", "LABELLED", "SPLITS", "RAW RANGE");
                for (DatasetSummary s : all) {
                    out.printf("%-20s %-8s %7d %8d  %-28s %s%n", s.name(), s.layout(), s.count(), s.labelled(),
                            s.splits(), s.rawMin() == null ? "-" : fmt(s.rawMin()) + ".." + fmt(s.rawMax()));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dataset: counts, splits, score ranges, histogram.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--name", required = true) String name;
        @Option(names = "--bins", defaultValue = "16") int bins;
        @Option(names = "--json", description = "machine-readable output") boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                Datasets.DatasetDetail d = Datasets.show(store, name, bins);
                DatasetSummary s = d.summary();
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", s.name());
                    m.put("layout", s.layout());
                    m.put("source", s.sourcePath());
                    m.put("count", s.count());
                    m.put("labelled", s.labelled());
                    m.put("splits", s.splits());
                    m.put("splitSeed", s.splitSeed());
                    m.put("scale", Map.of("min", s.scoreMin(), "max", s.scoreMax(), "lowerIsBetter", s.lowerIsBetter()));
                    Map<String, Object> raw = new LinkedHashMap<>();
                    raw.put("min", s.rawMin());
                    raw.put("max", s.rawMax());
                    m.put("raw", raw);
                    Map<String, Object> norm = new LinkedHashMap<>();
                    norm.put("min", s.normalisedMin());
                    norm.put("max", s.normalisedMax());
                    m.put("normalised", norm);
                    m.put("histogram", Map.of("edges", d.binEdges(), "counts", d.histogram()));
                    m.put("excluded", ImageExclusions.list(store, name).stream()
                            .map(e -> Map.of("name", e.name(), "reason", e.reason())).toList());
                    out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
                } else {
                    out.printf("dataset     %s (layout %s)%n", s.name(), s.layout());
                    out.printf("source      %s%n", s.sourcePath());
                    out.printf("images      %d (%d labelled)%n", s.count(), s.labelled());
                    out.printf("splits      %s%s%n", s.splits(), s.splitSeed() == null ? " (official)" : " (generated, seed " + s.splitSeed() + ")");
                    out.printf("scale       [%s, %s] %s%n", fmt(s.scoreMin()), fmt(s.scoreMax()), s.lowerIsBetter() ? "lower is better" : "higher is better");
                    if (s.labelled() > 0) {
                        out.printf("raw         %s .. %s%n", fmt(s.rawMin()), fmt(s.rawMax()));
                        out.printf("normalised  %s .. %s%n", fmt(s.normalisedMin()), fmt(s.normalisedMax()));
                        out.println("histogram of normalised MOS:");
                        out.print(d.histogramText(40));
                    }
                    List<ImageExclusions.Excluded> excluded = ImageExclusions.list(store, name);
                    if (!excluded.isEmpty()) {
                        out.printf("excluded    %d image(s), left out of every stage (`rali dataset remove-image "
                                + "--excluded` deletes them):%n", excluded.size());
                        excluded.stream().limit(20).forEach(e -> out.printf("  %s: %s%n", e.name(), e.reason()));
                        if (excluded.size() > 20) {
                            out.printf("  ... and %d more%n", excluded.size() - 20);
                        }
                    }
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a dataset and everything attached to it (image files on disk are kept).")
    static final class Delete implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--name", required = true) String name;

        @Override
        public Integer call() throws Exception {
            try (ProjectStore store = CliProjects.openForWriting(project, "no such project", "rali dataset delete")) {
                int n = Datasets.delete(store, name);
                spec.commandLine().getOut().println("deleted dataset " + name + " (" + n + " images)");
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "remove-image", mixinStandardHelpOptions = true,
            description = "Delete images from a dataset by name, or all its excluded (e.g. unreadable) ones, with "
                    + "their MOS, traces and predictions (the files on disk are kept).")
    static final class RemoveImage implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--dataset", required = true) String dataset;
        @Option(names = "--excluded", description = "remove every excluded image of the dataset (see `rali dataset show`)")
        boolean excluded;
        @Parameters(paramLabel = "NAME", arity = "0..*", description = "image names as the dataset lists them")
        List<String> names = new java.util.ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (names.isEmpty() && !excluded) {
                throw new IllegalArgumentException("name the images to remove, or pass --excluded");
            }
            try (ProjectStore store = CliProjects.openForWriting(project, "no such project",
                    "rali dataset remove-image")) {
                java.util.Set<String> all = new java.util.LinkedHashSet<>(names);
                if (excluded) {
                    ImageExclusions.list(store, dataset).forEach(e -> all.add(e.name()));
                }
                int n = all.isEmpty() ? 0 : ImageExclusions.remove(store, dataset, all);
                spec.commandLine().getOut().println("removed " + n + " image(s) from dataset " + dataset);
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4g", v);
    }
}
