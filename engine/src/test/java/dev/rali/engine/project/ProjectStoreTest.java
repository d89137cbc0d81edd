package dev.rali.engine.project;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.*;

class ProjectStoreTest {

    @Test
    void newProjectIsAtCurrentSchemaWithWalAndForeignKeys(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            assertEquals(ProjectStore.currentVersion(), store.schemaVersion());
            try (Statement s = store.connection().createStatement()) {
                assertEquals("wal", s.executeQuery("PRAGMA journal_mode").getString(1));
                assertEquals(1, s.executeQuery("PRAGMA foreign_keys").getInt(1));
            }
        }
    }

    @Test
    void projectWrittenByVersion1OpensAndMigratesKeepingItsRows(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.rali");
        // Build a version-1 project by hand, as an older build would have written it.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String sql : ProjectStore.statements("V1__initial.sql")) {
                s.execute(sql);
            }
            s.execute("PRAGMA user_version=1");
            s.execute("INSERT INTO datasets(name, layout) VALUES('koniq', 'koniq')");
        }
        try (ProjectStore store = ProjectStore.open(file)) {
            assertEquals(ProjectStore.currentVersion(), store.schemaVersion());
            try (Statement s = store.connection().createStatement()) {
                assertEquals("koniq", s.executeQuery("SELECT name FROM datasets").getString(1));
            }
            ProjectSettings settings = new ProjectSettings(store);
            assertTrue(settings.get(ProjectSettings.BASE_ENCODER).isEmpty());
            settings.put(ProjectSettings.BASE_ENCODER, "/models/clip");
            settings.put(ProjectSettings.BASE_ENCODER, "/models/clip2");
            assertEquals("/models/clip2", settings.get(ProjectSettings.BASE_ENCODER).orElseThrow());
        }
    }

    @Test
    void projectFromANewerBuildIsRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("future.rali");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version=999");
        }
        IOException e = assertThrows(IOException.class, () -> ProjectStore.open(file));
        assertTrue(e.getMessage().contains("future.rali") && e.getMessage().contains("newer"), e.getMessage());
    }
}
