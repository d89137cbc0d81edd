package dev.rali.engine.cli;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.sweep.SweepReport;
import dev.rali.engine.sweep.SweepRunner;
import dev.rali.engine.sweep.SweepSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rali sweep}: hyperparameter sweeps on a project (docs/SWEEPS.md). */
@Command(name = "sweep", description = "Hyperparameter sweeps: run (grid, random, paper presets), list, show, cancel, "
        + "resume, save the best setting as a preset.",
        subcommands = {SweepCommand.Run.class, SweepCommand.ListSweeps.class, SweepCommand.Show.class,
                SweepCommand.Cancel.class, SweepCommand.Resume.class, SweepCommand.SavePreset.class,
                SweepCommand.Presets.class})
public final class SweepCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "expected a subcommand: run, list, show, cancel, "
                + "resume, save-preset, presets");
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Define a sweep, queue its points and run "
            + "them (resume a killed or cancelled sweep with `rali sweep resume ID`).")
    static final class Run implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--grid", description = "Grid: \"compression.dim=8,16;bases.count=10,20\" (every combination).")
        String grid;
        @Option(names = "--random", paramLabel = "N", description = "N settings drawn from --space.") Integer random;
        @Option(names = "--space", description = "JSON file: {\"key\": [choices] or {\"min\":…, \"max\":…, \"log\": "
                + "true}}.") Path space;
        @Option(names = "--draw-seed", defaultValue = "0", description = "Seed of the random draws (default "
                + "${DEFAULT-VALUE}).") long drawSeed;
        @Option(names = "--preset", description = "Paper preset: table4 (the six ablations) or tableA5 (M/K/N sweep "
                + "scaled to the project).") String preset;
        @Option(names = "--seeds", defaultValue = "1", description = "Seeds per setting: run.seed, run.seed+1, … "
                + "(default ${DEFAULT-VALUE}).") int seeds;
        @Option(names = "--params", description = "Base parameters: JSON file as for `rali run` (default: the paper's)."
        ) Path paramsFile;
        @Option(names = "--base-preset", description = "Base parameters from a saved preset.") String basePreset;
        @Option(names = "--set", description = "Override a base parameter: key=value, repeatable.")
        List<String> sets = new ArrayList<>();
        @Option(names = "--name", description = "A name for the sweep.") String name;
        @Option(names = "--early-stop", description = "Median rule: stop a point whose validation PLCC falls below "
                + "the median of finished points at the same epoch.") boolean earlyStop;
        @Option(names = "--early-stop-min", defaultValue = "3", description = "Finished points needed before the "
                + "median rule applies (default ${DEFAULT-VALUE}).") int earlyStopMin;
        @Option(names = "--early-stop-warmup", defaultValue = "10", description = "Epochs before the median rule "
                + "applies (default ${DEFAULT-VALUE}).") int earlyStopWarmup;
        @Option(names = "--parallel", defaultValue = "1", description = "Points at a time where memory allows "
                + "(default ${DEFAULT-VALUE}).") int parallel;
        @Option(names = "--queue-only", description = "Queue the points without running them.") boolean queueOnly;
        @Option(names = "--json", description = "Print the result as JSON.") boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int modes = (grid != null ? 1 : 0) + (random != null ? 1 : 0) + (preset != null ? 1 : 0);
            if (modes != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --grid, --random N "
                        + "--space FILE, --preset table4|tableA5");
            }
            if (random != null && space == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--random needs --space FILE.json");
            }
            SweepSpec.EarlyStop es = new SweepSpec.EarlyStop(earlyStop, earlyStopMin, earlyStopWarmup);
            // Parameters that need no project are checked before it is opened (and before any work starts).
            PipelineParams fileBase = basePreset == null ? RunCommand.resolve(paramsFile, null, sets) : null;
            String spaceJson = null;
            if (space != null) {
                if (!Files.isRegularFile(space)) {
                    throw new java.io.IOException(space + ": no such space file");
                }
                spaceJson = Files.readString(space);
            }
            if (fileBase != null && preset == null) {
                build(fileBase, spaceJson, 0); // refuses unknown keys and bad values now
            }
            try (ProjectStore store = CliProjects.openForWriting(project, "no such project (create it with `rali "
                    + "dataset import`)", "rali sweep run")) {
                PipelineParams base = fileBase;
                if (base == null) {
                    base = PipelineParams.fromJson(new SweepRecords(store).preset(basePreset).paramsJson());
                    for (String s : sets) {
                        int eq = s.indexOf('=');
                        if (eq <= 0) {
                            throw new IllegalArgumentException("--set expects key=value, got '" + s + "'");
                        }
                        base = base.with(s.substring(0, eq).strip(), s.substring(eq + 1));
                    }
                }
                SweepSpec sweepSpec = build(base, spaceJson, SweepSpec.embeddingDim(store, base));
                long id = SweepRunner.create(store, sweepSpec);
                err.printf("sweep %d: %d setting(s) × %d seed(s) = %d point(s) queued%n", id,
                        sweepSpec.settings().size(), seeds, sweepSpec.size());
                if (sweepSpec.scalingRule() != null) {
                    err.println("scaling: " + sweepSpec.scalingRule());
                }
                if (queueOnly) {
                    out.println(id);
                    out.flush();
                    err.flush();
                    return 0;
                }
                err.flush();
                return runAndReport(out, store, id, parallel, false, json);
            }
        }

        private SweepSpec build(PipelineParams base, String spaceJson, int dim) {
            String n = name != null ? name : grid != null ? "grid " + grid : random != null ? "random " + random
                    : "paper " + preset;
            if (grid != null) {
                return SweepSpec.grid(n, base, grid, seeds, new SweepSpec.EarlyStop(earlyStop, earlyStopMin,
                        earlyStopWarmup));
            }
            SweepSpec.EarlyStop es = new SweepSpec.EarlyStop(earlyStop, earlyStopMin, earlyStopWarmup);
            if (random != null) {
                return SweepSpec.random(n, base, random, spaceJson, space.toString(), drawSeed, seeds, es);
            }
            return switch (preset.toLowerCase(Locale.ROOT).replace(".", "").replace("_", "")) {
                case "table4" -> SweepSpec.table4(n, base, seeds, es);
                case "tablea5" -> SweepSpec.tableA5(n, base, dim, seeds, es);
                default -> throw new IllegalArgumentException("unknown --preset '" + preset
                        + "'; expected table4 or tableA5");
            };
        }
    }

    static int runAndReport(PrintWriter out, ProjectStore store, long id, int parallel, boolean resumeCancelled,
                            boolean json) throws Exception {
        ConsoleTaskContext ctx = new ConsoleTaskContext().cancelOnInterrupt();
        SweepRunner.Summary s = new SweepRunner().run(store, id, parallel, resumeCancelled, ctx);
        SweepReport r = SweepReport.of(store, id);
        if (json) {
            out.println(r.toJson("val_plcc"));
        } else {
            out.printf("sweep %d %s: %d done, %d pruned, %d failed, %d cancelled, %d left%n%n", id, s.status(), s.done(),
                    s.pruned(), s.failed(), s.cancelled(), s.remaining());
            printResults(out, store, r, r.table(store).toMarkdown(), "val_plcc", "in this run", s.reuse());
        }
        out.flush();
        return s.failed() > 0 && s.done() == 0 ? 1 : 0;
    }

    /**
     * What {@code run}, {@code resume} and {@code show} print after their own lines: the settings table (mean ± std
     * over seeds), parameter importance, the best setting by {@code by} with how to save it, and the reuse counters
     * ({@code scope}: this process's points, or all of the sweep's).
     */
    static void printResults(PrintWriter out, ProjectStore store, SweepReport r, String table, String by, String scope,
                             RaliPipeline.Counts c) {
        out.print(table);
        List<SweepReport.Importance> imp = r.importance(by);
        if (!imp.isEmpty()) {
            out.println("\nparameter importance (η²: share of the variance of " + by + " explained by each parameter "
                    + "alone, one-way ANOVA over finished points):");
            imp.forEach(i -> out.printf(Locale.ROOT, "  %-32s %.3f  (%d groups)%n", i.key(), i.share(), i.groups()));
        }
        r.best(by).ifPresent(b -> out.printf("%nbest by %s: setting %d %s = %s; save it with `rali sweep save-preset "
                + "--project %s --sweep %d --name NAME%s`%n", by, b.setting(), b.assignment(), b.metric(by).format(),
                store.file(), r.sweep().id(), by.equals("val_plcc") ? "" : " --by " + by));
        out.printf("reuse %s: aligned encoder %d hit / %d computed, head %d / %d, embeddings %d / %d%n", scope,
                c.alignHits(), c.alignMisses(), c.headHits(), c.headMisses(), c.embedHits(), c.embedMisses());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The project's sweeps.")
    static final class ListSweeps implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--json") boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                SweepRecords rec = new SweepRecords(store);
                List<java.util.Map<String, Object>> rows = new ArrayList<>();
                if (!json) {
                    out.printf("%-4s %-10s %-8s %-7s %-24s %s%n", "id", "status", "kind", "points", "created",
                            "name");
                }
                for (SweepRecords.Sweep s : rec.list()) {
                    List<SweepRecords.Point> pts = rec.points(s.id());
                    long done = pts.stream().filter(p -> p.status().equals(SweepRecords.DONE)).count();
                    if (json) {
                        rows.add(java.util.Map.of("id", s.id(), "name", s.name(), "kind", s.kind(), "status",
                                s.status(), "points", pts.size(), "done", done, "created", s.createdAt()));
                    } else {
                        out.printf("%-4d %-10s %-8s %-7s %-24s %s%n", s.id(), s.status(), s.kind(),
                                done + "/" + pts.size(), s.createdAt(), s.name());
                    }
                }
                if (json) {
                    out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(rows));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A sweep's points, settings (mean ± std "
            + "over seeds), best setting, parameter importance and its table.")
    static final class Show implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Parameters(index = "0", paramLabel = "SWEEP") long id;
        @Option(names = "--json") boolean json;
        @Option(names = "--format", defaultValue = "md", description = "Table format: md, csv or latex (default "
                + "${DEFAULT-VALUE}).") String format;
        @Option(names = "--by", defaultValue = "val_plcc", description = "Metric for best and importance: val_plcc, "
                + "test_plcc, test_srcc (default ${DEFAULT-VALUE}).") String by;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!SweepReport.METRICS.contains(by)) {
                throw new IllegalArgumentException("--by: unknown metric '" + by + "' (" + SweepReport.METRICS + ")");
            }
            try (ProjectStore store = CliProjects.openExisting(project)) {
                SweepReport r = SweepReport.of(store, id);
                if (json) {
                    out.println(r.toJson(by));
                    out.flush();
                    return 0;
                }
                String table = r.table(store).render(format);
                if (!format.equals("md") && !format.equals("markdown")) {
                    out.print(table); // csv / latex only: pipe it into a file
                    out.flush();
                    return 0;
                }
                var s = r.sweep();
                out.printf("sweep %d \"%s\" (%s): %s%s%n%n", s.id(), s.name(), s.kind(), s.status(),
                        s.message() == null ? "" : " — " + s.message());
                out.printf("%-5s %-7s %-6s %-11s %-6s %-8s %-8s %-8s %-7s %s%n", "point", "setting", "seed",
                        "status", "run", "val", "PLCC", "SRCC", "sec", "params");
                for (SweepReport.PointRow p : r.points()) {
                    out.printf(Locale.ROOT, "%-5d %-7d %-6d %-11s %-6s %-8s %-8s %-8s %-7s %s%n", p.index(),
                            p.setting(), p.seed(), p.status(), p.runId() == null ? "" : p.runId(), f(p.valPlcc()),
                            f(p.testPlcc()), f(p.testSrcc()), p.seconds() == null ? "" : String.format(Locale.ROOT,
                                    "%.1f", p.seconds()), p.assignment());
                }
                out.println();
                printResults(out, store, r, table, by, "over all points", r.reuse());
            }
            out.flush();
            return 0;
        }

        private static String f(Double v) {
            return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a sweep (its queued points; "
            + "the running one stops at its next safe point) or one point with --point.")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Parameters(index = "0", paramLabel = "SWEEP") long id;
        @Option(names = "--point", description = "Only this point (its index).") Integer point;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            // Not a writer: the process running the sweep holds the lock and polls these rows.
            try (ProjectStore store = CliProjects.openExisting(project)) {
                SweepRecords rec = new SweepRecords(store);
                if (point != null) {
                    rec.cancelPoint(id, point);
                    out.println("point " + point + " of sweep " + id + " cancelled");
                } else {
                    rec.cancelSweep(id);
                    out.println("sweep " + id + " " + rec.get(id).status()
                            + "; `rali sweep resume` continues it");
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue a killed, interrupted or "
            + "cancelled sweep: finished points are not repeated; points cancelled one by one stay cancelled.")
    static final class Resume implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Parameters(index = "0", paramLabel = "SWEEP") long id;
        @Option(names = "--parallel", defaultValue = "1") int parallel;
        @Option(names = "--json") boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (ProjectStore store = CliProjects.openForWriting(project, "no such project", "rali sweep resume")) {
                return runAndReport(spec.commandLine().getOut(), store, id, parallel, true, json);
            }
        }
    }

    @Command(name = "save-preset", mixinStandardHelpOptions = true, description = "Save a sweep's best setting "
            + "(or --setting N) as a named preset; run it with `rali run --preset NAME`.")
    static final class SavePreset implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;
        @Option(names = "--sweep", required = true) long id;
        @Option(names = "--name", required = true) String name;
        @Option(names = "--setting", description = "This setting instead of the best.") Integer setting;
        @Option(names = "--by", defaultValue = "val_plcc") String by;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                String source = dev.rali.engine.sweep.SweepPresets.saveBest(store, id, name, setting, by);
                out.println("preset '" + name + "' saved: " + source);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "presets", mixinStandardHelpOptions = true, description = "The project's saved presets.")
    static final class Presets implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true) Path project;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                for (SweepRecords.Preset p : new SweepRecords(store).presets()) {
                    out.printf("%-24s %-24s %s%n", p.name(), p.createdAt(), p.source() == null ? "" : p.source());
                }
            }
            out.flush();
            return 0;
        }
    }
}
