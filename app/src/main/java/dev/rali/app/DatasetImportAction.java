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

    /**
     * What the user chose in the wizard; {@code allowOutsideRoot}: also import rows whose image path leads outside
     * the dataset folder (the CLI's {@code --allow-outside-root}; off unless the user ticks it).
     */
    record ImportSpec(String layout, Path folder, String name, boolean allowOutsideRoot) {
        public ImportSpec(String layout, Path folder, String name) {
            this(layout, folder, name, false);
        }
    }

    /** The validation report as text and how many rows were refused because their path leaves the folder. */
    record Outcome(String report, int refusedOutsideRoot) { }

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

    /** {@link #importDataset} with what the view needs to offer importing refused outside paths. */
    default Outcome importWithOutcome(ProjectStore store, ImportSpec spec, TaskContext ctx) throws Exception {
        return new Outcome(importDataset(store, spec, ctx), 0);
    }
}
