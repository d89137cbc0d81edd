package dev.rali.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeReplacesTheTargetAndLeavesNoTempFile() throws IOException {
        Path f = tmp.resolve("scores.csv");
        Files.writeString(f, "old\n");
        AtomicFiles.writeString(f, "new\n");
        assertEquals("new\n", Files.readString(f));
        assertEquals(List.of("scores.csv"), names());
    }

    @Test
    void aFailureWhileWritingLeavesThePreviousFileIntact() throws IOException {
        Path f = tmp.resolve("scores.csv");
        Files.writeString(f, "previous complete table\n");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half a ta".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("previous complete table\n", Files.readString(f));
        assertEquals(List.of("scores.csv"), names(), "the temp file is removed");
    }

    @Test
    void anOutputClosedWithoutCommitIsDiscarded() throws IOException {
        Path f = tmp.resolve("audit.csv");
        try (AtomicFiles.Output o = AtomicFiles.open(f)) {
            o.writer().write("a,b\n");
            o.writer().flush();
            assertTrue(Files.notExists(f), "nothing at the target before commit");
        }
        assertEquals(List.of(), names());
        try (AtomicFiles.Output o = AtomicFiles.open(f)) {
            o.writer().write("a,b\n");
            o.commit();
        }
        assertEquals("a,b\n", Files.readString(f));
    }

    @Test
    void outputsGetTheUsualPermissionsNotOwnerOnly() throws IOException {
        Path plain = Files.writeString(tmp.resolve("plain.csv"), "x");
        Path atomic = tmp.resolve("atomic.csv");
        AtomicFiles.writeString(atomic, "x");
        Path folder = tmp.resolve("b");
        AtomicFiles.replaceFolder(folder, d -> Files.writeString(d.resolve("f"), "x"));
        Path plainDir = Files.createDirectory(tmp.resolve("plain-dir"));
        try {
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
            assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(folder));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    @Test
    void aMissingFolderIsNamed() {
        Path f = tmp.resolve("no/such/dir/x.csv");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(f, "x"));
        assertEquals("cannot write " + f + ": directory " + f.getParent() + " does not exist", e.getMessage());
    }

    @Test
    void replaceFolderSwapsInTheNewFolderOnlyWhenComplete() throws IOException {
        Path b = tmp.resolve("m.rali-model");
        AtomicFiles.replaceFolder(b, d -> Files.writeString(d.resolve("a.txt"), "v1"));
        assertEquals("v1", Files.readString(b.resolve("a.txt")));
        assertThrows(IOException.class, () -> AtomicFiles.replaceFolder(b, d -> {
            Files.writeString(d.resolve("a.txt"), "v2 half");
            throw new IOException("killed");
        }));
        assertEquals("v1", Files.readString(b.resolve("a.txt")), "a failed build keeps the previous folder");
        assertEquals(List.of("m.rali-model"), names());
        AtomicFiles.replaceFolder(b, d -> Files.writeString(d.resolve("b.txt"), "v3"));
        assertTrue(Files.notExists(b.resolve("a.txt")));
        assertEquals("v3", Files.readString(b.resolve("b.txt")));
        assertEquals(List.of("m.rali-model"), names(), "the previous folder is gone once the new one is in place");
    }

    @Test
    void aPreviousFolderLeftAsideByACrashIsPutBack() throws IOException {
        // what a kill between "move the old folder aside" and "move the new one in" leaves behind
        Path b = tmp.resolve("m.rali-model");
        Path aside = tmp.resolve(".m.rali-model.old-123");
        Files.createDirectories(aside);
        Files.writeString(aside.resolve("a.txt"), "v1");
        Path partial = tmp.resolve(".m.rali-model.partial-456");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("a.txt"), "v2 complete but not moved");
        AtomicFiles.recoverFolder(b.toAbsolutePath());
        assertEquals("v1", Files.readString(b.resolve("a.txt")));
        assertEquals(List.of("m.rali-model"), names());
    }

    @Test
    void aTempLeftByAKilledWriterIsRemovedByTheNextWriteOfThatTarget() throws Exception {
        Path f = tmp.resolve("scores.csv");
        Files.writeString(tmp.resolve(".scores.csv.abc123.tmp"), "half a table from a run killed with -9");
        Files.writeString(tmp.resolve(".other.csv.abc123.tmp"), "another target's temp");
        AtomicFiles.writeString(f, "new\n");
        assertEquals("new\n", Files.readString(f));
        assertEquals(List.of(".other.csv.abc123.tmp", "scores.csv"), names(),
                "the abandoned temp of scores.csv is gone, another target's temp is not touched");
    }

    @Test
    void aTempStillBeingWrittenInThisJvmIsKept() throws IOException {
        Path f = tmp.resolve("scores.csv");
        try (AtomicFiles.Output slow = AtomicFiles.open(f)) {
            slow.stream().write("first writer, still going".getBytes());
            AtomicFiles.writeString(f, "second writer\n");
            slow.commit();
        }
        assertEquals("first writer, still going", Files.readString(f), "the first writer's temp survived and committed");
        assertEquals(List.of("scores.csv"), names());
    }

    @Test
    void aTempHeldByAnotherLiveProcessIsKeptAndRemovedOnceItIsKilled() throws Exception {
        Path f = tmp.resolve("scores.csv");
        try (dev.rali.engine.testing.ChildJvm child = dev.rali.engine.testing.ChildJvm.start(TempWriterMain.class,
                tmp.resolve("child.log"), f.toString())) {
            child.awaitOutput(out -> out.contains("WRITING"), java.time.Duration.ofSeconds(60));
            assertEquals(0, AtomicFiles.removeAbandonedTemps(f), "a live writer's temp is not abandoned");
            assertEquals(1, names().stream().filter(n -> n.startsWith(".scores.csv.")).count());
            child.kill();
        }
        assertEquals(1, AtomicFiles.removeAbandonedTemps(f), "the killed writer's lock is gone with it");
        assertTrue(names().stream().noneMatch(n -> n.startsWith(".scores.csv.")), names().toString());
    }
}
