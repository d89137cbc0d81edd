package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import java.util.List;
import java.util.Map;

/**
 * The RALI stages as one service for the CLI and the desktop app: parameter defaults (the paper's), help texts,
 * and running a stage (or {@code "all"}) on a project with progress, cancellation and a run record.
 */
public interface PipelineService {

    /** Stage names in pipeline order: align, embed, pca, bases, score_definition, evaluate. */
    List<String> stages();

    /** The paper's defaults as nested JSON, one object per stage. */
    ObjectNode defaultParams();

    /** Tooltip text per dotted parameter key ("bases.buckets" etc.), citing the paper where it sets the value. */
    Map<String, String> paramHelp();

    /**
     * Runs {@code stage} (a name from {@link #stages()} or {@code "all"}) on the project and returns the run id
     * recorded in the project's runs table. Resumes from the stage's checkpoint when one exists.
     */
    long run(ProjectStore store, String stage, ObjectNode params, TaskContext ctx) throws Exception;
}
