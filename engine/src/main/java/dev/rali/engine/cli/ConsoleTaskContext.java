package dev.rali.engine.cli;

import dev.rali.engine.task.CancellationToken;
import dev.rali.engine.task.TaskContext;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TaskContext} for the terminal: a one-line progress bar on stderr (redrawn at most 10 times a second,
 * plain lines when stderr is not a terminal) and Ctrl-C mapped to a clean cancel at the job's next safe point.
 */
public final class ConsoleTaskContext implements TaskContext {
    private final PrintStream err;
    private final CancellationToken token = new CancellationToken();
    private final boolean tty = System.console() != null;
    private final boolean quiet;
    private long lastDraw;
    private String lastPhase = "";

    public ConsoleTaskContext(PrintStream err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    public ConsoleTaskContext() {
        this(System.err, false);
    }

    /** Longest a Ctrl-C waits for the job's next safe point before the JVM exits anyway. */
    static final long CANCEL_WAIT_SECONDS = 60;
    private static final CountDownLatch COMMAND_DONE = new CountDownLatch(1);
    private static volatile boolean waitForCommand;

    /**
     * Makes Ctrl-C (and SIGTERM) request a cancel instead of killing the JVM mid-write. The JVM is already shutting
     * down then, so under {@link RaliCli#main} the hook waits (at most {@value #CANCEL_WAIT_SECONDS} s) until the
     * command has recorded the cancellation and printed "cancelled — re-run to resume"; kill -9 stops at once, and
     * the next open marks such a run interrupted.
     */
    public ConsoleTaskContext cancelOnInterrupt() {
        Thread hook = new Thread(() -> {
            token.cancel();
            // Only while the command is still running: at a normal exit the hook runs too, and must say nothing.
            if (waitForCommand && COMMAND_DONE.getCount() > 0) {
                err.println();
                err.println("rali: stopping at the next safe point (kill -9 stops at once)…");
                err.flush();
                try {
                    COMMAND_DONE.await(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "rali-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    /** Called by {@link RaliCli#main} before the command: an interrupt then waits for it to wind down. */
    static void commandStarting() {
        waitForCommand = true;
    }

    /** Called by {@link RaliCli#main} once the command returned and printed its last line. */
    static void commandFinished() {
        COMMAND_DONE.countDown();
    }

    public CancellationToken token() {
        return token;
    }

    /** Per-step metrics go to the project (run_metrics) and the app's plots; the terminal shows the log lines. */
    @Override
    public void metric(String name, long step, double value) {
    }

    @Override
    public synchronized void progress(String phase, long done, long total, String message) {
        if (quiet) {
            return;
        }
        long now = System.nanoTime();
        boolean finished = total > 0 && done >= total;
        if (!finished && phase.equals(lastPhase) && now - lastDraw < 100_000_000L) {
            return;
        }
        if (!tty && !finished && phase.equals(lastPhase) && now - lastDraw < 2_000_000_000L) {
            return;
        }
        lastDraw = now;
        lastPhase = phase;
        String bar;
        if (total > 0) {
            int width = 30;
            int filled = (int) Math.min(width, done * width / total);
            bar = String.format("%-14s [%s%s] %d/%d", phase, "#".repeat(filled), "-".repeat(width - filled), done, total);
        } else {
            bar = String.format("%-14s %d", phase, done);
        }
        if (message != null && !message.isEmpty()) {
            bar += "  " + message;
        }
        if (tty) {
            // erase to the end of the line: a shorter bar must not keep the tail of a longer one ("done 2/5")
            err.print("\r\033[K" + bar + (finished ? "\n" : ""));
        } else {
            err.println(bar);
        }
        err.flush();
    }

    @Override
    public synchronized void log(String line) {
        if (!quiet) {
            if (tty) {
                err.print("\r\033[K");
            }
            err.println(line);
        }
    }

    @Override
    public boolean isCancelled() {
        return token.isCancelled();
    }
}
