package dev.rali.app;

import dev.rali.engine.task.TaskContext;
import java.nio.file.Path;

/**
 * Builds (or finds) the sample project and returns its file; the Start view's "Open sample project". It promises
 * traces, runs and results, so a fresh build trains a run (minutes on a CPU), reporting progress through ctx and
 * stopping at its next safe point when cancelled.
 */
@FunctionalInterface
public interface SampleProjectSource {
    Path sampleProject(TaskContext ctx) throws Exception;
}
