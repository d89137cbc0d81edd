package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.SweepRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCommandTest {
    @TempDir
    Path dir;

    @Test
    void badGridOrSpaceIsRefusedBeforeTheProjectIsTouched() throws Exception {
        Path p = dir.resolve("p.rali");
        var r = CliRun.exec("sweep", "run", "--project", p.toString(), "--grid", "compresion.dim=8,16");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("did you mean 'compression.dim'"), r.err());
        assertFalse(Files.exists(p), "nothing was created");
        var bad = CliRun.exec("sweep", "run", "--project", p.toString(), "--grid", "bases.count=8,many");
        assertTrue(bad.err().contains("bases.count: 'many' is not an integer"), bad.err());
        Path space = Files.writeString(dir.resolve("space.json"), "{\"bases.count\": {\"min\": 0, \"max\": 5}}");
        var sp = CliRun.exec("sweep", "run", "--project", p.toString(), "--random", "3", "--space", space.toString());
        assertNotEquals(0, sp.code());
        assertTrue(sp.err().contains(space.toString()) && sp.err().contains("bases.count"), sp.err());
        var two = CliRun.exec("sweep", "run", "--project", p.toString(), "--grid", "bases.count=8", "--preset", "table4");
        assertTrue(two.err().contains("exactly one of"), two.err());
        assertFalse(Files.exists(p));
    }

    @Test
    void queuedSweepCanBeCancelledPointBySweepFromTheCli() throws Exception {
        Path p = dir.resolve("q.rali");
        ProjectStore.open(p).close();
        var q = CliRun.exec("sweep", "run", "--project", p.toString(), "--grid", "bases.count=8,9,10",
                "--seeds", "2", "--queue-only");
        assertEquals(0, q.code(), q.err());
        assertTrue(q.err().contains("3 setting(s) × 2 seed(s) = 6 point(s) queued"), q.err());
        try (ProjectStore store = ProjectStore.open(p)) {
            long id = new SweepRecords(store).list().get(0).id();
            assertEquals(0, CliRun.exec("sweep", "cancel", "--project", p.toString(), Long.toString(id), "--point",
                    "2").code());
            assertEquals(SweepRecords.CANCELLED, new SweepRecords(store).points(id).get(2).status());
            assertEquals(SweepRecords.QUEUED, new SweepRecords(store).points(id).get(3).status());
            assertEquals(0, CliRun.exec("sweep", "cancel", "--project", p.toString(), Long.toString(id)).code());
            assertEquals(SweepRecords.CANCELLED, new SweepRecords(store).get(id).status());
            var none = CliRun.exec("sweep", "save-preset", "--project", p.toString(), "--sweep", Long.toString(id),
                    "--name", "x");
            assertNotEquals(0, none.code());
            assertTrue(none.err().contains("no finished point"), none.err());
        }
    }
}
