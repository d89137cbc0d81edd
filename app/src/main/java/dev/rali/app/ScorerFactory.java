package dev.rali.app;

import dev.rali.engine.score.ImageScorer;
import java.nio.file.Path;

/** Loads a model bundle folder as an {@link ImageScorer}; the Score view's one way to get a scorer. */
@FunctionalInterface
public interface ScorerFactory {
    ImageScorer open(Path bundleDir) throws Exception;
}
