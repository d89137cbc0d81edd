package dev.rali.engine.project;

import java.nio.file.Path;

/** Child-JVM main for the lock tests: opens PROJECT for writing as COMMAND, says LOCKED, and waits to be killed. */
public final class LockHolderMain {
    private LockHolderMain() { }

    public static void main(String[] args) throws Exception {
        ProjectStore store = ProjectStore.openForWriting(Path.of(args[0]), args[1]);
        store.writerLock().orElseThrow().runId(Long.parseLong(args[2]));
        System.out.println("LOCKED " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
