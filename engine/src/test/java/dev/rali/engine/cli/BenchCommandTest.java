package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    @Test
    void aProfileIntoAMissingFolderIsRefusedBeforeAnyTrainingNamingThePath(@TempDir Path dir) {
        Path target = dir.resolve("no-such-dir").resolve("steps.json");
        CliRun.Result r = CliRun.exec("bench", "train", "--config", "demo", "--steps", "1", "--profile",
                target.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("cannot write " + target) && r.err().contains("does not exist"), r.err());
        assertTrue(!r.err().contains("timing"), "refused before the steps ran: " + r.err());
    }

    @Test
    void aProfileNeverOverwritesAProject(@TempDir Path dir) throws Exception {
        assertAProjectIsNotOverwritten(dir, "bench", "train", "--config", "demo", "--steps", "1", "--profile");
    }

    @Test
    void clipProfileIsGuardedLikeEveryOutput(@TempDir Path dir) throws Exception {
        assertAProjectIsNotOverwritten(dir, "bench", "clip", "--config", "vit-b-32", "--profile");
    }

    /** Runs the command with a project file as the last argument: refused, and the file is left as it was. */
    private static void assertAProjectIsNotOverwritten(Path dir, String... command) throws Exception {
        Path project = dir.resolve("p.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            store.file(); // created
        }
        byte[] before = Files.readAllBytes(project);
        String[] args = java.util.Arrays.copyOf(command, command.length + 1);
        args[command.length] = project.toString();
        CliRun.Result r = CliRun.exec(args);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("refusing to write"), r.err());
        assertArrayEquals(before, Files.readAllBytes(project), "the project file is untouched");
    }
}
