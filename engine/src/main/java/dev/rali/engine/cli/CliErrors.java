package dev.rali.engine.cli;

import dev.rali.engine.task.CancelledException;
import picocli.CommandLine;

/**
 * Turns exceptions from commands into one clear line on stderr (the message names the file and the problem) and
 * an exit code, instead of a stack trace. Set RALI_DEBUG=1 to see the trace.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (ex instanceof CancelledException) {
            cl.getErr().println("rali " + cl.getCommandName() + ": cancelled — re-run the same command to resume");
            cl.getErr().flush();
            return 130;
        }
        String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cl.getErr().println("rali " + cl.getCommandName() + ": error: " + msg);
        if (System.getenv("RALI_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }
}
