package dev.rali.app.wiring;

import dev.rali.app.AppServices;
import dev.rali.app.BundleExportAction;
import dev.rali.app.DatasetImportAction;
import dev.rali.app.SaliencyFactory;
import dev.rali.app.SampleProjectSource;
import dev.rali.app.ScorerFactory;
import dev.rali.engine.analysis.EmbeddingAnalysisService;
import dev.rali.engine.analysis.ProjectAnalysis;
import dev.rali.engine.analysis.attention.AttentionService;
import dev.rali.engine.analysis.attention.ProjectAttention;
import dev.rali.engine.analysis.saliency.SaliencyModels;
import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.pipeline.PipelineService;
import dev.rali.engine.pipeline.BundleExport;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.score.BundleScorer;
import dev.rali.engine.task.TaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The one place that connects the desktop app to the engine's real services (tests pass fakes instead). Only this
 * package may use engine implementation classes; {@code AppArchitectureTest} holds the rest of the app to the
 * engine's service interfaces.
 */
public final class AppWiring {
    private AppWiring() { }

    /** {@code rali gui --threads N}: libtorch's intra-op threads for this app, as the CLI's {@code --threads}. */
    public static void threads(int n) {
        dev.rali.engine.clip.TorchRuntime.setThreads(n);
    }

    public static AppServices services() {
        return AppServices.builder()
                .with(SampleProjectSource.class, AppWiring::sampleProject)
                .with(DatasetImportAction.class, new EngineDatasetImport())
                .with(ScorerFactory.class, new ScorerFactory() {
                    @Override
                    public dev.rali.engine.score.ImageScorer open(java.nio.file.Path bundleDir) throws Exception {
                        return open(bundleDir, "auto");
                    }

                    @Override
                    public dev.rali.engine.score.ImageScorer open(java.nio.file.Path bundleDir, String precision)
                            throws Exception {
                        return BundleScorer.open(bundleDir, "auto", precision, 16);
                    }
                })
                .with(PipelineService.class, new RaliPipeline())
                .with(BundleExportAction.class, (store, run, out) -> BundleExport.export(store, run, out, false))
                .with(EmbeddingAnalysisService.class, new ProjectAnalysis("auto"))
                .with(AttentionService.class, new ProjectAttention())
                // saliency on the CPU, like rali analyze saliency's default (one image: seconds at demo size); each
                // bundle is opened once and kept open until the project changes
                .with(SaliencyFactory.class, saliency(new SaliencyModels("cpu")))
                .with(dev.rali.engine.sweep.SweepService.class, dev.rali.engine.sweep.SweepService.engine())
                .build();
    }

    static SaliencyFactory saliency(SaliencyModels models) {
        return new SaliencyFactory() {
            @Override
            public dev.rali.engine.analysis.saliency.Explainer open(Path bundleDir) throws Exception {
                return models.open(bundleDir);
            }

            @Override
            public void release() {
                models.release();
            }
        };
    }

    /**
     * The sample project: the one {@code ./rali demo} trained (rali-demo/demo.rali next to the checkout) when it
     * exists, otherwise ~/.rali/sample/demo.rali built by the demo's own code ({@link Demo#run}: sample data, MOS,
     * traces, the demo CLIP, then the full recipe trained, evaluated and exported; no ablations, so it takes a few
     * CPU minutes once and is reused after). Start promises "traces, runs and results": this keeps the promise.
     */
    static Path sampleProject(TaskContext ctx) throws Exception {
        Path home = Path.of(System.getProperty("rali.home", ""));
        Path trained = home.resolve("rali-demo").resolve("demo.rali").toAbsolutePath();
        if (Files.isRegularFile(trained)) {
            return trained;
        }
        try {
            return Demo.run(Path.of(System.getProperty("user.home"), ".rali", "sample"), null, List.of(), "auto", ctx)
                    .project();
        } catch (dev.rali.engine.task.CancelledException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the sample project: " + e.getMessage(), e);
        }
    }
}
