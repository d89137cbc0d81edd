package dev.rali.engine.project;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Key/value settings of a project (e.g. {@code encoder.base}: the CLIP folder the pipeline starts from). */
public final class ProjectSettings {
    public static final String BASE_ENCODER = "encoder.base";

    private final ProjectStore store;

    public ProjectSettings(ProjectStore store) {
        this.store = store;
    }

    public Optional<String> get(String key) throws IOException {
        try (PreparedStatement ps = store.connection().prepareStatement("SELECT value FROM settings WHERE key=?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IOException(store.file() + ": cannot read setting " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * The one rule for which CLIP folder a run or sweep starts from: the parameters' {@code encoder.base}, else this
     * project's {@link #BASE_ENCODER} setting; empty when neither names one (a blank value counts as unset). Callers
     * without a run's parameters pass {@link PipelineParams#defaults()} (its {@code encoder.base} is empty), and each
     * decides what "none" means for it: the pipeline refuses to run, a sweep preset leaves M uncapped.
     */
    public Optional<Path> baseEncoder(PipelineParams params) throws IOException {
        String base = params.get(ParamKeys.ENCODER_BASE);
        if (base.isBlank()) {
            base = get(BASE_ENCODER).orElse("");
        }
        return base.isBlank() ? Optional.empty() : Optional.of(Path.of(base));
    }

    public void put(String key, String value) throws IOException {
        try {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value")) {
                    ps.setString(1, key);
                    ps.setString(2, value);
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IOException(store.file() + ": cannot write setting " + key + ": " + e.getMessage(), e);
        }
    }
}
