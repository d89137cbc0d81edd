package dev.rali.app;

import dev.rali.engine.score.ImageScorer;
import java.nio.file.Path;

/** Loads a model bundle folder as an {@link ImageScorer}; the Score view's one way to get a scorer. */
@FunctionalInterface
public interface ScorerFactory {
    ImageScorer open(Path bundleDir) throws Exception;

    /**
     * As {@link #open(Path)} with the encoder precision the user chose: "fp32", "bf16" or "auto" (issue 14). A
     * factory that has no precision to choose (test fakes) ignores it.
     */
    default ImageScorer open(Path bundleDir, String precision) throws Exception {
        return open(bundleDir);
    }
}
