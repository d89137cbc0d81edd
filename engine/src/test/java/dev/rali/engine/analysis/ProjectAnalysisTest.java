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

/**
 * The analyses of a tiny project with two datasets and one pipeline run (1-layer CLIP, 48-px images): the four
 * spaces, the basis explorer and the explanation of a score.
 */
class ProjectAnalysisTest {
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

    @Test
    void everyBasisHasItsFItsImagesAndWordsAndTheSizesAddUp() throws Exception {
        try (ProjectStore store = ProjectStore.open(projectFile)) {
            BasisExplorer.Report r = BasisExplorer.bases(store, runId, 3, 4, 2000, "cpu", TaskContext.silent());
            dev.rali.engine.rali.HeadParams head = dev.rali.engine.rali.HeadParams.read(
                    ProjectSpaces.runArtifact(store, runId, "head"));
            assertEquals(head.numBases(), r.bases().size());
            assertEquals(r.trainingImages(), r.bases().stream().mapToInt(BasisExplorer.Basis::size).sum());
            assertEquals("first", r.dataset());
            assertEquals(r.trainingImages() <= 2000 ? r.trainingImages() : 2000, r.mapCoordinates().length);
            for (BasisExplorer.Basis b : r.bases()) {
                assertEquals(head.f()[b.index()], b.f(), 1e-6);
                assertEquals(3, b.nearest().size());
                for (int i = 1; i < b.nearest().size(); i++) {
                    assertTrue(b.nearest().get(i - 1).cosine() >= b.nearest().get(i).cosine(), "nearest first");
                }
                assertFalse(b.nearest().get(0).reasoning().isBlank(), "sample images have template traces");
                assertTrue(b.words().stream().noneMatch(BasisExplorer.STOP::contains));
                assertEquals(b.size() > 0, Double.isFinite(b.mapX()), "a basis with images has a map position");
                if (b.size() > 0) {
                    assertFalse(b.words().isEmpty());
                }
            }
        }
    }

    @Test
    void theTopWeightsExplainTheScoreAndTheBundleFindsItsProject() throws Exception {
        Path bundle = dir.resolve("m.rali-model");
        Path image;
        try (ProjectStore store = ProjectStore.open(projectFile)) {
            dev.rali.engine.pipeline.BundleExport.export(store, runId, bundle, false);
            image = dev.rali.engine.dataset.Datasets.images(store, "first", "test").get(0).path();
        }
        List<Explainer.Explanation> all = Explainer.explain(bundle, List.of(image), 1000, "cpu",
                TaskContext.silent());
        Explainer.Explanation e = all.get(0);
        assertEquals(8, e.carriers().size());
        double sum = e.carriers().stream().mapToDouble(Explainer.Carrier::contribution).sum();
        assertEquals(e.score(), sum, 1e-6, "ŝ = Σ w·f over all bases");
        for (int i = 1; i < e.carriers().size(); i++) {
            assertTrue(e.carriers().get(i - 1).weight() >= e.carriers().get(i).weight());
        }
        try (dev.rali.engine.score.BundleScorer scorer = dev.rali.engine.score.BundleScorer.open(bundle, "cpu", 4)) {
            double[] s = new double[1];
            scorer.scoreAll(List.of(image), r -> s[0] = r.score(), TaskContext.silent());
            assertEquals(s[0], e.score(), 1e-9, "the same score as rali score");
        }

        StringWriter o = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RaliCli.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("analyze", "explain", "--model", bundle.toString(), image.toString(), "--top", "2",
                "--json", "--device", "cpu");
        assertEquals(0, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(o.toString());
        JsonNode first = json.get(0).get("bases").get(0);
        assertEquals(2, json.get(0).get("bases").size());
        assertTrue(first.get("images").size() > 0, "images of the basis from the project recorded in the bundle");
    }

    @Test
    void theServiceExplainsWithTheRunsEncoderAndHeadAsItsBundleDoes() throws Exception {
        Path bundle = dir.resolve("m2.rali-model");
        try (ProjectStore store = ProjectStore.open(projectFile)) {
            dev.rali.engine.pipeline.BundleExport.export(store, runId, bundle, false);
            Path image = dev.rali.engine.dataset.Datasets.images(store, "second", null).get(1).path();
            ProjectAnalysis svc = new ProjectAnalysis("cpu");
            Explainer.Explanation byRun = svc.explain(store, runId, List.of(image), 3, TaskContext.silent()).get(0);
            // a second request on the run reuses its opened encoder; after release the next one opens it again
            assertEquals(byRun, svc.explain(store, runId, List.of(image), 3, TaskContext.silent()).get(0));
            assertEquals(1, svc.encodersOpened());
            svc.release();
            assertEquals(byRun, svc.explain(store, runId, List.of(image), 3, TaskContext.silent()).get(0));
            assertEquals(2, svc.encodersOpened());
            Explainer.Explanation byBundle = Explainer.explain(bundle, List.of(image), 3, "cpu",
                    TaskContext.silent()).get(0);
            assertEquals(byBundle.score(), byRun.score(), 1e-9);
            assertEquals(byBundle.carriers(), byRun.carriers());
            assertEquals(3, byRun.carriers().size());
            // and the space/numbers route is the CLI's: same rows as ProjectSpaces.load
            EmbeddingSpace s = svc.space(store, ProjectSpaces.Space.BASE, List.of(), null, 10000, 1,
                    TaskContext.silent());
            assertEquals(List.of(ProjectSpaces.load(store, ProjectSpaces.Space.BASE, List.of(), null, "cpu", 10000, 1,
                    TaskContext.silent()).ids()), List.of(s.ids()));
        }
    }

    @Test
    void tfIdfRanksAWordOnlyOneBasisUsesFirst() {
        List<List<String>> top = TfIdf.top(List.of(
                java.util.Map.of("blur", 5, "noise", 1), java.util.Map.of("noise", 5, "blur", 1),
                java.util.Map.of("blur", 1, "noise", 1, "jpeg", 2)), 1);
        assertEquals(List.of(List.of("blur"), List.of("noise"), List.of("jpeg")), top);
    }
}
