package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        try (ProjectStore store = CliProjects.openExisting(project);
             PreparedStatement ps = store.connection().prepareStatement(
                     "SELECT id, stage, status, started_at, ended_at, parent_run, message FROM runs "
                             + "ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            System.out.printf("%-5s %-10s %-10s %-24s %-24s %-6s %s%n", "id", "stage", "status", "started", "ended",
                    "parent", "message");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    System.out.printf("%-5d %-10s %-10s %-24s %-24s %-6s %s%n", rs.getLong(1), rs.getString(2),
                            rs.getString(3), rs.getString(4), rs.getString(5) == null ? "" : rs.getString(5),
                            rs.getObject(6) == null ? "" : rs.getString(6),
                            rs.getString(7) == null ? "" : rs.getString(7));
                }
            }
        }
        return 0;
    }
}
