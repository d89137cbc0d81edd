package dev.rali.engine.eval;

import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import dev.rali.engine.project.Runs;
import dev.rali.engine.rali.RaliParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaperTablesTest {
    private static final MetricReport KONIQ = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 200, 1);
    private static final MetricReport SPAQ = MetricReport.compute(MetricsTest.TIES_X, MetricsTest.TIES_Y);

    private static String f(double v) {
        return ResultsTable.fmt(v);
    }

    private static ResultsTable results() {
        return new ResultsTable().add("koniq10k", ResultsTable.TEST_SPLIT, KONIQ).add("mine", ResultsTable.ALL, SPAQ);
    }

    @Test
    void table2PutsDatasetsInColumnsAndThePaperRaliRowsUnderTheMatchingDatasets() {
        Map<String, PaperTables.RunFigures> m = new LinkedHashMap<>();
        m.put("RALI (this project)", PaperTables.RunFigures.of(results()));
        PaperTables.Table t = PaperTables.table2(m, new PaperTables.Table2Options(true, true, true, true));
        assertEquals(List.of("Method", "Metric", "koniq10k", "mine", "AVG."), t.header());
        List<List<String>> x = t.texts();
        assertEquals(List.of("RALI (this project)", "PLCC", f(KONIQ.plccFitted()) + " " + KONIQ.plccFittedCi(),
                f(SPAQ.plccFitted()), f(results().average().plcc())), x.get(0));
        assertEquals("SRCC", x.get(1).get(1));
        assertEquals(List.of("RALI (this project)", "RMSE", f(KONIQ.rmse()), f(SPAQ.rmse()),
                f(results().average().rmse())), x.get(3));
        // The paper's RALI: KonIQ 0.939 / 0.922, AVG 0.798 / 0.779 (Table 2); "mine" is not one of its test sets.
        assertEquals(List.of("RALI (paper)", "PLCC", "0.939", "–", "0.798"), x.get(4));
        assertEquals(List.of("RALI (paper)", "SRCC", "0.922", "–", "0.779"), x.get(5));
    }

    @Test
    void projectDatasetNamesMapToThePapersColumns() {
        assertEquals("KonIQ", PaperTables.paperColumn("KonIQ-10k").orElseThrow());
        assertEquals("LiveW", PaperTables.paperColumn("livec").orElseThrow());
        assertEquals("LiveW", PaperTables.paperColumn("LIVE Challenge").orElseThrow());
        assertEquals("AGIQA", PaperTables.paperColumn("agiqa3k").orElseThrow());
        assertTrue(PaperTables.paperColumn("tid2013").isEmpty(), "TID2013 is not a Table 2 column");
    }

    @Test
    void table4CasesAgreeWithThePapersCheckmarks() {
        List<List<String>> rows = PaperTables.paperCsv("table4.csv");
        List<String> h = rows.get(0);
        assertEquals(RaliParams.ABLATIONS.size(), PaperTables.TABLE4_CASES.size());
        Map<String, List<String>> dropped = Map.of("full", List.of(),
                "no_alignment", List.of("contrastive_alignment", "seed_augmentation"),
                "no_pca", List.of("pca_reduction"), "plain_kmeans", List.of("bucketed_kmeans"),
                "no_seed_augmentation", List.of("seed_augmentation"), "no_score_definition", List.of("scoring_definition"));
        for (String a : RaliParams.ABLATIONS) {
            List<String> r = rows.get(PaperTables.TABLE4_CASES.get(a));
            assertEquals(Integer.toString(PaperTables.TABLE4_CASES.get(a)), r.get(0));
            for (int c = 1; c <= 5; c++) {
                assertEquals(dropped.get(a).contains(h.get(c)) ? "×" : "✓", r.get(c), a + " " + h.get(c));
            }
        }
    }

    @Test
    void table4ShowsCisForOneRunMeanAndStdOverSeedsAndThePapersCase() {
        Map<String, PaperTables.Figures> v = new LinkedHashMap<>();
        v.put("full", PaperTables.Figures.of(KONIQ));
        v.put("no_pca", PaperTables.Figures.mean(List.of(PaperTables.Figures.single(0.5, 0.4, 0.3, 1, 0.5, 10),
                PaperTables.Figures.single(0.7, 0.6, 0.5, 1, 0.7, 10))));
        PaperTables.Table t = PaperTables.table4(v, "test split", true);
        List<List<String>> x = t.texts();
        assertEquals(f(KONIQ.plccFitted()) + " " + KONIQ.plccFittedCi(), x.get(0).get(1));
        assertEquals(List.of("6", "0.798 / 0.779"), x.get(0).subList(6, 8));
        // mean 0.6, sample std sqrt(0.02) = 0.141
        assertEquals("0.600 ± 0.141", x.get(1).get(1));
        assertEquals("0.500 ± 0.141", x.get(1).get(2));
        assertEquals("0.600 ± 0.141", x.get(1).get(5), "raw PLCC gets its spread over seeds too");
        assertEquals(f(KONIQ.plcc()), x.get(0).get(5), "one run: raw PLCC alone");
        assertEquals(List.of("PLCC (mean ± std)", "SRCC (mean ± std)"), t.header().subList(1, 3));
        assertEquals("PLCC (raw, mean ± std)", t.header().get(5));
        assertEquals(List.of("2", "0.792 / 0.772"), x.get(1).subList(6, 8));
        assertEquals(PaperTables.Mark.BEST, t.rows().get(0).get(1).mark(), "0.99 PLCC beats 0.6");
        assertTrue(t.toMarkdown().contains("**" + f(KONIQ.plccFitted())), t.toMarkdown());
        assertTrue(t.toMarkdown().contains("over up to 2 seeds"), t.toMarkdown());
        assertEquals(List.of("PLCC [95% CI]", "SRCC [95% CI]"), PaperTables.table4(Map.of("full",
                PaperTables.Figures.of(KONIQ)), "test split", true).header().subList(1, 3), "one run each: CIs");
    }

    @Test
    void tableA5ListsThePapersTenCasesAndPrintsTheScalingRule() {
        List<PaperTables.A5Point> paper = PaperTables.paperTableA5();
        assertEquals(10, paper.size());
        PaperTables.A5Point c8 = paper.get(7);
        assertEquals(List.of(512, 250, 240), List.of(c8.dim(), c8.bases(), c8.buckets()));
        assertTrue(c8.scoreDefinition());
        assertEquals(0.798, c8.figures().plcc(), 0);
        PaperTables.A5Point ours = new PaperTables.A5Point(false, 16, 8, 6,
                PaperTables.Figures.single(0.41, 0.32, 0.2, 0.9, 0.4, 50), 5);
        PaperTables.Table t = PaperTables.tableA5(List.of(ours), "test split", "M × 1/32", false);
        assertEquals(List.of("×", "16", "8", "6", "0.410", "0.320", "0.400", "5", "512 / 100 / 90", "0.745 / 0.717"),
                t.texts().get(0));
        assertEquals("PLCC (raw)", t.header().get(6));
        assertTrue(t.toMarkdown().contains("Scaling: M × 1/32"));
    }

    @Test
    void tableA5ShowsRawPlccWithItsSpreadAndNamesThePlccConventionLikeTable4() {
        PaperTables.A5Point over2 = new PaperTables.A5Point(true, 16, 8, 6, PaperTables.Figures.mean(List.of(
                PaperTables.Figures.single(0.5, 0.4, 0.3, 1, 0.3, 10),
                PaperTables.Figures.single(0.7, 0.6, 0.5, 1, 0.5, 10))), 8);
        PaperTables.Table t = PaperTables.tableA5(List.of(over2), "test split", null, false);
        assertEquals("PLCC (raw, mean ± std)", t.header().get(6));
        assertEquals("0.400 ± 0.141", t.texts().get(0).get(6));
        // the same convention footer as Table 4 (and the results table), so no headline PLCC goes unexplained
        assertTrue(t.notes().contains(ResultsTable.FOOTER), t.notes().toString());
        assertTrue(t.toMarkdown().contains(ResultsTable.FOOTER), t.toMarkdown());
    }

    @Test
    void csvQuotesAndLatexEscapesSoTheExportsParse() {
        Map<String, PaperTables.RunFigures> m = new LinkedHashMap<>();
        m.put("RALI, seed_1 & co", PaperTables.RunFigures.of(results()));
        PaperTables.Table t = PaperTables.table2(m, new PaperTables.Table2Options(false, false, false, false));
        String csv = t.toCsv();
        assertTrue(csv.startsWith("Method,Metric,koniq10k,mine,AVG.\n\"RALI, seed_1 & co\",PLCC,"), csv);
        var parsed = dev.rali.engine.io.CsvTable.parse(csv, ',').rows();
        assertEquals(3, parsed.size());
        assertEquals("RALI, seed_1 & co", parsed.get(1).cells().get(0));
        String tex = t.toLatex();
        assertTrue(tex.contains("RALI, seed\\_1 \\& co & PLCC"), tex);
        assertTrue(tex.contains("\\toprule") && tex.contains("\\end{tabular}"), tex);
        assertEquals("0.5 $\\pm$ 0.1 \\checkmark{} $\\times$", PaperTables.tex("0.5 ± 0.1 ✓ ×"));
        assertThrows(IllegalArgumentException.class, () -> t.render("xlsx"));
    }

    @Test
    void resultsJsonReadsBackToTheSameFigures() throws Exception {
        PaperTables.RunFigures a = PaperTables.RunFigures.of(results());
        PaperTables.RunFigures b = PaperTables.RunFigures.fromResultsJson(results().toJson(), "results.json");
        assertEquals(a.datasets().keySet(), b.datasets().keySet());
        assertEquals(a.select("koniq10k").plcc(), b.select("koniq10k").plcc(), 1e-12);
        assertEquals(a.select("koniq10k").plccCi().lo(), b.select("koniq10k").plccCi().lo(), 1e-12);
        assertNull(b.select("mine").plccCi());
        assertEquals(a.average().srcc(), b.select(null).srcc(), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> b.select("kadid"));
        assertTrue(e.getMessage().contains("koniq10k"), e.getMessage());
        var bad = assertThrows(java.io.IOException.class,
                () -> PaperTables.RunFigures.fromResultsJson("{\"datasets\":[]}", "x/results.json"));
        assertTrue(bad.getMessage().startsWith("x/results.json: "), bad.getMessage());
    }

    @Test
    void figuresOfARunComeFromItsRunRecords(@TempDir Path dir) throws Exception {
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            long id;
            try (RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L)) {
                id = run.runId();
                Path tableDir = store.artifactDir().resolve("runs").resolve(Long.toString(id));
                Files.createDirectories(tableDir);
                AtomicFiles.writeString(tableDir.resolve("results.json"), results().toJson());
                AtomicFiles.writeString(tableDir.resolve("results.csv"), results().toCsv());
                run.artifact("table", tableDir.resolve("results.csv"));
                run.finish(RunRecords.DONE, "ok");
            }
            long empty;
            try (RunRecords run = RunRecords.begin(store, "align", "{}", 1L)) {
                empty = run.runId();
                run.finish(RunRecords.DONE, "ok");
            }
            PaperTables.RunFigures r = PaperTables.fromRun(new Runs(store), id);
            assertEquals(KONIQ.srcc(), r.select("koniq10k").srcc(), 1e-12);
            var e = assertThrows(IllegalArgumentException.class, () -> PaperTables.fromRun(new Runs(store), empty));
            assertTrue(e.getMessage().contains("run " + empty) && e.getMessage().contains("no evaluation"),
                    e.getMessage());
        }
    }
}
