package dev.rali.engine.pipeline;

import dev.rali.engine.eval.MetricReport;
import dev.rali.engine.eval.ResultsTable;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoAblationTableTest {
    @Test
    void demoAblationTablePrintsEachVariantsSampleFiguresWithThePapersCase() {
        double[] mos = {1, 2, 3, 4, 5, 2.5, 3.5, 1.5};
        double[] a = {1.2, 2.1, 2.7, 4.4, 4.6, 2.2, 3.9, 1.1};
        double[] b = {2.0, 1.8, 3.1, 3.0, 4.0, 3.3, 2.9, 2.2};
        MetricReport full = MetricReport.compute(a, mos, 100, 3);
        MetricReport noPca = MetricReport.compute(b, mos, 100, 3);
        Map<String, ResultsTable> tables = new LinkedHashMap<>();
        tables.put("full", new ResultsTable().add("other", MetricReport.compute(b, mos)).add(Demo.DATASET, full));
        tables.put("no_pca", new ResultsTable().add(Demo.DATASET, noPca));
        String md = Demo.ablationTable(tables);
        assertTrue(md.startsWith("| variant (paper Table 4) | PLCC [95% CI] | SRCC [95% CI] | KRCC | RMSE | PLCC (raw) |"), md);
        // The sample row, not the first row: same figures as the evaluation table prints.
        assertTrue(md.contains(String.format(Locale.ROOT, "| full | %.3f %s | %.3f %s | %.3f | %.3f | %.3f | 6 | 0.798 / 0.779 |",
                full.plccFitted(), full.plccFittedCi(), full.srcc(), full.srccCi(), full.krcc(), full.rmse(), full.plcc())), md);
        assertTrue(md.contains(String.format(Locale.ROOT, "| no_pca | %.3f %s |", noPca.plccFitted(), noPca.plccFittedCi())), md);
        assertTrue(md.contains(ResultsTable.FOOTER), md);
    }
}
