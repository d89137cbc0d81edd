package dev.rali.app.wiring;

import dev.rali.app.AppServices;
import dev.rali.app.BundleExportAction;
import dev.rali.app.DatasetImportAction;
import dev.rali.app.SampleProjectSource;
import dev.rali.app.ScorerFactory;
import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.pipeline.BundleExport;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one place that connects the desktop app to the engine's real services (tests pass fakes instead). Only this
 * package may use engine implementation classes; {@code AppArchitectureTest} holds the rest of the app to the
 * engine's service interfaces.
 */
public final class AppWiring {
    private AppWiring() { }

    public static AppServices services() {
        return AppServices.builder()
                .with(SampleProjectSource.class, AppWiring::sampleProject)
                .with(DatasetImportAction.class, new EngineDatasetImport())
                .with(ScorerFactory.class, BundleScorer::open)
                .with(PipelineService.class, new RaliPipeline())
                .with(BundleExportAction.class, (store, run, out) -> BundleExport.export(store, run, out, false))
                .build();
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
}
