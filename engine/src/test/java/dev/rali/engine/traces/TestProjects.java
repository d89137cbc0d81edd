package dev.rali.engine.traces;

import dev.rali.engine.project.ProjectStore;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** Creates project rows directly in SQL so trace tests do not depend on the dataset importer. */
final class TestProjects {
    private TestProjects() { }

    static long dataset(ProjectStore store, String name) throws Exception {
        try (PreparedStatement ps = store.connection().prepareStatement(
                "INSERT INTO datasets(name, layout) VALUES (?, 'folder')")) {
            ps.setString(1, name);
            ps.executeUpdate();
        }
        return lastId(store);
    }

    static long image(ProjectStore store, long datasetId, String name, Path path, String split) throws Exception {
        try (PreparedStatement ps = store.connection().prepareStatement(
                "INSERT INTO images(dataset_id, path, name, content_hash, split) VALUES (?,?,?,?,?)")) {
            ps.setLong(1, datasetId);
            ps.setString(2, path.toAbsolutePath().toString());
            ps.setString(3, name);
            ps.setString(4, "hash-" + name);
            ps.setString(5, split);
            ps.executeUpdate();
        }
        return lastId(store);
    }

    private static long lastId(ProjectStore store) throws Exception {
        try (var s = store.connection().createStatement(); ResultSet rs = s.executeQuery("SELECT last_insert_rowid()")) {
            return rs.getLong(1);
        }
    }
}
