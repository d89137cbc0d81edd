package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** A CLI command reaching into SQL on purpose: ArchitectureTest shows its rules catch this. Never used otherwise. */
public final class ArchFixtureSqlInCommand {
    private ArchFixtureSqlInCommand() { }

    static PreparedStatement sneak(ProjectStore store) throws SQLException {
        return store.connection().prepareStatement("SELECT 1");
    }
}
