package dev.rali.engine.cli;

import dev.rali.engine.project.LockHolderMain;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writer commands refuse a project another process is writing to, naming that process's run, PID and start time. */
class ProjectBusyCommandTest {
    @TempDir
    Path dir;

    @Test
    void writerCommandsOnABusyProjectSayWhoHoldsItAndExitNonZero() throws Exception {
        Path project = dir.resolve("p.rali");
        try (ProjectStore s = ProjectStore.open(project)) {
            assertTrue(Files.isRegularFile(s.file()));
        }
        Path images = Files.createDirectories(dir.resolve("imgs"));
        try (ChildJvm child = ChildJvm.start(LockHolderMain.class, dir.resolve("child.log"), project.toString(),
                "rali run", "12")) {
            child.awaitOutput(o -> o.contains("LOCKED"), Duration.ofSeconds(60));
            String busy = "project p.rali is busy: run 12 (rali run) by PID " + child.pid() + " since ";

            CliRun.Result run = CliRun.exec("run", "--project", project.toString());
            assertEquals(1, run.code());
            assertTrue(run.err().contains("rali run: error: " + busy), run.err());
            assertTrue(run.err().matches("(?s).*since \\d\\d:\\d\\d; wait for it.*"), run.err());

            // Two same-name imports no longer race into a raw SQLITE_CONSTRAINT_UNIQUE: the second is refused.
            CliRun.Result imp = CliRun.exec("dataset", "import", "--project", project.toString(), "--layout", "folder",
                    "--name", "photos", "--quiet", images.toString());
            assertEquals(1, imp.code());
            assertTrue(imp.err().contains(busy), imp.err());

            CliRun.Result traces = CliRun.exec("traces", "import", "--project", project.toString(), "--quiet",
                    dir.resolve("none.jsonl").toString());
            assertEquals(1, traces.code());
            assertTrue(traces.err().contains(busy), traces.err());

            // Readers don't take the lock.
            CliRun.Result list = CliRun.exec("dataset", "list", "--project", project.toString());
            assertEquals(0, list.code(), list.err());

            child.kill();
            // The killed holder's lock is recovered: the import now runs (and finds no images in the empty folder).
            CliRun.Result after = CliRun.exec("dataset", "import", "--project", project.toString(), "--layout",
                    "folder", "--name", "photos", "--quiet", images.toString());
            assertTrue(!after.err().contains("busy"), after.err());
        }
    }
}
