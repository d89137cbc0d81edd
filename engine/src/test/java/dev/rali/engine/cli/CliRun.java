package dev.rali.engine.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the rali CLI in-process and captures what it prints, for the tests of the commands. */
final class CliRun {
    /** One command's exit code, standard output and error output. */
    record Result(int code, String out, String err) { }

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs one command with a fresh capture. */
    static Result exec(String... args) {
        CliRun c = new CliRun();
        int code = c.run(args);
        return new Result(code, c.out(), c.err());
    }

    /** Runs one command; what it prints is added to what earlier runs printed. */
    int run(String... args) {
        CommandLine cl = RaliCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    /** Forgets what earlier runs printed, then runs one command. */
    int runClean(String... args) {
        clear();
        return run(args);
    }

    /** Forgets what earlier runs printed. */
    void clear() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }
}
