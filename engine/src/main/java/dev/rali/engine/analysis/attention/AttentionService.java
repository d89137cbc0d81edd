package dev.rali.engine.analysis.attention;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the app's Attention view and Trace audit ask of the attention analysis: a project's imported dumps, one dump
 * read and analysed for a layer/head selection, and the analysis of many dumps (the paper's Fig. 3 distribution).
 * The same {@link AttentionAnalysis} as {@code rali analyze attention}, so the view and the CLI report the same
 * numbers. Implemented by {@link ProjectAttention}.
 */
public interface AttentionService {

    /** A dump imported into a project; image and trace are null when the import could not link them. */
    record ImportedDump(long id, String name, Path folder, Long imageId, String imageName, Long traceId, String model,
                        int tokens, int layers, int heads, int queries) {
        /** True when meta.json's model says the dump was made by a rule, not by a model. */
        public boolean synthetic() {
            return model != null && model.startsWith("synthetic");
        }
    }

    /** The project's imported dumps in import order (empty when it has none). */
    List<ImportedDump> dumps(ProjectStore store) throws IOException;

    /** Reads and validates one dump folder (the tensor included). */
    AttentionDump read(Path folder) throws IOException;

    /**
     * The analysis of one dump restricted to a layer (the model's index) and/or a head; null = mean over them.
     * Lists every reasoning token (not only the top ones), with its position, so a view can colour all of them.
     */
    AttentionReport report(AttentionDump dump, Integer layer, Integer head);

    /** Per-dump reports and their aggregate, reading one dump at a time. */
    AttentionAnalysis.Result analyze(List<Path> folders, int top, TaskContext ctx) throws IOException;
}
