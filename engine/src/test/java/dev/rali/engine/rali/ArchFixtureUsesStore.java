package dev.rali.engine.rali;

import dev.rali.engine.clip.ClipModel;
import dev.rali.engine.project.ProjectStore;

import java.sql.Connection;

/** Breaks the rali/ layering on purpose: ArchitectureTest shows its rule catches this. Never used otherwise. */
public final class ArchFixtureUsesStore {
    private ArchFixtureUsesStore() { }

    static Connection sneak(ProjectStore store, ClipModel model) {
        return model == null ? null : store.connection();
    }
}
