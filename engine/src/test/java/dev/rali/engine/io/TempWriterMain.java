package dev.rali.engine.io;

import java.nio.file.Path;

/** Child-JVM main: opens an atomic output for TARGET, writes a little, says WRITING and waits to be killed. */
public final class TempWriterMain {
    private TempWriterMain() { }

    public static void main(String[] args) throws Exception {
        AtomicFiles.Output o = AtomicFiles.open(Path.of(args[0]));
        o.stream().write("half a ta".getBytes());
        o.stream().flush();
        System.out.println("WRITING");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
