package dev.rali.engine.score;

import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scores image files with a trained RALI model. The CLI's {@code rali score} and the desktop app's Score view
 * both go through this interface, so they give identical numbers.
 */
public interface ImageScorer extends AutoCloseable {

    /** A short description of the loaded model (bundle path, encoder, number of bases). */
    String describe();

    /** The encoder precision in use and where, e.g. "bf16 on cpu" (auto resolved); empty when not known. */
    default String precisionInUse() {
        return "";
    }

    /**
     * Scores {@code files} in order, batched; calls {@code sink} once per file (from the calling thread) as
     * results arrive. Bad files produce a failed {@link ScoreResult} naming the problem; they never stop the run.
     * Honours cancellation between batches.
     */
    void scoreAll(List<Path> files, Consumer<ScoreResult> sink, TaskContext ctx);

    @Override
    void close();
}
