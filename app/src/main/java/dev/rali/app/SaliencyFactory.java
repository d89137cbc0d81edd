package dev.rali.app;

import dev.rali.engine.analysis.saliency.Explainer;
import java.nio.file.Path;

/**
 * Opens a model bundle folder for saliency (image: rollout and occlusion; text: leave-one-word-out); the Score
 * view, the Trace audit and the Attention view get their {@link Explainer} this way. The app's factory keeps each
 * bundle open between requests (closing the returned explainer hands it back) until {@link #release()}: on a
 * project switch and at exit ({@link AppServices#releaseAll()}).
 */
@FunctionalInterface
public interface SaliencyFactory extends dev.rali.engine.task.Releasable {
    Explainer open(Path bundleDir) throws Exception;

    /** Closes the bundles kept open; a factory that opens anew each time has nothing to free. */
    @Override
    default void release() {
    }
}
