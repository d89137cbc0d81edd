package dev.rali.app;

import java.nio.file.Path;

/** Builds (or finds) the sample project and returns its file; the Start view's "Open sample project". */
@FunctionalInterface
public interface SampleProjectSource {
    Path sampleProject() throws Exception;
}
