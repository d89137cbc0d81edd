package dev.rali.engine.project;

import dev.rali.engine.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProjectLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondWriterIsToldWhichRunHoldsTheProject() throws Exception {
        Path project = dir.resolve("p.rali");
        try (ProjectLock first = ProjectLock.acquireProject(project, "rali run")) {
            first.runId(12);
            ProjectLock.BusyException e = assertThrows(ProjectLock.BusyException.class,
                    () -> ProjectLock.acquireProject(project, "rali dataset import"));
            long pid = ProcessHandle.current().pid();
            assertTrue(e.getMessage().matches("project p\\.rali is busy: run 12 \\(rali run\\) by PID " + pid
                    + " since \\d\\d:\\d\\d; wait for it to finish or stop it, then try again"), e.getMessage());
            assertEquals(12L, e.holder().orElseThrow().runId());
            assertTrue(Files.readString(ProjectLock.lockFileOf(project)).contains("\"run_id\":12"));
        }
        // A clean release leaves an empty file: the next writer gets in and finds nothing stale.
        assertEquals("", Files.readString(ProjectLock.lockFileOf(project)));
        try (ProjectLock next = ProjectLock.acquireProject(project, "rali run")) {
            assertTrue(next.stale().isEmpty());
        }
    }

    @Test
    void aStoreOpenedForWritingSharesItsLockWithTheServicesItCallsButNotWithOtherStores() throws Exception {
        Path project = dir.resolve("p.rali");
        try (ProjectStore writer = ProjectStore.openForWriting(project, "rali run")) {
            try (ProjectStore.Hold inner = writer.holdWriterLock("pipeline all")) {
                assertEquals("rali run", writer.writerLock().orElseThrow().holder().command());
            }
            assertTrue(writer.writerLock().isPresent(), "an inner hold does not release the command's lock");
            try (ProjectStore other = ProjectStore.open(project)) {
                ProjectLock.BusyException e = assertThrows(ProjectLock.BusyException.class,
                        () -> other.holdWriterLock("app: run all"));
                assertTrue(e.getMessage().contains("rali run by PID"), e.getMessage());
            }
        }
        try (ProjectStore later = ProjectStore.open(project); ProjectStore.Hold h = later.holdWriterLock("app: run all")) {
            assertTrue(later.writerLock().isPresent());
        }
    }

    @Test
    void aWorkFolderHasItsOwnLock() throws Exception {
        Path work = dir.resolve("head-work");
        try (ProjectLock l = ProjectLock.acquireFolder(work, "rali train-head")) {
            ProjectLock.BusyException e = assertThrows(ProjectLock.BusyException.class,
                    () -> ProjectLock.acquireFolder(work, "rali train-head"));
            assertTrue(e.getMessage().startsWith("work folder " + work.toAbsolutePath() + " is busy: rali train-head by PID"),
                    e.getMessage());
        }
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsLockIsRecoveredWhenItIsKilled() throws Exception {
        Path project = dir.resolve("p.rali");
        try (ProjectStore s = ProjectStore.open(project)) {
            assertTrue(s.writerLock().isEmpty());
        }
        try (ChildJvm child = ChildJvm.start(LockHolderMain.class, dir.resolve("child.log"), project.toString(),
                "rali run", "7")) {
            child.awaitOutput(o -> o.contains("LOCKED"), Duration.ofSeconds(60));
            ProjectLock.BusyException e = assertThrows(ProjectLock.BusyException.class,
                    () -> ProjectLock.acquireProject(project, "rali run"));
            assertTrue(e.getMessage().contains("run 7 (rali run) by PID " + child.pid() + " since "), e.getMessage());
            child.kill(); // kill -9: the child never releases; the OS drops its lock
            try (ProjectLock recovered = ProjectLock.acquireProject(project, "rali run")) {
                ProjectLock.Holder stale = recovered.stale().orElseThrow();
                assertEquals(child.pid(), stale.pid());
                assertEquals(7L, stale.runId());
                assertFalse(Files.readString(recovered.file()).contains("\"pid\":" + child.pid() + ","));
            }
        }
    }
}
