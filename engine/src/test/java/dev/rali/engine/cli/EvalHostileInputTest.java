package dev.rali.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rali eval} on the hostile corpus: no meaningless figure is printed with exit 0. */
class EvalHostileInputTest {
    @TempDir
    Path dir;

    private String corpus(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/hostile/" + name)) {
            Files.copy(in, target);
        }
        return target.toString();
    }

    private CliRun.Result eval(String pred) throws IOException {
        return CliRun.exec("eval", "--pred", corpus(pred), "--mos", corpus("mos.csv"));
    }

    @Test
    void anExtremePredictionIsRefusedByLineInsteadOfPrintingInfinity() throws Exception {
        CliRun.Result r = eval("outlier-pred.csv");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("outlier-pred.csv: line 5: prediction 1.0E308"), r.err());
        assertFalse(r.out().contains("Infinity") || r.out().contains("PLCC"), r.out());
    }

    @Test
    void constantPredictionsAreRefusedNotReportedAsFittedPlccZero() throws Exception {
        CliRun.Result r = eval("constant-pred.csv");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("all 4 predictions matched with"), r.err());
        assertTrue(r.err().contains("correlations are undefined for constant predictions"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aFileWithoutHeaderIsAnErrorNotAFirstRowLost() throws Exception {
        CliRun.Result r = eval("headerless-pred.csv");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("headerless-pred.csv: the first line looks like data, not a header (column 2 is "
                + "the number 3.1)"), r.err());
    }

    @Test
    void scoreOutputWithFailedRowsIsEvaluatedOnTheScoredRowsAndSaysHowManyWereSkipped() throws Exception {
        CliRun.Result r = eval("score-out-with-failures.csv");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("score-out-with-failures.csv: 1 row(s) failed in scoring (status not ok) and are "
                + "skipped"), r.err());
        assertTrue(r.out().startsWith("mos: 4 pairs (predictions 'score' vs MOS 'mos')"), r.out());
        // the failed row is neither a pair nor an "unmatched prediction"
        assertFalse(r.err().contains("broken.png"), r.err());
    }
}
