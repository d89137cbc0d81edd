package dev.rali.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecentProjectsTest {
    @TempDir Path dir;
    final Preferences prefs = Preferences.userRoot().node("rali-recent-test-" + System.nanoTime());

    @AfterEach
    void clean() throws Exception {
        prefs.removeNode();
    }

    @Test
    void newestFirstWithoutDuplicatesOrVanishedFiles() throws Exception {
        RecentProjects r = new RecentProjects(prefs);
        Path a = Files.writeString(dir.resolve("a.rali"), "");
        Path b = Files.writeString(dir.resolve("b.rali"), "");
        Path c = Files.writeString(dir.resolve("c.rali"), "");
        r.add(a);
        r.add(b);
        r.add(c);
        r.add(a);
        assertEquals(List.of(a, c, b), r.list());
        Files.delete(c);
        assertEquals(List.of(a, b), r.list());
        for (int i = 0; i < 15; i++) {
            r.add(Files.writeString(dir.resolve("p" + i + ".rali"), ""));
        }
        assertEquals(RecentProjects.MAX, r.list().size());
        assertEquals(dir.resolve("p14.rali"), r.list().get(0));
    }
}
