package dev.rali.app;

import dev.rali.engine.analysis.saliency.Explainer;
import java.nio.file.Path;

/**
 * Opens a model bundle folder for saliency (image: rollout and occlusion; text: leave-one-word-out); the Score
 * view, the Trace audit and the Attention view get their {@link Explainer} this way.
 */
@FunctionalInterface
public interface SaliencyFactory {
    Explainer open(Path bundleDir) throws Exception;
}
