package dev.rali.app.wiring;

import dev.rali.app.DatasetImportAction;
import dev.rali.engine.dataset.DatasetImporter;
import dev.rali.engine.dataset.DatasetLayouts;
import dev.rali.engine.dataset.ImportReport;
import dev.rali.engine.dataset.ImportRequest;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import java.util.List;

/** The Import wizard over the engine's {@link DatasetImporter} with its default options (split seed 42, 20% test). */
public final class EngineDatasetImport implements DatasetImportAction {
    /** Problems listed per section of the report before "... and N more". */
    static final int MAX_PER_SECTION = 20;

    /** The engine's registered layouts ({@link DatasetLayouts}), in registration order. */
    @Override
    public List<String> layouts() {
        return DatasetLayouts.names();
    }

    @Override
    public String describe(String layout) {
        return DatasetLayouts.get(layout).description();
    }

    @Override
    public String importDataset(ProjectStore store, ImportSpec spec, TaskContext ctx) throws Exception {
        return importWithOutcome(store, spec, ctx).report();
    }

    @Override
    public Outcome importWithOutcome(ProjectStore store, ImportSpec spec, TaskContext ctx) throws Exception {
        ImportReport report;
        try (ProjectStore.Hold lock = store.holdWriterLock("app: import dataset " + spec.name())) {
            report = DatasetImporter.importDataset(store, ImportRequest.of(spec.name(), spec.layout(), spec.folder())
                    .withAllowOutsideRoot(spec.allowOutsideRoot()), ctx);
        }
        return new Outcome(report.format(MAX_PER_SECTION), report.outsideRoot.size());
    }
}
