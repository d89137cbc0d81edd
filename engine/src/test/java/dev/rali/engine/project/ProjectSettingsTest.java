package dev.rali.engine.project;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link ProjectSettings#baseEncoder}: the one rule the pipeline, sweeps, analysis and {@code traces stats} share. */
class ProjectSettingsTest {

    @Test
    void parametersEncoderBaseWinsOverTheProjectSetting(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            ProjectSettings settings = new ProjectSettings(store);
            settings.put(ProjectSettings.BASE_ENCODER, "/models/project-clip");
            PipelineParams params = PipelineParams.defaults().with(ParamKeys.ENCODER_BASE, "/models/run-clip");
            assertEquals(Optional.of(Path.of("/models/run-clip")), settings.baseEncoder(params));
        }
    }

    @Test
    void emptyEncoderBaseFallsBackToTheProjectSetting(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            ProjectSettings settings = new ProjectSettings(store);
            settings.put(ProjectSettings.BASE_ENCODER, "/models/project-clip");
            assertEquals(Optional.of(Path.of("/models/project-clip")), settings.baseEncoder(PipelineParams.defaults()));
            // a form field left blank reads as unset too
            assertEquals(Optional.of(Path.of("/models/project-clip")),
                    settings.baseEncoder(PipelineParams.defaults().with("encoder.base", "  ")));
        }
    }

    @Test
    void noBaseEncoderWhenNeitherTheParametersNorTheProjectNameOne(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            assertEquals(Optional.empty(), new ProjectSettings(store).baseEncoder(PipelineParams.defaults()));
        }
    }
}
