package dev.rali.engine.pipeline;

import dev.rali.engine.project.ProjectStore;

/** A stage opening a transaction itself on purpose: ArchitectureTest shows its rule catches this. Never used otherwise. */
public final class ArchFixtureTransactionInStage {
    private ArchFixtureTransactionInStage() { }

    static Object sneak(ProjectStore store) throws Exception {
        return store.inTransaction(c -> null);
    }
}
