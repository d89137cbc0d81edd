package dev.rali.engine.analysis.saliency;

import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Saliency with one model bundle (the one the researcher scores with): which pixels drive an image's score, and
 * which words of a reasoning trace its aligned text embedding relies on. The CLI ({@code rali analyze saliency}) and
 * the app's Score view, Trace audit and Attention view call the same methods. Implemented by
 * {@link SaliencyService}; opened once per bundle, closed to free the model.
 */
public interface Explainer extends AutoCloseable {

    /** Attention rollout and occlusion attribution of one image's score; {@code window} in patches (≥ 1). */
    ImageSaliency explain(Path image, int window, TaskContext ctx) throws IOException;

    /** Leave-one-word-out saliency of {@code text}'s embedding by the bundle's frozen text tower. */
    TextSaliency explainText(String text, TaskContext ctx) throws IOException;

    @Override
    void close();
}
