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

    @Test
    void averageRowIsThePlainMeanOverDatasets() {
        ResultsTable.Average a = table().average();
        assertEquals((0.9815557888878709 + 0.9686814623603677) / 2, a.plcc(), 1e-12);
        assertEquals((0.9787893395944527 + 0.9845625916784139) / 2, a.srcc(), 1e-12);
        assertEquals(50, a.n());
    }

    @Test
    void markdownHasOneRowPerDatasetAndTheAverage() {
        String md = table().toMarkdown();
        String[] lines = md.split("\n");
        assertEquals("| Dataset | PLCC | SRCC | KRCC | RMSE | n |", lines[0]);
        assertEquals("| KonIQ | 0.982 | 0.979 | 0.895 | 2.714 | 40 |", lines[2]);
        assertEquals("| SPAQ | 0.969 | 0.985 | 0.953 | 1.288 | 10 |", lines[3]);
        assertEquals("| **Average** | 0.975 | 0.982 | 0.924 | 2.001 | 50 |", lines[4]);
    }

    @Test
    void csvAndPaperShapedCsv() {
        String csv = table().toCsv();
        assertTrue(csv.startsWith("dataset,PLCC,SRCC,KRCC,RMSE,n,PLCC_fitted\nKonIQ,0.982,0.979,0.895,2.714,40,0.990\n"), csv);
        assertTrue(csv.contains("\nAverage,0.975,0.982,0.924,2.001,50,"), csv);
        assertEquals("method,metric,KonIQ,SPAQ,AVG\nRALI,PLCC,0.982,0.969,0.975\nRALI,SRCC,0.979,0.985,0.982\n",
                table().toPaperCsv("RALI"));
        assertTrue(table().toPaperMarkdown("RALI").contains("| RALI | 0.982 / 0.979 | 0.969 / 0.985 | 0.975 / 0.982 |"));
    }

    @Test
    void bootstrapIntervalsAppearInEveryFormat() throws Exception {
        ResultsTable t = new ResultsTable().add("A,B", MetricReport.compute(MetricsTest.N40_X, MetricsTest.N40_Y, 200, 1));
        assertTrue(t.toMarkdown().contains("0.982 ["), t.toMarkdown());
        assertTrue(t.toCsv().contains(",PLCC_lo,PLCC_hi,"), t.toCsv());
        assertTrue(t.toCsv().contains("\n\"A,B\",0.982"), "quoted dataset name: " + t.toCsv());
        JsonNode j = new ObjectMapper().readTree(t.toJson());
        assertEquals("A,B", j.get("datasets").get(0).get("dataset").asText());
        assertEquals(0.9815557888878709, j.get("datasets").get(0).get("plcc").asDouble(), 1e-12);
        assertEquals(2, j.get("datasets").get(0).get("ci95").get("plcc").size());
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
