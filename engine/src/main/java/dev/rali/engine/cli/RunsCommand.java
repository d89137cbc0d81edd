package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.project.Runs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rali runs}: the project's run records (name, tags, stage, status, timing, outcome); {@code runs list} is the
 * same listing, {@code runs show} one run whole (with where it ran), {@code runs rename} / {@code runs tag} label a
 * run as the app's Past runs table does.
 */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List the runs recorded in a project.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Rename.class,
            RunsCommand.Tag.class})
public final class RunsCommand implements Callable<Integer> {

    @Option(names = "--project", description = "Project file (*.rali).")
    Path project;

    @Option(names = "--limit", defaultValue = "50", description = "Most recent N runs (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
        if (project == null) {
            throw new IllegalArgumentException("Missing required option: '--project=<project>' "
                    + "(or a subcommand: list, rename, tag)");
        }
        return list(project, limit);
    }

    static int list(Path project, int limit) throws Exception {
        try (ProjectStore store = CliProjects.openExisting(project)) {
            System.out.printf("%-5s %-10s %-10s %-24s %-24s %-6s %-20s %-20s %s%n", "id", "stage", "status", "started",
                    "ended", "parent", "name", "tags", "message");
            for (Runs.RunItem r : new Runs(store).recent(limit)) {
                System.out.printf("%-5d %-10s %-10s %-24s %-24s %-6s %-20s %-20s %s%n", r.id(), r.stage(), r.status(),
                        r.startedAt(), r.endedAt() == null ? "" : r.endedAt(),
                        r.parentRun() == null ? "" : r.parentRun().toString(),
                        r.name() == null ? "" : r.name(), String.join(",", r.tags()),
                        r.message() == null ? "" : r.message());
            }
        }
        return 0;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the runs (newest first).")
    static final class ListRuns implements Callable<Integer> {
        @Option(names = "--project", required = true, description = "Project file (*.rali).")
        Path project;

        @Option(names = "--limit", defaultValue = "50", description = "Most recent N runs (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() throws Exception {
            return list(project, limit);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "One run: stage, status, timing, code version, where it ran (device, libtorch, precision, "
                    + "CPU, Java) and its output files.")
    static final class Show implements Callable<Integer> {
        @Option(names = "--project", required = true, description = "Project file (*.rali).")
        Path project;

        @Option(names = "--run", required = true, description = "Run id (see `rali runs list`).")
        long run;

        @Override
        public Integer call() throws Exception {
            try (ProjectStore store = CliProjects.openExisting(project)) {
                Runs runs = new Runs(store);
                Runs.RunItem r = runs.find(run).orElseThrow(() ->
                        new IllegalArgumentException(project + ": no run " + run));
                System.out.printf("run %d (%s)%s%n", r.id(), r.stage(), r.name() == null ? "" : " " + r.name());
                System.out.printf("status   %s%s%n", r.status(), r.message() == null ? "" : ": " + r.message());
                System.out.printf("started  %s%s%n", r.startedAt(), r.endedAt() == null ? "" : ", ended " + r.endedAt());
                System.out.printf("code     %s%n", r.codeVersion());
                if (r.parentRun() != null) {
                    System.out.printf("resumes  run %d%n", r.parentRun());
                }
                System.out.println(dev.rali.engine.project.RunEnvironment.describe(runs.environments(r.id())));
                for (Runs.Artifact a : runs.artifacts(r.id())) {
                    System.out.printf("artifact %-16s %s%n", a.kind(), a.path());
                }
            }
            return 0;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true,
            description = "Set a run's name (an empty NAME removes it); its tags stay.")
    static final class Rename implements Callable<Integer> {
        @Option(names = "--project", required = true, description = "Project file (*.rali).")
        Path project;

        @Option(names = "--run", required = true, description = "Run id (see `rali runs list`).")
        long run;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (ProjectStore store = CliProjects.openExisting(project)) {
                Runs.RunItem r = new Runs(store).get(run);
                RunRecords.label(store, run, name, r.tags());
                System.out.println("run " + run + (name.isBlank() ? ": name removed" : " named '" + name.strip() + "'"));
            }
            return 0;
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true,
            description = "Add tags to a run (--remove takes them off); its name stays.")
    static final class Tag implements Callable<Integer> {
        @Option(names = "--project", required = true, description = "Project file (*.rali).")
        Path project;

        @Option(names = "--run", required = true, description = "Run id (see `rali runs list`).")
        long run;

        @Option(names = "--remove", description = "Remove these tags instead of adding them.")
        boolean remove;

        @Parameters(arity = "1..*", paramLabel = "TAG")
        List<String> tags = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            try (ProjectStore store = CliProjects.openExisting(project)) {
                Runs.RunItem r = new Runs(store).get(run);
                LinkedHashSet<String> now = new LinkedHashSet<>(r.tags());
                if (remove) {
                    tags.forEach(t -> now.remove(t.strip()));
                } else {
                    now.addAll(tags);
                }
                RunRecords.label(store, run, r.name(), new ArrayList<>(now));
                System.out.println("run " + run + " tags: " + String.join(", ", new Runs(store).get(run).tags()));
            }
            return 0;
        }
    }
}
