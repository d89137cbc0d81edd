package dev.rali.engine.cli;

import dev.rali.engine.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rali} command line. Each verb is a thin picocli command calling an engine service, the same service
 * the desktop app calls. Sub-commands are registered in {@link #commandLine()} (one line each).
 */
@Command(name = "rali", mixinStandardHelpOptions = true, versionProvider = RaliCli.VersionProvider.class,
        description = "RALI Workbench: reasoning-aligned image-quality assessment (CLI).",
        synopsisSubcommandLabel = "COMMAND")
public final class RaliCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Any command's {@code --threads N} (inherited by every sub-command): applied as it is parsed, before any work. */
    @CommandLine.Option(names = "--threads", paramLabel = "N", scope = CommandLine.ScopeType.INHERIT,
            description = "libtorch's intra-op threads for this command (default: one per core)")
    void threads(int n) {
        try {
            dev.rali.engine.clip.TorchRuntime.setThreads(n);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads " + e.getMessage());
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The configured command tree; tests call this to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RaliCli());
        // Sub-commands, one per verb (keep alphabetical).
        cl.addSubcommand("analyze", new AnalyzeCommand());
        cl.addSubcommand("attention", new AttentionCommand());
        cl.addSubcommand("bench", new BenchCommand());
        cl.addSubcommand("dataset", new DatasetCommand());
        cl.addSubcommand("demo", new DemoCommand());
        cl.addSubcommand("embed", new EmbedCommand());
        cl.addSubcommand("eval", new EvalCommand());
        cl.addSubcommand("export", new ExportCommand());
        cl.addSubcommand("import-embeddings", new ImportEmbeddingsCommand());
        cl.addSubcommand("import-official", new ImportOfficialCommand());
        cl.addSubcommand("model", new ModelCommand());
        cl.addSubcommand("run", new RunCommand());
        cl.addSubcommand("runs", new RunsCommand());
        cl.addSubcommand("score", new ScoreCommand());
        cl.addSubcommand("sweep", new SweepCommand());
        cl.addSubcommand("tokenize", new TokenizeCommand());
        cl.addSubcommand("traces", new TracesCommand());
        cl.addSubcommand("train-head", new TrainHeadCommand());
        cl.setExecutionExceptionHandler(new CliErrors());
        return cl;
    }

    public static void main(String[] args) {
        ConsoleTaskContext.commandStarting();
        int code = commandLine().execute(args);
        System.out.flush();
        System.err.flush();
        ConsoleTaskContext.commandFinished(); // a Ctrl-C shutdown, if one is waiting, may now complete
        System.exit(code);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"RALI Workbench " + Version.CODE};
        }
    }
}
