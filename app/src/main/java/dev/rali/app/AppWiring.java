package dev.rali.app;

/**
 * The one place that connects the desktop app to the engine's real services. Until a service is wired here the
 * view that needs it shows a clear "not available in this build" message instead of failing.
 */
public final class AppWiring {
    private AppWiring() { }

    public static AppServices services() {
        // LEAD: wire the real implementations, e.g.
        //   new AppServices(() -> DemoProjectBuilder.build(...), new EngineDatasetImport(),
        //                   bundleDir -> RaliImageScorer.open(bundleDir), new RaliPipelineService())
        return AppServices.none();
    }
}
