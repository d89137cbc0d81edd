package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();


    private void writeTiesData() throws Exception {
        // MetricsTest.TIES data; scipy: PLCC 0.9686814623603677, SRCC 0.9845625916784139, KRCC 0.952651016459082
        double[] x = {1, 2, 2, 3, 4, 4, 4, 5, 6, 7};
        double[] y = {1.5, 2.0, 2.0, 2.5, 3.0, 2.8, 3.2, 4.0, 4.1, 4.1};
        StringBuilder p = new StringBuilder("image,score\n"), m = new StringBuilder("image,mos\n");
        for (int i = 0; i < x.length; i++) {
            p.append("imgs/").append(i).append(".png,").append(x[i]).append('\n');
            m.append(i).append(".png,").append(y[i]).append('\n');
        }
        p.append("orphan.png,3\n");
        Files.writeString(dir.resolve("pred.csv"), p);
        Files.writeString(dir.resolve("koniq.csv"), m);
    }

    @Test
    void printsFiguresAndReportsUnmatchedRows() throws Exception {
        writeTiesData();
        int rc = cli.run("eval", "--pred", dir.resolve("pred.csv").toString(), "--mos", dir.resolve("koniq.csv").toString());
        assertEquals(0, rc, cli.err());
        assertTrue(cli.out().startsWith("koniq: 10 pairs"), cli.out());
        // headline PLCC after the VQEG logistic (the baselines' convention), raw Pearson beside it
        assertTrue(cli.out().contains("PLCC (logistic fit)   0.9835"), cli.out());
        assertTrue(cli.out().contains("PLCC (raw)            0.9687"), cli.out());
        assertTrue(cli.out().contains("SRCC                  0.9846"), cli.out());
        assertTrue(cli.out().contains("KRCC                  0.9527"), cli.out());
        assertTrue(cli.err().contains("1 prediction row(s) have no MOS and are left out: orphan.png"), cli.err());
        assertTrue(cli.err().contains("10 pair(s) joined by base name"), cli.err());
    }

    @Test
    void jsonWithBootstrap() throws Exception {
        writeTiesData();
        int rc = cli.run("eval", "--json", "--bootstrap", "200", "--seed", "5", "--pred", dir.resolve("pred.csv").toString(),
                "--mos", dir.resolve("koniq.csv").toString());
        assertEquals(0, rc, cli.err());
        JsonNode j = new ObjectMapper().readTree(cli.out());
        assertEquals(10, j.get("n").asInt());
        assertEquals(0.9845625916784139, j.get("srcc").asDouble(), 1e-12);
        assertEquals(1, j.get("unmatched_pred").asInt());
        assertEquals(200, j.get("ci95").get("bootstrap").asInt());
    }

    @Test
    void tooFewMatchesIsAClearError() throws Exception {
        Files.writeString(dir.resolve("p.csv"), "image,score\na.png,1\nb.png,2\n");
        Files.writeString(dir.resolve("m.csv"), "image,mos\nc.png,1\nd.png,2\n");
        int rc = cli.run("eval", "--pred", dir.resolve("p.csv").toString(), "--mos", dir.resolve("m.csv").toString());
        assertEquals(1, rc);
        assertTrue(cli.err().contains("only 0 image(s)"), cli.err());
    }

    @Test
    void severalMosFilesGiveATableWithAverageAndThePaperShape() throws Exception {
        writeTiesData();
        // a second test set: the same 10 images' predictions against a reversed-order MOS
        Files.writeString(dir.resolve("spaq.csv"), "image,mos\n0.png,4.1\n1.png,4.0\n2.png,3.2\n3.png,2.8\n");
        String predArg = dir.resolve("pred.csv").toString();
        int rc = cli.run("eval", "--pred", predArg, "--mos", dir.resolve("koniq.csv").toString(),
                "--mos", dir.resolve("spaq.csv").toString(), "--dataset", "KonIQ", "--dataset", "SPAQ");
        assertEquals(0, rc, cli.err());
        String[] lines = cli.out().replace("\r", "").split("\n");
        assertEquals("| Dataset | PLCC | SRCC | KRCC | RMSE | PLCC (raw) | n |", lines[0]);
        assertTrue(lines[2].startsWith("| KonIQ | 0.983 | 0.985 | 0.953 |"), lines[2]);
        // anti-correlated: SRCC and raw PLCC negative; the logistic may flip the sign (b1 < b2), as the baselines' does
        assertTrue(lines[3].startsWith("| SPAQ | ") && lines[3].contains(" | -0.949 | ")
                && lines[3].endsWith(" | -0.844 | 4 |"), lines[3]);
        assertTrue(lines[4].startsWith("| **Average** |"), lines[4]);
        assertTrue(cli.err().contains("1 prediction row(s) have no MOS"), "only orphan.png is unmatched everywhere: " + cli.err());

        cli.clear();
        rc = cli.run("eval", "--pred", predArg, "--mos", dir.resolve("koniq.csv").toString(), "--format", "paper",
                "--method", "Mine");
        assertEquals(0, rc, cli.err());
        assertEquals("method,metric,koniq,AVG\nMine,PLCC,0.983,0.983\nMine,SRCC,0.985,0.985\n",
                cli.out().replace("\r", ""));
    }

    @Test
    void labelCountMustMatchMosFiles() throws Exception {
        writeTiesData();
        int rc = cli.run("eval", "--pred", dir.resolve("pred.csv").toString(), "--mos", dir.resolve("koniq.csv").toString(),
                "--dataset", "A", "--dataset", "B");
        assertEquals(1, rc);
        assertTrue(cli.err().contains("2 --dataset label(s) for 1 --mos file(s)"), cli.err());
    }
}
