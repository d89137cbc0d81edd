package dev.rali.app;

import dev.rali.engine.project.ProjectStore;
import java.nio.file.Path;

/**
 * Exports a finished run as a model bundle folder ({@code *.rali-model}), the way {@code rali export} does: the
 * engine's BundleExport, registered in {@link dev.rali.app.wiring.AppWiring}; tests pass a fake. Runs off the FX
 * thread; throws with a message naming the run or the path when the run has nothing to export or the folder is
 * not allowed.
 */
@FunctionalInterface
public interface BundleExportAction {
    void export(ProjectStore store, long runId, Path out) throws Exception;
}
