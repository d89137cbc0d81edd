package dev.rali.engine.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A second JVM running a main class from the test classpath, for tests about what happens between processes
 * (locks, kill -9). Its stdout and stderr go to one log file the test can poll.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code main} with {@code args}; output goes to {@code log}. */
    public static ChildJvm start(Class<?> main, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx1g");
        cmd.add("-Doffline=true"); // DJL must never try to download native libraries
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ChildJvm(p, log);
    }

    public Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    /** Everything the child printed so far. */
    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Waits until the output satisfies {@code ready}; fails with the output if the child exits or time runs out. */
    public void awaitOutput(Predicate<String> ready, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            String out = output();
            if (ready.test(out)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("child exited with " + process.exitValue() + " before it was ready:\n" + out);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("child not ready after " + timeout + ":\n" + output());
    }

    /** kill -9: no shutdown hooks, no finally blocks. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Waits for the child to exit and returns its exit code. */
    public int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
