package dev.rali.app;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.util.List;

/**
 * What the Import wizard calls to import a dataset into the open project. The lead wires it to the engine's
 * dataset service in {@link AppWiring}; tests pass a fake. Runs off the FX thread.
 */
public interface DatasetImportAction {

    /** What the user chose in the wizard. */
    record ImportSpec(String layout, Path folder, String name) { }

    /** Layout names offered in the wizard (koniq, spaq, livec, ..., csv, folder), first = default. */
    List<String> layouts();

    /** One line on what the layout reads, shown under the wizard's layout choice; empty when unknown. */
    default String describe(String layout) {
        return "";
    }

    /**
     * Imports and returns the validation report as readable text (counts, skipped rows, warnings). Throws with a
     * message naming the file and the problem when the import fails as a whole.
     */
    String importDataset(ProjectStore store, ImportSpec spec, TaskContext ctx) throws Exception;
}
