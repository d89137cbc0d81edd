package dev.rali.engine.cli;

import dev.rali.engine.io.OutputPaths;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.pipeline.AlignmentStage;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.traces.ParseStatus;
import dev.rali.engine.traces.TraceGenerator;
import dev.rali.engine.traces.TraceImporter;
import dev.rali.engine.traces.TraceStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rali traces …}: import, generate, list and summarise reasoning traces (paper Stage A). */
@Command(name = "traces", description = "Reasoning traces: import, generate (OpenAI-compatible server), list, stats.",
        mixinStandardHelpOptions = true,
        subcommands = {TracesCommand.Import.class, TracesCommand.Generate.class, TracesCommand.ListTraces.class,
                TracesCommand.Stats.class, TracesCommand.ExportAudit.class})
public final class TracesCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static ProjectStore openExisting(Path project) throws IOException {
        return CliProjects.openExisting(project, "no such project file");
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import traces from JSONL, JSON, CSV or a folder of IMAGE__seedN.txt files.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true, description = "Project file (.rali).")
        Path project;
        @Option(names = "--source", description = "Source name to store the traces under (default: the model field or the file name).")
        String source;
        @Option(names = "--dataset", description = "Resolve image references only within this dataset.")
        String dataset;
        @Option(names = "--quiet", description = "No progress output.")
        boolean quiet;
        @Parameters(paramLabel = "FILE_OR_DIR")
        Path input;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = CliProjects.openForWriting(project, "no such project file", "rali traces import")) {
                TraceImporter.Report r = new TraceImporter().importPath(store, input,
                        new TraceImporter.Options(source, dataset), new ConsoleTaskContext(System.err, quiet));
                for (TraceImporter.Problem p : r.problems()) {
                    spec.commandLine().getErr().println("skipped: " + p);
                }
                out.printf("imported %d traces from %d file(s): %d new, %d changed, %d unchanged; %d skipped%n",
                        r.written(), r.files(), r.inserted(), r.updated(), r.unchanged(), r.problems().size());
                r.statuses().forEach((s, n) -> out.printf("  %-20s %d%n", s.dbValue(), n));
                out.flush();
                return r.written() == 0 && !r.problems().isEmpty() ? 1 : 0;
            }
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Ask running OpenAI-compatible servers (serving Q-Insight) for traces; resumable.")
    static final class Generate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--dataset", required = true) String dataset;
        @Option(names = "--split", description = "Only images of this split (e.g. train).") String split;
        @Option(names = "--base-url", required = true, description = "Server root, e.g. http://localhost:8000; "
                + "repeat it (or give a comma-separated list) to spread requests over several servers.", split = ",")
        List<URI> baseUrls;
        @Option(names = "--model", required = true, description = "Model name the server expects.") String model;
        @Option(names = "--source", description = "Source name for the stored traces (default: the model name).") String source;
        @Option(names = "--seeds", defaultValue = "5", description = "Generations per image (default ${DEFAULT-VALUE}).") int seeds;
        @Option(names = "--seed-base", defaultValue = "0", description = "First seed (default ${DEFAULT-VALUE}).") long seedBase;
        @Option(names = "--concurrency", defaultValue = "4",
                description = "Requests in flight per server (default ${DEFAULT-VALUE}).") int concurrency;
        @Option(names = "--prompt", description = "User prompt file (default: Q-Insight's scoring prompt).") Path prompt;
        @Option(names = "--system-prompt", description = "System prompt file (default: Q-Insight's).") Path systemPrompt;
        @Option(names = "--no-system-prompt", description = "Send no system message.") boolean noSystem;
        @Option(names = "--retries", defaultValue = "5", description = "Retries per request (default ${DEFAULT-VALUE}).") int retries;
        @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
                description = "Per-request timeout in seconds (default ${DEFAULT-VALUE}); a timed-out request is retried.")
        double timeoutSeconds;
        @Option(names = "--deadline", paramLabel = "DURATION",
                description = "Stop starting requests after this long, e.g. 90m, 2h, 3600s (default: none); "
                        + "a re-run continues.")
        String deadline;
        @Option(names = "--api-key-env", description = "Name of an environment variable holding a bearer token.") String apiKeyEnv;
        @Option(names = "--quiet") boolean quiet;

        @Override
        public Integer call() throws Exception {
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(baseUrls.get(0), model).withBaseUrls(baseUrls)
                    .withSeeds(seeds)
                    .withSeedBase(seedBase).withConcurrency(concurrency)
                    .withRetries(retries, java.time.Duration.ofSeconds(1))
                    .withRequestTimeout(positiveDuration("--timeout", timeoutSeconds + "s"));
            if (deadline != null) {
                cfg = cfg.withDeadline(positiveDuration("--deadline", deadline));
            }
            if (source != null) {
                cfg = cfg.withSource(source);
            }
            String sys = noSystem ? null : systemPrompt == null ? cfg.systemPrompt() : read(systemPrompt);
            String user = prompt == null ? cfg.userPrompt() : read(prompt);
            cfg = cfg.withPrompts(sys, user);
            if (apiKeyEnv != null) {
                String key = System.getenv(apiKeyEnv);
                if (key == null) {
                    throw new IOException("environment variable " + apiKeyEnv + " is not set");
                }
                cfg = cfg.withApiKey(key);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = CliProjects.openForWriting(project, "no such project file",
                    "rali traces generate")) {
                List<TraceGenerator.Target> targets = TraceGenerator.targets(store, dataset, split);
                ConsoleTaskContext ctx = new ConsoleTaskContext(System.err, quiet).cancelOnInterrupt();
                TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, ctx);
                out.printf("%d images x %d seeds: %d generated, %d already stored, %d failed (source '%s')%n",
                        targets.size(), seeds, r.generated(), r.skipped(), r.failed(), cfg.source());
                r.statuses().forEach((s, n) -> out.printf("  %-20s %d%n", s.dbValue(), n));
                out.printf(java.util.Locale.ROOT, "servers (%.1f s):%n", r.seconds());
                r.servers().forEach(sv -> out.println("  " + sv.describe()));
                for (String f : r.failures().subList(0, Math.min(20, r.failures().size()))) {
                    spec.commandLine().getErr().println("failed: " + f);
                }
                out.flush();
                if (r.failed() > 0) {
                    throw new IOException(r.failed() + " requests to " + (cfg.baseUrls().size() == 1 ? cfg.endpoint()
                            : cfg.baseUrls().size() + " servers") + " failed; run the same command again to retry them");
                }
                if (r.notStarted() > 0) {
                    throw new IOException("deadline of " + deadline + " reached with " + r.notStarted()
                            + " (image, seed) pairs not started; run the same command again to continue");
                }
                return 0;
            }
        }

        /** "90" or "90s" seconds, "30m", "2h", or ISO-8601 ("PT2H"); must be positive. */
        static java.time.Duration positiveDuration(String option, String text) {
            String t = text.strip().toLowerCase(java.util.Locale.ROOT);
            java.time.Duration d;
            try {
                if (t.startsWith("pt")) {
                    d = java.time.Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
                } else {
                    char last = t.charAt(t.length() - 1);
                    String number = Character.isLetter(last) ? t.substring(0, t.length() - 1) : t;
                    double secs = Double.parseDouble(number) * switch (Character.isLetter(last) ? last : 's') {
                        case 's' -> 1;
                        case 'm' -> 60;
                        case 'h' -> 3600;
                        default -> throw new NumberFormatException();
                    };
                    d = java.time.Duration.ofMillis(Math.round(secs * 1000));
                }
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(option + ": cannot read '" + text + "' as a duration (e.g. 90s, 30m, 2h)");
            }
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(option + " must be positive, got '" + text + "'");
            }
            return d;
        }

        private static String read(Path p) throws IOException {
            if (!Files.isRegularFile(p)) {
                throw new IOException(p + ": prompt file not found");
            }
            String s = Files.readString(p, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                throw new IOException(p + ": prompt file is empty");
            }
            return s;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List traces (tab-separated).")
    static final class ListTraces implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--dataset") String dataset;
        @Option(names = "--source") String source;
        @Option(names = "--status", description = "ok, empty, no_think, unclosed_think, no_answer, no_score, score_out_of_range") String status;
        @Option(names = "--limit", defaultValue = "50", description = "At most N rows; 0 = all (default ${DEFAULT-VALUE}).") int limit;
        @Option(names = "--full", description = "Print the whole think text instead of its first 80 characters.") boolean full;

        @Override
        public Integer call() throws Exception {
            ParseStatus st = status == null ? null : ParseStatus.fromDb(status);
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = openExisting(project)) {
                List<TraceStore.TraceRow> rows = TraceStore.list(store, new TraceStore.Query(dataset, source, st, null, limit, 0));
                out.println("id\tdataset\timage\tsource\tseed\tstatus\tscore\tthink");
                for (TraceStore.TraceRow r : rows) {
                    String think = r.think() == null ? "" : r.think().replaceAll("\\s+", " ");
                    if (!full && think.length() > 80) {
                        think = think.substring(0, 80) + "…";
                    }
                    out.printf("%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s%n", r.id(), r.dataset(), r.imageName(), r.source(), r.seed(),
                            r.status().dbValue(), r.score() == null ? "" : r.score().toString(), think);
                }
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Trace counts by status, source and "
            + "seeds per image, and how many reasoning texts the CLIP text tower cuts.")
    static final class Stats implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--dataset") String dataset;
        @Option(names = "--text-context", defaultValue = "77", description = "Tokens the text tower keeps "
                + "(alignment.textContext; at most the project's base encoder's limit). Default ${DEFAULT-VALUE}.")
        int textContext;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = openExisting(project)) {
                Map<ParseStatus, Long> counts = TraceStore.countsByStatus(store, dataset);
                long total = counts.values().stream().mapToLong(Long::longValue).sum();
                out.printf("traces: %d%s%n", total, dataset == null ? "" : " (dataset " + dataset + ")");
                out.println("by status:");
                counts.forEach((s, n) -> out.printf("  %-20s %d%n", s.dbValue(), n));
                out.println("by source:");
                TraceStore.countsBySource(store).forEach((s, n) -> out.printf("  %-20s %d%n", s, n));
                out.println("traces per image (all statuses): traces -> images");
                TraceStore.tracesPerImage(store, dataset, false).forEach((k, n) -> out.printf("  %3d -> %d%n", k, n));
                out.println("ok traces per image: traces -> images");
                TraceStore.tracesPerImage(store, dataset, true).forEach((k, n) -> out.printf("  %3d -> %d%n", k, n));
                if (textContext < 2) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--text-context must be at least 2");
                }
                // The base encoder's tokenizer and limit when the project has one, else CLIP's own (77 positions);
                // no run here, so the default parameters (no encoder.base) leave the project's setting.
                var base = new ProjectSettings(store).baseEncoder(PipelineParams.defaults())
                        .filter(d -> Files.isRegularFile(d.resolve("config.json")));
                int ctxLen = base.isPresent() ? AlignmentStage.contextLength(base.get(), textContext)
                        : Math.min(textContext, ClipTokenizer.CONTEXT_LENGTH);
                ClipTokenizer tok = ClipTokenizer.forModelDir(base.orElse(null));
                List<String> texts = TraceStore.corpus(store, dataset, null, false).values().stream()
                        .flatMap(List::stream).toList();
                AlignmentStage.Truncation cut = AlignmentStage.truncation(tok, ctxLen, texts);
                out.printf(java.util.Locale.ROOT, "reasoning texts cut by the text tower at %d tokens: %d of %d (%.1f %%)%n",
                        ctxLen, cut.truncated(), cut.texts(), 100 * cut.share());
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "export-audit", mixinStandardHelpOptions = true, description = "Write the audit verdicts and notes as CSV.")
    static final class ExportAudit implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Parameters(paramLabel = "OUT.csv") Path outFile;
        @Option(names = "--force", description = "Replace an existing OUT file that is not a .csv file.") boolean force;

        @Override
        public Integer call() throws Exception {
            OutputPaths.file(outFile, "csv").protectProject(project).force(force).check();
            try (ProjectStore store = openExisting(project)) {
                int n = TraceStore.exportAuditCsv(store, outFile);
                spec.commandLine().getOut().printf("wrote %d audited traces to %s%n", n, outFile);
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
