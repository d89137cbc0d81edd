package dev.rali.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutputPathsTest {
    @TempDir
    Path tmp;

    private String refused(OutputPaths.Target t) {
        return assertThrows(IOException.class, t::check).getMessage();
    }

    private static boolean ours(Path dir) {
        return Files.isRegularFile(dir.resolve("ours.marker"));
    }

    @Test
    void aNewFileInAnExistingFolderIsAllowed() throws IOException {
        Path out = tmp.resolve("scores.csv");
        assertEquals(tmp.toRealPath().resolve("scores.csv"), OutputPaths.file(out, "csv").check());
    }

    @Test
    void aMissingParentFolderIsNamed() {
        Path out = tmp.resolve("nonexistent/dir/x.csv");
        String m = refused(OutputPaths.file(out, "csv"));
        assertTrue(m.startsWith("cannot write ") && m.contains("x.csv") && m.endsWith("nonexistent/dir does not exist"), m);
    }

    @Test
    void anInputIsNeverAnOutputEvenWithForce() throws IOException {
        Path img = Files.writeString(tmp.resolve("n0000.jpg"), "jpeg bytes");
        String m = refused(OutputPaths.file(tmp.resolve("./n0000.jpg"), "csv").inputs(List.of(img)).force(true));
        assertTrue(m.contains("n0000.jpg") && m.contains("one of the inputs"), m);
        assertEquals("jpeg bytes", Files.readString(img));
    }

    @Test
    void anExistingFileOfAnotherKindNeedsForce() throws IOException {
        Path notes = Files.writeString(tmp.resolve("notes.txt"), "mine");
        String m = refused(OutputPaths.file(notes, "csv"));
        assertTrue(m.contains("notes.txt") && m.contains("--force"), m);
        OutputPaths.file(notes, "csv").force(true).check();
        Path csv = Files.writeString(tmp.resolve("old.CSV"), "file,score\n");
        OutputPaths.file(csv, "csv").check(); // a previous table is replaced without --force
    }

    @Test
    void aFolderIsNeverReplacedByAFile() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("scores.csv"));
        assertTrue(refused(OutputPaths.file(d, "csv").force(true)).contains("is a folder"));
    }

    @Test
    void theProjectItsFolderAndAnythingInsideAreRefused() throws IOException {
        Path project = Files.writeString(tmp.resolve("K3.rali"), "db");
        Path folder = Files.createDirectories(tmp.resolve("K3.rali.d/runs"));
        for (Path p : List.of(project, tmp.resolve("K3.rali.d"), folder.resolve("x.rali-model"))) {
            String m = refused(OutputPaths.folder(p, OutputPathsTest::ours, "a test folder").protectProject(project)
                    .force(true));
            assertTrue(m.startsWith("refusing to write") && m.contains("project"), m);
        }
        // without naming the project: a NAME.rali.d next to its NAME.rali is recognised anyway
        String m = refused(OutputPaths.file(folder.resolve("x.csv"), "csv").force(true));
        assertTrue(m.contains("inside the project folder"), m);
    }

    @Test
    void theFilesSqliteAndTheLockKeepBesideAProjectAreRefused() throws IOException {
        Path db = tmp.resolve("P.rali");
        Files.write(db, "SQLite format 3\0rest".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (String side : List.of("P.rali-wal", "P.rali-shm", "P.rali-journal", "P.rali.lock")) {
            Path f = Files.writeString(tmp.resolve(side), "x");
            assertTrue(refused(OutputPaths.file(f, "csv").force(true)).contains("database beside it"), side);
            assertTrue(refused(OutputPaths.file(f, "csv").protectProject(db).force(true)).contains("project"), side);
        }
    }

    @Test
    void anSqliteDatabaseIsNeverReplaced() throws IOException {
        Path db = tmp.resolve("other.csv");
        Files.write(db, "SQLite format 3\0rest of the database".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(refused(OutputPaths.file(db, "csv").force(true)).contains("SQLite database"));
    }

    @Test
    void anExistingFolderIsReplacedOnlyIfOursAndOnlyWithForce() throws IOException {
        Path user = Files.createDirectories(tmp.resolve("v"));
        Files.writeString(user.resolve("thesis.txt"), "x");
        String m = refused(OutputPaths.folder(user, OutputPathsTest::ours, "a test folder").force(true));
        assertTrue(m.startsWith("refusing to replace") && m.contains("not a test folder written by rali"), m);
        Path file = Files.writeString(tmp.resolve("f"), "x");
        assertTrue(refused(OutputPaths.folder(file, OutputPathsTest::ours, "a test folder").force(true))
                .startsWith("refusing to replace"));
        Path mine = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(mine.resolve("ours.marker"), "");
        assertTrue(refused(OutputPaths.folder(mine, OutputPathsTest::ours, "a test folder")).contains("--force"));
        OutputPaths.folder(mine, OutputPathsTest::ours, "a test folder").force(true).check();
    }

    @Test
    void symbolicLinksAreResolvedBeforeComparing() throws IOException {
        Path project = Files.writeString(tmp.resolve("P.rali"), "db");
        Path link = tmp.resolve("link.rali");
        try {
            Files.createSymbolicLink(link, project);
        } catch (UnsupportedOperationException | IOException e) {
            return; // no symlinks on this file system
        }
        assertTrue(refused(OutputPaths.file(link, "csv").protectProject(project).force(true)).contains("the project"));
    }
}
