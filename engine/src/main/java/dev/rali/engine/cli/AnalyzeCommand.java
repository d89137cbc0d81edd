package dev.rali.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rali analyze …}: analyses of models and data (attention dumps, saliency, …), one sub-command each. */
@Command(name = "analyze", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Analyses: where reasoning models look (attention), which pixels drive a score (saliency).",
        subcommands = {AnalyzeAttentionCommand.class})
public final class AnalyzeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
