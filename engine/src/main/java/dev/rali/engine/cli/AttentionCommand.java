package dev.rali.engine.cli;

import dev.rali.engine.analysis.attention.AttentionImporter;
import dev.rali.engine.project.AttentionDumpRecords;
import dev.rali.engine.project.ProjectStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rali attention …}: attention dumps of reasoning models in a project (docs/ATTENTION_FORMAT.md). */
@Command(name = "attention", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Attention dumps of reasoning models: import into a project, list. Analyse: rali analyze attention.",
        subcommands = {AttentionCommand.Import.class, AttentionCommand.ListDumps.class})
public final class AttentionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The dump folders an argument stands for: a project file's imported dumps, else the folder(s) themselves. */
    static List<Path> expand(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(ProjectStore.EXTENSION)) {
                try (ProjectStore store = CliProjects.openExisting(p)) {
                    AttentionDumpRecords records = new AttentionDumpRecords(store);
                    List<AttentionDumpRecords.DumpRow> rows = records.list();
                    if (rows.isEmpty()) {
                        throw new IOException(p + ": the project has no attention dumps (rali attention import)");
                    }
                    for (AttentionDumpRecords.DumpRow r : rows) {
                        out.add(records.folder(r));
                    }
                }
            } else {
                out.addAll(dev.rali.engine.analysis.attention.AttentionDumps.find(List.of(p)));
            }
        }
        return out;
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Import dump folders (validated first: one bad dump imports nothing); links each to the"
                    + " project's image and trace when they match.")
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true, description = "Project file (.rali).")
        Path project;
        @Option(names = "--quiet", description = "No progress output.")
        boolean quiet;
        @Parameters(paramLabel = "DUMP_OR_FOLDER", arity = "1..*")
        List<Path> inputs;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                AttentionImporter.Report r = AttentionImporter.importDumps(store, inputs,
                        new ConsoleTaskContext(System.err, quiet));
                for (AttentionImporter.Imported d : r.dumps()) {
                    out.printf("%-30s %s%s%s%n", d.folder(), d.alreadyPresent() ? "already imported" : "imported",
                            d.imageId() == null ? "" : "  image " + d.imageId()
                                    + (d.traceId() == null ? "" : ", trace " + d.traceId()),
                            d.note() == null || d.alreadyPresent() ? "" : "  (" + d.note() + ")");
                }
                out.printf("%d dump(s) imported, %d already present%n", r.imported(), r.alreadyPresent());
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The project's imported attention dumps.")
    static final class ListDumps implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--project", required = true, description = "Project file (.rali).")
        Path project;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (ProjectStore store = CliProjects.openExisting(project)) {
                out.printf("%-5s %-30s %-32s %-6s %7s %s%n", "id", "folder", "image", "trace", "tokens", "model");
                for (AttentionDumpRecords.DumpRow r : new AttentionDumpRecords(store).list()) {
                    out.printf("%-5d %-30s %-32s %-6s %7d %s%n", r.id(), r.folder(),
                            r.imageName() == null ? "-" : r.imageName(), r.traceId() == null ? "-" : r.traceId(),
                            r.tokens(), r.model() == null ? "" : r.model());
                }
            }
            out.flush();
            return 0;
        }
    }
}
