package dev.rali.engine.analysis;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The embedding analyses of a project as one service, for the workbench's Domain-gap and Bases views (the CLI calls
 * the same classes: {@link ProjectSpaces}, {@link DomainGap}, {@link BasisExplorer}, {@link Explainer}), so both
 * report the same numbers. Every method is long-running: it reports progress on {@code ctx} and stops at the next
 * safe point when it is cancelled.
 */
public interface EmbeddingAnalysisService extends dev.rali.engine.task.Releasable {

    /** One space of the project's images ({@link ProjectSpaces#load}); cap = at most this many images in all. */
    EmbeddingSpace space(ProjectStore store, ProjectSpaces.Space space, List<String> datasets, Long runId, int cap,
                         long seed, TaskContext ctx) throws IOException;

    /** The map and the numbers of one space ({@link DomainGap}). */
    DomainGapResult domainGap(EmbeddingSpace space, DomainGapParams params, TaskContext ctx);

    /** The bases of a run ({@link BasisExplorer#bases}). */
    BasisExplorer.Report bases(ProjectStore store, long runId, int nearest, int words, int mapCap, TaskContext ctx)
            throws IOException;

    /** The bases that carried each image's score under a run's encoder and head ({@link Explainer}). */
    List<Explainer.Explanation> explain(ProjectStore store, long runId, List<Path> images, int top, TaskContext ctx)
            throws IOException;

    /** Frees the models kept open between {@link #explain} requests (the app calls it on a project switch). */
    @Override
    default void release() {
    }
}
