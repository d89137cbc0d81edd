package dev.rali.app.views.archfixtures;

import dev.rali.engine.pipeline.RaliPipeline;

/** Breaks "the app reaches the engine only through service interfaces" on purpose (AppArchitectureTest). */
public final class PipelineImplementationInAView {
    private PipelineImplementationInAView() { }

    static Object pipeline() {
        return new RaliPipeline();
    }
}
