package dev.rali.engine.analysis;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/** {@link EmbeddingAnalysisService} on the engine's classes, embedding on {@code device} (cpu, gpu or auto). */
public final class ProjectAnalysis implements EmbeddingAnalysisService {
    private final String device;

    public ProjectAnalysis(String device) {
        this.device = device;
    }

    @Override
    public EmbeddingSpace space(ProjectStore store, ProjectSpaces.Space space, List<String> datasets, Long runId,
                                int cap, long seed, TaskContext ctx) throws IOException {
        return ProjectSpaces.load(store, space, datasets, runId, device, cap, seed, ctx);
    }

    @Override
    public DomainGapResult domainGap(EmbeddingSpace space, DomainGapParams params, TaskContext ctx) {
        return new DomainGap().analyze(space, params, ctx);
    }

    @Override
    public BasisExplorer.Report bases(ProjectStore store, long runId, int nearest, int words, int mapCap,
                                      TaskContext ctx) throws IOException {
        return BasisExplorer.bases(store, runId, nearest, words, mapCap, device, ctx);
    }

    @Override
    public List<Explainer.Explanation> explain(ProjectStore store, long runId, List<Path> images, int top,
                                               TaskContext ctx) throws IOException {
        try {
            Path encoder = ProjectSpaces.runArtifact(store, runId, "encoder").getParent();
            HeadParams head = HeadParams.read(ProjectSpaces.runArtifact(store, runId, "head"));
            return Explainer.explain(encoder, head, images, top, device, ctx);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }
}
