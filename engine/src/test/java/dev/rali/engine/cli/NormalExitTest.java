package dev.rali.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rali.engine.TestPaths;
import dev.rali.engine.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Ctrl-C hook also runs at a normal exit; then it must stay silent. */
class NormalExitTest {
    @TempDir
    Path dir;

    @Test
    void aCommandThatFinishesNormallyPrintsNoCancelMessage() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String name : new String[] {"astronaut.png", "coffee.png"}) {
            Files.copy(TestPaths.shared("fixtures/photos/" + name), photos.resolve(name));
        }
        try (ChildJvm child = ChildJvm.start(RaliCli.class, dir.resolve("child.log"), "dataset", "import",
                "--project", dir.resolve("p.rali").toString(), "--layout", "folder", "--name", "f",
                photos.toString())) {
            assertEquals(0, child.waitFor(Duration.ofMinutes(2)), child.output());
            assertFalse(child.output().contains("stopping at the next safe point"), child.output());
        }
    }
}
