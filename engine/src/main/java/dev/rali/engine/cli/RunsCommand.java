package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code rali runs}: the project's run records (stage, status, timing, outcome). */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List the runs recorded in a project.")
public final class RunsCommand implements Callable<Integer> {

    @Option(names = "--project", required = true, description = "Project file (*.rali).")
    Path project;

    @Option(names = "--limit", defaultValue = "50", description = "Most recent N runs (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws Exception {
        try (ProjectStore store = CliProjects.openExisting(project)) {
            System.out.printf("%-5s %-10s %-10s %-24s %-24s %-6s %s%n", "id", "stage", "status", "started", "ended",
                    "parent", "message");
            for (Runs.RunItem r : new Runs(store).recent(limit)) {
                System.out.printf("%-5d %-10s %-10s %-24s %-24s %-6s %s%n", r.id(), r.stage(), r.status(),
                        r.startedAt(), r.endedAt() == null ? "" : r.endedAt(),
                        r.parentRun() == null ? "" : r.parentRun().toString(),
                        r.message() == null ? "" : r.message());
            }
        }
        return 0;
    }
}
