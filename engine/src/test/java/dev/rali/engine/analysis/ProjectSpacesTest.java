package dev.rali.engine.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.cli.RaliCli;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.rali.RaliParams;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.sample.SampleProjectBuilder;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The four spaces of a tiny project with two datasets and one pipeline run (1-layer CLIP, 48-px images). */
class ProjectSpacesTest {
    @TempDir
    static Path dir;
    static Path projectFile;
    static long runId;

    @BeforeAll
    static void tinyProjectWithARun() throws Exception {
        Path photos = SampleProjectBuilder.findPhotosDir(Path.of(""));
        Path few = SampleProjectBuilder.copySubset(photos, dir.resolve("photos"),
                Set.of("astronaut.png", "brick.png", "camera.png", "chelsea.png"));
        Path sample = dir.resolve("sample");
        SampleProjectBuilder.build(sample, new SampleProjectBuilder.Options(few, 48, 2, 0L, Set.of("brick"),
                Set.of("camera"), false, 1), TaskContext.silent());
        Path encoder = DemoClipFactory.create(dir.resolve("clip"), new DemoClipFactory.Config(32, 48, 8, 32, 1, 2, 64,
                32, 1, 2, 64, 16, 77, 49408, Math.log(100)), 3);
        projectFile = dir.resolve("p.rali");
        try (ProjectStore store = ProjectStore.open(projectFile)) {
            Demo.importSample(store, sample, "first", TaskContext.silent());
            Demo.importSample(store, sample, "second", TaskContext.silent());
            new ProjectSettings(store).put(ProjectSettings.BASE_ENCODER, encoder.toString());
            RaliParams p = RaliParams.ablation("full");
            p.alignment.epochs = 1;
            p.alignment.batchSize = 16;
            p.compression.dim = 8;
            p.bases.count = 8;
            p.bases.buckets = 6;
            p.scoreDefinition.epochs = 2;
            PipelineParams params = PipelineParams.defaults().withRali(p).with(ParamKeys.BOOTSTRAP, 10)
                    .with(ParamKeys.SCORE_DATASET, "first");
            runId = new RaliPipeline().execute(store, "all", params, TaskContext.silent()).runId();
        }
    }

    @Test
    void eachSpaceHasItsDimensionAndTheSameImagesPerDataset() throws Exception {
        try (ProjectStore store = ProjectStore.open(projectFile)) {
            EmbeddingSpace base = ProjectSpaces.load(store, ProjectSpaces.Space.BASE, List.of(), null, "cpu",
                    10000, 1, TaskContext.silent());
            EmbeddingSpace aligned = ProjectSpaces.load(store, ProjectSpaces.Space.ALIGNED, List.of(), runId, "cpu",
                    10000, 1, TaskContext.silent());
            EmbeddingSpace pca = ProjectSpaces.load(store, ProjectSpaces.Space.PCA, List.of("first", "second"), runId,
                    "cpu", 10000, 1, TaskContext.silent());
            EmbeddingSpace text = ProjectSpaces.load(store, ProjectSpaces.Space.TEXT, List.of(), runId, "cpu",
                    10000, 1, TaskContext.silent());
            assertEquals(16, base.dim());
            assertEquals(16, aligned.dim());
            assertEquals(8, pca.dim());
            assertEquals(16, text.dim());
            assertEquals(List.of("first", "second"), base.groupNames());
            assertEquals(base.size(), aligned.size());
            assertEquals(List.of(base.ids()), List.of(pca.ids()));
            assertFalse(java.util.Arrays.equals(base.x()[0], aligned.x()[0]), "alignment changed the encoder");
            assertTrue(text.size() > 0 && text.size() <= base.size());
            assertTrue(base.hasScores());
            // the same images in both datasets: the spaces cannot tell them apart
            EmbeddingSpace again = ProjectSpaces.load(store, ProjectSpaces.Space.BASE, List.of("first"), null, "cpu",
                    5, 1, TaskContext.silent());
            assertEquals(5, again.size());
        }
    }

    @Test
    void alignedAndPcaNeedARunAndUnknownDatasetsAreNamed() throws Exception {
        try (ProjectStore store = ProjectStore.open(projectFile)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProjectSpaces.load(store,
                    ProjectSpaces.Space.PCA, List.of(), null, "cpu", 100, 1, TaskContext.silent()));
            assertTrue(e.getMessage().contains("needs --run"), e.getMessage());
            IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> ProjectSpaces.load(store,
                    ProjectSpaces.Space.BASE, List.of("koniq"), null, "cpu", 100, 1, TaskContext.silent()));
            assertTrue(d.getMessage().contains("no dataset 'koniq'") && d.getMessage().contains("first"),
                    d.getMessage());
        }
    }

    @Test
    void cliAnalyzesAProjectSpace() throws Exception {
        Path out = dir.resolve("gap-pca");
        StringWriter o = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RaliCli.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("analyze", "domain-gap", "--project", projectFile.toString(), "--space", "pca",
                "--run", Long.toString(runId), "--method", "umap", "--neighbors", "5", "--out", out.toString(),
                "--json", "--device", "cpu");
        assertEquals(0, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(o.toString());
        assertEquals("pca (run " + runId + ")", json.get("space").asText());
        assertEquals(8, json.get("dim").asInt());
        assertTrue(json.get("groups").has("second"));
        assertTrue(Files.size(out.resolve("map.png")) > 1000);
    }
}
