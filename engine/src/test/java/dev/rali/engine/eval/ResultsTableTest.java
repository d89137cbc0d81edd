package dev.rali.engine.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTableTest {
    private static ResultsTable table() {
        return new ResultsTable()
                .add("KonIQ", MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y))
                .add("SPAQ", MetricReport.compute(MetricsTest.TIES_X, MetricsTest.TIES_Y));
    }

    private static final MetricReport KONIQ = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y);
    private static final MetricReport SPAQ = MetricReport.compute(MetricsTest.TIES_X, MetricsTest.TIES_Y);

    private static String f(double v) {
        return ResultsTable.fmt(v);
    }

    @Test
    void averageRowIsThePlainMeanOverDatasetsWithTheLogisticPlccAsHeadline() {
        ResultsTable.Average a = table().average();
        assertEquals((KONIQ.plccFitted() + SPAQ.plccFitted()) / 2, a.plcc(), 1e-12);
        assertEquals((0.9815557888878709 + 0.9686814623603677) / 2, a.plccRaw(), 1e-12);
        assertEquals((0.9787893395944527 + 0.9845625916784139) / 2, a.srcc(), 1e-12);
        assertEquals(50, a.n());
        assertTrue(Math.abs(KONIQ.plccFitted() - KONIQ.plcc()) > 1e-3, "the fixture tells the two PLCCs apart");
    }

    @Test
    void markdownHasOneRowPerDatasetTheAverageAndAFooterNamingThePlccConvention() {
        String md = table().toMarkdown();
        String[] lines = md.split("\n");
        assertEquals("| Dataset | PLCC | SRCC | KRCC | RMSE | PLCC (raw) | n |", lines[0]);
        assertEquals("| KonIQ | " + f(KONIQ.plccFitted()) + " | 0.979 | 0.895 | 2.714 | 0.982 | 40 |", lines[2]);
        assertEquals("| SPAQ | " + f(SPAQ.plccFitted()) + " | 0.985 | 0.953 | 1.288 | 0.969 | 10 |", lines[3]);
        assertEquals("| **Average** | " + f(table().average().plcc()) + " | 0.982 | 0.924 | 2.001 | 0.975 | 50 |",
                lines[4]);
        assertTrue(md.contains("VQEG 4-parameter logistic") && md.contains("PLCC (raw): Pearson on the raw"), md);
    }

    @Test
    void rowsSayWhichImagesTheyUsedInEveryFormat() throws Exception {
        ResultsTable t = new ResultsTable().add("KonIQ", ResultsTable.TEST_SPLIT, KONIQ)
                .add("SPAQ", ResultsTable.ALL, SPAQ);
        String[] md = t.toMarkdown().split("\n");
        assertEquals("| Dataset | Images | PLCC | SRCC | KRCC | RMSE | PLCC (raw) | n |", md[0]);
        assertTrue(md[2].startsWith("| KonIQ | test split | "), md[2]);
        assertTrue(md[3].startsWith("| SPAQ | all | ") && md[3].endsWith(" | 10 |"), md[3]);
        assertTrue(md[4].startsWith("| **Average** | | "), md[4]);
        assertTrue(t.toCsv().contains("\nSPAQ,all," + f(SPAQ.plccFitted()) + ",0.985,"), t.toCsv());
        JsonNode j = new ObjectMapper().readTree(t.toJson());
        assertEquals("test split", j.get("datasets").get(0).get("images").asText());
        assertEquals("all", j.get("datasets").get(1).get("images").asText());
    }

    @Test
    void csvAndPaperShapedCsv() {
        String csv = table().toCsv();
        assertTrue(csv.startsWith("dataset,images,PLCC,SRCC,KRCC,RMSE,n,PLCC_raw\nKonIQ,," + f(KONIQ.plccFitted())
                + ",0.979,0.895,2.714,40,0.982\n"), csv);
        assertTrue(csv.contains("\nAverage,," + f(table().average().plcc()) + ",0.982,0.924,2.001,50,0.975"), csv);
        String a = f(table().average().plcc());
        assertEquals("method,metric,KonIQ,SPAQ,AVG\nRALI,PLCC," + f(KONIQ.plccFitted()) + "," + f(SPAQ.plccFitted())
                + "," + a + "\nRALI,SRCC,0.979,0.985,0.982\n", table().toPaperCsv("RALI"));
        assertTrue(table().toPaperMarkdown("RALI").contains("| RALI | " + f(KONIQ.plccFitted()) + " / 0.979 | "),
                table().toPaperMarkdown("RALI"));
    }

    @Test
    void bootstrapIntervalsAppearInEveryFormat() throws Exception {
        MetricReport m = MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 200, 1);
        ResultsTable t = new ResultsTable().add("A,B", m);
        assertTrue(t.toMarkdown().contains(f(m.plccFitted()) + " ["), t.toMarkdown());
        assertTrue(t.toMarkdown().contains("0.982 ["), "raw PLCC with its interval: " + t.toMarkdown());
        assertTrue(t.toCsv().contains(",PLCC_lo,PLCC_hi,") && t.toCsv().contains(",PLCC_raw_lo,PLCC_raw_hi"),
                t.toCsv());
        assertTrue(t.toCsv().contains("\n\"A,B\",," + f(m.plccFitted())), "quoted dataset name: " + t.toCsv());
        assertTrue(m.plccFittedCi().lo() <= m.plccFitted() && m.plccFitted() <= m.plccFittedCi().hi(),
                m.plccFittedCi() + " around " + m.plccFitted());
        JsonNode j = new ObjectMapper().readTree(t.toJson());
        assertTrue(j.get("plcc_convention").asText().contains("logistic"));
        assertEquals("A,B", j.get("datasets").get(0).get("dataset").asText());
        assertEquals(m.plccFitted(), j.get("datasets").get(0).get("plcc").asDouble(), 1e-12);
        assertEquals(0.9815557888878709, j.get("datasets").get(0).get("plcc_raw").asDouble(), 1e-12);
        assertEquals(2, j.get("datasets").get(0).get("ci95").get("plcc").size());
        assertEquals(2, j.get("datasets").get(0).get("ci95").get("plcc_raw").size());
        assertEquals(40, j.get("average").get("n").asInt());
    }

    @Test
    void duplicateDatasetIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> table().add("KonIQ", MetricReport.compute(
                MetricsTest.TIES_X, MetricsTest.TIES_Y)));
    }

    /** The paper's AVG column is the plain mean of the row: checked on RALI's printed Table 2 row. */
    @Test
    void paperShapeMatchesTable2ColumnsAndItsAverageRule() throws Exception {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(
                dev.rali.engine.TestPaths.shared("paper/tables/table2.csv"));
        String header = lines.get(1);
        assertTrue(header.contains("," + String.join(",", ResultsTable.PAPER_TABLE2_DATASETS) + ",AVG,"), header);
        String rali = lines.stream().filter(l -> l.contains(",RALI,") && l.contains(",PLCC,")).findFirst().orElseThrow();
        String[] f = rali.split(",");
        // ... ,metric,KonIQ..CSIQ,AVG,emphasis : the 7 figures follow "PLCC"
        int at = java.util.Arrays.asList(f).indexOf("PLCC");
        double sum = 0;
        for (int k = 1; k <= 7; k++) {
            sum += Double.parseDouble(f[at + k]);
        }
        assertEquals(Double.parseDouble(f[at + 8]), Math.round(sum / 7 * 1000) / 1000.0, 1e-9);
    }
}
