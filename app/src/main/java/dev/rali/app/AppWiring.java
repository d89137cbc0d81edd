package dev.rali.app;

/**
 * The one place that connects the desktop app to the engine's real services. Until a service is wired here the
 * view that needs it shows a clear "not available in this build" message instead of failing.
 */
public final class AppWiring {
    private AppWiring() { }

    public static AppServices services() {
        // LEAD: wire the remaining implementations once merged:
        //   sampleProject: () -> path of the built demo project (.rali), e.g. what `rali demo` writes;
        //   scorerFactory: bundleDir -> the ImageScorer behind `rali score`;
        //   pipeline:      the PipelineService behind `rali pipeline`.
        return new AppServices(null, new EngineDatasetImport(), null, null);
    }
}
