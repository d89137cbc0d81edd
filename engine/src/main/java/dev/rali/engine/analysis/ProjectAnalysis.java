package dev.rali.engine.analysis;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.clip.ImageEmbedder;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;

/**
 * {@link EmbeddingAnalysisService} on the engine's classes, embedding on {@code device} (cpu, gpu or auto). The run
 * encoders {@link #explain} uses stay open between requests (two at most) until {@link #release()}.
 */
public final class ProjectAnalysis implements EmbeddingAnalysisService {
    private final String device;
    private final OpenModels<ImageEmbedder> encoders;

    public ProjectAnalysis(String device) {
        this.device = device;
        this.encoders = new OpenModels<>(dir -> ImageEmbedder.open(dir, device), 2);
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
            try (OpenModels<ImageEmbedder>.Lease lease = encoders.acquire(encoder)) {
                synchronized (lease.model()) { // one request at a time per encoder
                    return Explainer.explain(lease.model(), encoder, head, images, top, ctx);
                }
            }
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** How many run encoders {@link #explain} opened so far (a second request on one run opens nothing). */
    public int encodersOpened() {
        return encoders.opened();
    }

    @Override
    public void release() {
        encoders.release();
    }
}
