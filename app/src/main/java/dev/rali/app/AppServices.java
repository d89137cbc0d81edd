package dev.rali.app;

import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.score.ImageScorer;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The engine services the views call, injected so tests can pass fakes and the lead can wire the real ones in
 * {@link AppWiring}. Any of them may be null: the view that needs it then says so instead of failing.
 *
 * @param sampleProject builds (or finds) the demo project and returns its file
 * @param importer      imports a dataset into the open project
 * @param scorerFactory loads a model bundle folder as an {@link ImageScorer}
 * @param pipeline      the RALI stages
 */
public record AppServices(Supplier<Path> sampleProject, DatasetImportAction importer,
                          Function<Path, ImageScorer> scorerFactory, PipelineService pipeline) {

    public static AppServices none() {
        return new AppServices(null, null, null, null);
    }
}
