package dev.rali.engine.analysis.attention;

import dev.rali.engine.io.Safetensors;
import dev.rali.engine.pipeline.Demo;
import dev.rali.engine.project.AttentionDumpRecords;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.sample.SampleProjectBuilder;
import dev.rali.engine.sample.SyntheticAttentionDumps;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionImporterTest {
    @TempDir
    static Path tmp;
    static Path sample;

    @BeforeAll
    static void buildSample() throws IOException {
        sample = tmp.resolve("sample");
        SampleProjectBuilder.build(sample, SampleProjectBuilder.Options.defaults(SampleProjectBuilder.findPhotosDir(Path.of("")))
                .withImageSize(40).withSeedsPerImage(1).withScenes(0), TaskContext.silent());
    }

    @Test
    void sampleShipsSyntheticDumpsLabelledAsSuch() throws IOException {
        List<Path> dumps = AttentionDumps.find(List.of(sample.resolve(SampleProjectBuilder.ATTENTION_DIR)));
        assertEquals(6, dumps.size()); // 3 test photos: pristine + strongest Gaussian blur
        AttentionDump d = AttentionDumps.read(dumps.get(0));
        assertTrue(d.model().startsWith("synthetic (rule:"), d.model());
        assertTrue(d.imageFile().isPresent(), "the image reference resolves from the dump folder");
        AttentionReport r = new AttentionAnalysis(5).add(d);
        // the rule: layer l head 0 image .45 - .1 l, head 1 reasoning and image swapped -> averaged image = .375
        assertEquals(0.375, r.allRoles().averaged().get(Role.IMAGE), 1e-5);
        assertEquals(0.10, r.allRoles().averaged().get(Role.ANSWER), 1e-5);
        assertEquals(0.45, r.allRoles().perHead().get(0).shares().get(Role.IMAGE), 1e-5);
        assertEquals(SyntheticAttentionDumps.GRID, r.imageMap().rows());
    }

    @Test
    void importLinksImagesAndTracesOnceAndKeepsFilesInTheProject() throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p1.rali"))) {
            Demo.importSample(store, sample, "sample", TaskContext.silent()); // also imports the sample's dumps
            AttentionDumpRecords records = new AttentionDumpRecords(store);
            List<AttentionDumpRecords.DumpRow> rows = records.list();
            assertEquals(6, rows.size());
            for (AttentionDumpRecords.DumpRow r : rows) {
                assertNotNull(r.imageId(), r.folder());
                assertNotNull(r.traceId(), r.folder() + " reasoning equals its trace's");
                assertTrue(r.imageName().endsWith(r.folder() + ".png"), r.imageName() + " vs " + r.folder());
                assertTrue(Files.isRegularFile(records.folder(r).resolve("attention.safetensors")));
                AttentionDumps.read(records.folder(r));
            }
            AttentionImporter.Report again = AttentionImporter.importDumps(store,
                    List.of(sample.resolve(SampleProjectBuilder.ATTENTION_DIR)), TaskContext.silent());
            assertEquals(0, again.imported());
            assertEquals(6, again.alreadyPresent());
            assertEquals(6, records.list().size());
        }
    }

    @Test
    void theServiceListsImportedDumpsAndReportsEveryReasoningTokenOfASelection() throws Exception {
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p3.rali"))) {
            AttentionService service = new ProjectAttention();
            assertTrue(service.dumps(store).isEmpty(), "a project without dumps lists none");
            Demo.importSample(store, sample, "sample", TaskContext.silent());
            List<AttentionService.ImportedDump> dumps = service.dumps(store);
            assertEquals(6, dumps.size());
            AttentionService.ImportedDump first = dumps.get(0);
            assertTrue(first.synthetic(), first.model());
            assertNotNull(first.traceId());
            AttentionDump d = service.read(first.folder());
            long reasoning = d.roles().stream().filter(r -> r == Role.REASONING).count();
            AttentionReport all = service.report(d, null, null);
            assertEquals(reasoning, all.topReasoning().size(), "every reasoning token, not a top-k");
            // the rule: layer 0 head 1 gives the image 30 % of the score token's attention, layer 3 head 0 15 %
            assertEquals(0.30, service.report(d, 0, 1).allRoles().averaged().get(Role.IMAGE), 1e-5);
            assertEquals(0.15, service.report(d, 3, 0).allRoles().averaged().get(Role.IMAGE), 1e-5);
            AttentionAnalysis.Result many = service.analyze(dumps.stream().map(AttentionService.ImportedDump::folder)
                    .toList(), 3, TaskContext.silent());
            assertEquals(6, many.perDump().size());
        }
    }

    @Test
    void oneBadDumpImportsNothingAndNamesTheFile() throws Exception {
        Path dumps = tmp.resolve("mixed");
        AttentionDumps.write(dumps.resolve("a-good"), Dumps.withImage());
        AttentionDumps.write(dumps.resolve("b-bad"), Dumps.withoutImage());
        float[] a = Dumps.withoutImage().attn().clone();
        a[5] = Float.NaN;
        Path bad = dumps.resolve("b-bad/attention.safetensors");
        new Safetensors.Writer().putFloats("attn", a, 1, 1, 3, 4).write(bad);
        try (ProjectStore store = ProjectStore.open(tmp.resolve("p2.rali"))) {
            IOException e = assertThrows(IOException.class,
                    () -> AttentionImporter.importDumps(store, List.of(dumps), TaskContext.silent()));
            assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
            assertEquals(0, new AttentionDumpRecords(store).list().size());
            Path dir = store.artifactDir().resolve(AttentionDumpRecords.DIR);
            assertTrue(!Files.exists(dir) || Files.list(dir).findAny().isEmpty(), "no files copied");
            // unlinked dumps (no image named) still import
            Files.delete(bad);
            Files.delete(dumps.resolve("b-bad/meta.json"));
            AttentionImporter.Report r = AttentionImporter.importDumps(store, List.of(dumps), TaskContext.silent());
            assertEquals(1, r.imported());
            assertEquals("no image named", r.dumps().get(0).note());
        }
    }
}
