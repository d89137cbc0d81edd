package dev.rali.engine.traces;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceImporterTest {
    @TempDir
    Path dir;

    private long a;
    private long b;

    private ProjectStore project() throws Exception {
        ProjectStore store = ProjectStore.open(dir.resolve("p.rali"));
        long ds = TestProjects.dataset(store, "koniq");
        a = TestProjects.image(store, ds, "a.jpg", dir.resolve("imgs/a.jpg"), "train");
        b = TestProjects.image(store, ds, "b.jpg", dir.resolve("imgs/b.jpg"), "train");
        return store;
    }

    @Test
    void importsJsonlWithAliasesAndListsMalformedLines() throws Exception {
        Path f = dir.resolve("qinsight_koniq.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"image\": \"a.jpg\", \"seed\": 0, \"text\": \"<think>sharp</think><answer>{\\\"rating\\\": 4.2}</answer>\"}",
                "{\"image_path\": \"/data/koniq/b.jpg\", \"response\": \"<think>dark</think><answer>2</answer>\"}",
                "{not json",
                "{\"img\": \"missing.jpg\", \"output\": \"x\"}",
                "",
                "{\"image\": \"a.jpg\", \"seed\": \"one\", \"text\": \"x\"}",
                "{\"image\": \"b.jpg\", \"outputs\": [\"<think>s1</think><answer>2.5</answer>\", \"<think>s2</think>\"]}",
                "{\"image\": \"a.jpg\", \"seed\": 1}"));
        try (ProjectStore store = project()) {
            TraceImporter.Report r = new TraceImporter().importPath(store, f, TraceImporter.Options.defaults(), TaskContext.silent());
            assertEquals(List.of(3, 4, 6, 7, 8), r.problems().stream().map(TraceImporter.Problem::line).toList(), r.problems().toString());
            assertTrue(r.problems().get(0).toString().startsWith(f + ":3: malformed JSON"), r.problems().get(0).toString());
            assertTrue(r.problems().get(1).reason().contains("missing.jpg"));
            assertEquals(3, r.inserted());
            List<TraceStore.TraceRow> bRows = TraceStore.forImage(store, b);
            // b: line 2 has no seed -> 0; line 7's array -> seeds 0 and 1, the later duplicate of seed 0 wins
            assertEquals(2, bRows.size());
            assertEquals("qinsight_koniq", bRows.get(0).source());
            assertEquals("s1", bRows.get(0).think());
            assertEquals(ParseStatus.NO_ANSWER, bRows.get(1).status());
            assertEquals(4.2, TraceStore.forImage(store, a).get(0).score());

            TraceImporter.Report again = new TraceImporter().importPath(store, f, TraceImporter.Options.defaults(), TaskContext.silent());
            assertEquals(0, again.inserted());
            assertEquals(3, TraceStore.list(store, TraceStore.Query.all()).size());
        }
    }

    @Test
    void importsCsvWithQuotedMultilineText() throws Exception {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, "image,seed,text\n"
                + "a.jpg,0,\"<think>line one,\n\"\"quoted\"\"</think><answer>3.5</answer>\"\n"
                + "b.jpg,x,bad seed\n"
                + "b.jpg,2,plain reasoning text\n");
        try (ProjectStore store = project()) {
            TraceImporter.Report r = new TraceImporter().importPath(store, f, new TraceImporter.Options("csvsrc", null),
                    TaskContext.silent());
            assertEquals(2, r.inserted());
            assertEquals(1, r.problems().size());
            assertEquals(4, r.problems().get(0).line());
            TraceStore.TraceRow row = TraceStore.forImage(store, a).get(0);
            assertEquals("line one,\n\"quoted\"", row.think());
            assertEquals("csvsrc", row.source());
            TraceStore.TraceRow plain = TraceStore.forImage(store, b).get(0);
            assertEquals(2, plain.seed());
            assertEquals(ParseStatus.NO_ANSWER, plain.status());
        }
    }

    @Test
    void importsFolderOfRawTxtOutputs() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("raw_outputs"));
        Files.writeString(folder.resolve("a.jpg__seed0.txt"), "<think>t0</think><answer>{\"rating\": 3}</answer>");
        Files.writeString(folder.resolve("a.jpg__seed3.txt"), "<think>t3</think><answer>{\"rating\": 9}</answer>");
        Files.writeString(folder.resolve("notes.txt"), "ignored");
        Files.writeString(folder.resolve("manifest.json"), "{\"images\": 2}");
        try (ProjectStore store = project()) {
            TraceImporter.Report r = new TraceImporter().importPath(store, folder, TraceImporter.Options.defaults(),
                    TaskContext.silent());
            assertEquals(2, r.inserted());
            assertEquals(2, r.problems().size(), r.problems().toString());
            assertTrue(r.problems().get(0).toString().contains("manifest.json: expected a JSON array"), r.problems().toString());
            assertTrue(r.problems().get(1).toString().contains("notes.txt"));
            assertEquals(1, r.statuses().get(ParseStatus.SCORE_OUT_OF_RANGE));
            List<TraceStore.TraceRow> rows = TraceStore.forImage(store, a);
            assertEquals(List.of(0L, 3L), rows.stream().map(TraceStore.TraceRow::seed).toList());
            assertEquals("raw_outputs", rows.get(0).source());
        }
    }

    @Test
    void rejectsUnknownFormatAndBadJsonFile() throws Exception {
        Path bad = dir.resolve("t.xml");
        Files.writeString(bad, "<x/>");
        Path json = dir.resolve("t.json");
        Files.writeString(json, "{\"foo\": 1}");
        try (ProjectStore store = project()) {
            IOException e1 = assertThrows(IOException.class, () -> new TraceImporter().importPath(store, bad,
                    TraceImporter.Options.defaults(), TaskContext.silent()));
            assertTrue(e1.getMessage().contains("t.xml"));
            IOException e2 = assertThrows(IOException.class, () -> new TraceImporter().importPath(store, json,
                    TraceImporter.Options.defaults(), TaskContext.silent()));
            assertTrue(e2.getMessage().contains("t.json") && e2.getMessage().contains("array"), e2.getMessage());
        }
    }
}
