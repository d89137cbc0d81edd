package dev.rali.app;

import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one place that connects the desktop app to the engine's real services (tests pass fakes instead). */
public final class AppWiring {
    private AppWiring() { }

    public static AppServices services() {
        return new AppServices(AppWiring::sampleProject, new EngineDatasetImport(), AppWiring::openScorer,
                new RaliPipeline());
    }

    /**
     * The sample project: the one {@code ./rali demo} trained (rali-demo/demo.rali next to the checkout) when it
     * exists, otherwise a fresh copy prepared under ~/.rali/sample (sample data, MOS, traces and the demo CLIP
     * imported, nothing trained yet — the Pipeline view runs the stages).
     */
    static Path sampleProject() {
        Path home = Path.of(System.getProperty("rali.home", ""));
        Path trained = home.resolve("rali-demo").resolve("demo.rali").toAbsolutePath();
        if (Files.isRegularFile(trained)) {
            return trained;
        }
        try {
            return Demo.prepare(Path.of(System.getProperty("user.home"), ".rali", "sample"), null, TaskContext.silent());
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the sample project: " + e.getMessage(), e);
        }
    }

    static BundleScorer openScorer(Path bundleDir) {
        try {
            return BundleScorer.open(bundleDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
