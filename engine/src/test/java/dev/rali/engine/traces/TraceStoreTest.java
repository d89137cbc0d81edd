package dev.rali.engine.traces;

import dev.rali.engine.io.CsvTable;
import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceStoreTest {
    @TempDir
    Path dir;

    private static final String OK_A = "<think>sharp</think><answer>{\"rating\": 4.1}</answer>";
    private static final String OK_B = "<think>noisy</think><answer>{\"rating\": 2.0}</answer>";

    @Test
    void upsertIsIdempotentAndKeepsIdAndAudit() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long ds = TestProjects.dataset(store, "koniq");
            long img = TestProjects.image(store, ds, "a.jpg", dir.resolve("a.jpg"), "train");
            TraceParser parser = new TraceParser();
            long id = TraceStore.upsert(store, new TraceStore.NewTrace(img, "qinsight", 0, OK_A), parser);
            TraceStore.setAudit(store, id, TraceStore.Verdict.WRONG, "hallucinated blur");
            TraceStore.WriteResult again = TraceStore.upsertAll(store,
                    List.of(new TraceStore.NewTrace(img, "qinsight", 0, OK_A)), parser);
            assertEquals(new TraceStore.WriteResult(0, 0, 1), again);
            long id2 = TraceStore.upsert(store, new TraceStore.NewTrace(img, "qinsight", 0, OK_B), parser);
            assertEquals(id, id2);
            List<TraceStore.TraceRow> rows = TraceStore.forImage(store, img);
            assertEquals(1, rows.size());
            assertEquals("noisy", rows.get(0).think());
            assertEquals(2.0, rows.get(0).score());
            assertEquals(TraceStore.Verdict.WRONG, TraceStore.audit(store, id).orElseThrow().verdict());
            assertTrue(TraceStore.exists(store, new TraceStore.Key(img, "qinsight", 0)));
            assertFalse(TraceStore.exists(store, new TraceStore.Key(img, "qinsight", 1)));
        }
    }

    @Test
    void alignmentCorpusKeepsOnlyListedSourcesOkParsesAndTracesNotMarkedWrong() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long ds = TestProjects.dataset(store, "koniq");
            long a = TestProjects.image(store, ds, "a.jpg", dir.resolve("a.jpg"), "train");
            long b = TestProjects.image(store, ds, "b.jpg", dir.resolve("b.jpg"), "train");
            TraceParser parser = new TraceParser();
            long a0 = TraceStore.upsert(store, new TraceStore.NewTrace(a, "qinsight", 0, OK_A), parser);
            long a1 = TraceStore.upsert(store, new TraceStore.NewTrace(a, "qinsight", 1, OK_B), parser);
            long aNoScore = TraceStore.upsert(store, new TraceStore.NewTrace(a, "qinsight", 2,
                    "<think>blurry</think><answer>good</answer>"), parser);
            long aBase = TraceStore.upsert(store, new TraceStore.NewTrace(a, "baseline", 0, OK_B), parser);
            long b0 = TraceStore.upsert(store, new TraceStore.NewTrace(b, "qinsight", 0, OK_A), parser);
            TraceStore.setAudit(store, a1, TraceStore.Verdict.WRONG, "says noisy, is sharp");
            TraceStore.setAudit(store, b0, TraceStore.Verdict.UNSURE, null);

            TraceStore.Corpus def = TraceStore.corpus(store, "koniq", "train", TraceStore.Selection.defaults());
            assertEquals(Map.of(a, List.of(aBase, a0), b, List.of(b0)), ids(def), "every source, OK, not wrong");
            assertEquals(1, def.excludedWrong());

            TraceStore.Corpus listed = TraceStore.corpus(store, "koniq", "train",
                    new TraceStore.Selection(List.of("qinsight"), true, true));
            assertEquals(Map.of(a, List.of(a0), b, List.of(b0)), ids(listed), "the baseline source stays out");

            TraceStore.Corpus all = TraceStore.corpus(store, "koniq", "train",
                    new TraceStore.Selection(List.of("qinsight"), false, false));
            assertEquals(List.of(a0, a1, aNoScore), ids(all).get(a), "any reasoning, verdicts ignored, seed order");
            assertEquals(0, all.excludedWrong());
            assertEquals(List.of("baseline", "qinsight"), TraceStore.sources(store));
        }
    }

    private static Map<Long, List<Long>> ids(TraceStore.Corpus c) {
        Map<Long, List<Long>> out = new java.util.HashMap<>();
        c.byImage().forEach((img, ts) -> out.put(img, ts.stream().map(TraceStore.CorpusTrace::id).toList()));
        return out;
    }

    @Test
    void corpusFiltersByDatasetSplitAndStatus() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long koniq = TestProjects.dataset(store, "koniq");
            long spaq = TestProjects.dataset(store, "spaq");
            long a = TestProjects.image(store, koniq, "a.jpg", dir.resolve("a.jpg"), "train");
            long b = TestProjects.image(store, koniq, "b.jpg", dir.resolve("b.jpg"), "test");
            long c = TestProjects.image(store, spaq, "c.jpg", dir.resolve("c.jpg"), "train");
            TraceParser parser = new TraceParser();
            TraceStore.upsertAll(store, List.of(
                    new TraceStore.NewTrace(a, "q", 0, OK_A),
                    new TraceStore.NewTrace(a, "q", 1, OK_B),
                    new TraceStore.NewTrace(a, "q", 2, "<think>no rating given</think>"),
                    new TraceStore.NewTrace(a, "q", 3, "<think>cut off"),
                    new TraceStore.NewTrace(b, "q", 0, OK_A),
                    new TraceStore.NewTrace(c, "q", 0, "plain description of c")), parser);

            Map<Long, List<String>> okTrain = TraceStore.corpus(store, "koniq", "train", true);
            assertEquals(Map.of(a, List.of("sharp", "noisy")), okTrain);
            Map<Long, List<String>> usable = TraceStore.corpus(store, null, "train", false);
            assertEquals(List.of("sharp", "noisy", "no rating given"), usable.get(a));
            assertEquals(List.of("plain description of c"), usable.get(c));
            assertEquals(2, usable.size());
            assertEquals(3, TraceStore.corpus(store, null, null, false).size());

            Map<ParseStatus, Long> counts = TraceStore.countsByStatus(store, null);
            assertEquals(3L, counts.get(ParseStatus.OK));
            assertEquals(2L, counts.get(ParseStatus.NO_ANSWER));
            assertEquals(1L, counts.get(ParseStatus.UNCLOSED_THINK));
            assertEquals(0L, counts.get(ParseStatus.NO_SCORE));
            assertEquals(Map.of(1, 1L, 4, 1L), TraceStore.tracesPerImage(store, "koniq", false));
            assertEquals(Map.of(1, 1L, 2, 1L), TraceStore.tracesPerImage(store, "koniq", true));
            assertEquals(1, TraceStore.list(store, new TraceStore.Query("koniq", null, ParseStatus.UNCLOSED_THINK, null, 0, 0)).size());
            assertEquals(2, TraceStore.list(store, new TraceStore.Query(null, null, null, null, 2, 0)).size());
        }
    }

    @Test
    void auditExportsCsvAndRejectsUnknownTrace() throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long ds = TestProjects.dataset(store, "koniq");
            long img = TestProjects.image(store, ds, "a.jpg", dir.resolve("a.jpg"), "train");
            long id = TraceStore.upsert(store, new TraceStore.NewTrace(img, "q", 0,
                    "<think>sharp, \"vivid\"\ncolours</think><answer>4</answer>"), new TraceParser());
            TraceStore.setAudit(store, id, TraceStore.Verdict.OK, "fine, really");
            Path csv = dir.resolve("out/audit.csv");
            assertEquals(1, TraceStore.exportAuditCsv(store, csv));
            List<CsvTable.Row> recs = CsvTable.parse(Files.readString(csv), ',').rows();
            assertEquals(2, recs.size());
            List<String> row = recs.get(1).cells();
            assertEquals("koniq", row.get(1));
            assertEquals("ok", row.get(7));
            assertEquals("fine, really", row.get(8));
            assertEquals("sharp, \"vivid\"\ncolours", row.get(10));
            TraceStore.setAudit(store, id, null, null);
            assertTrue(TraceStore.audit(store, id).isEmpty());
            var e = assertThrows(java.io.IOException.class,
                    () -> TraceStore.setAudit(store, 999, TraceStore.Verdict.OK, null));
            assertTrue(e.getMessage().contains("999"), e.getMessage());
        }
    }
}
