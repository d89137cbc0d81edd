package dev.rali.engine.analysis;

import dev.rali.engine.task.TaskContext;

/**
 * The domain-gap analysis of one embedding space: a 2-D map and the numbers behind it. Long-running (t-SNE/UMAP,
 * permutations): reports progress and stops at the next safe point when the context is cancelled. The CLI and the
 * app call the same service.
 */
public interface DomainGapService {
    DomainGapResult analyze(EmbeddingSpace space, DomainGapParams params, TaskContext ctx);
}
