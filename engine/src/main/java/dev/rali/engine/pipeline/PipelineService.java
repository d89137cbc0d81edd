package dev.rali.engine.pipeline;

import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import java.util.List;

/**
 * The RALI stages as one service for the CLI and the desktop app: running a stage (or {@code "all"}) on a project
 * with progress, cancellation and a run record. The parameters, their defaults (the paper's) and help texts are
 * {@link dev.rali.engine.params.ParamKeys}.
 */
public interface PipelineService {

    /**
     * Stage names in pipeline order: align, embed, head (PCA, bucketed k-means bases and score definition in one
     * stage), evaluate.
     */
    List<String> stages();

    /**
     * Runs {@code stage} (a name from {@link #stages()} or {@code "all"}) on the project and returns the run id
     * recorded in the project's runs table. Resumes from the stage's checkpoint when one exists.
     */
    long run(ProjectStore store, String stage, PipelineParams params, TaskContext ctx) throws Exception;
}
