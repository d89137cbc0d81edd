package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.RunRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunsCommandTest {

    @Test
    void listsTheMostRecentRunsWithParentAndMessage(@TempDir Path dir) throws Exception {
        Path project = dir.resolve("p.rali");
        try (ProjectStore store = ProjectStore.open(project)) {
            long first;
            try (RunRecords run = RunRecords.begin(store, "align", "{}", 1L)) {
                first = run.runId();
                run.finish(RunRecords.FAILED, "first attempt");
            }
            try (RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L, first)) {
                run.finish(RunRecords.DONE, "average PLCC 0.9");
            }
        }
        String all = stdout("runs", "--project", project.toString());
        String[] lines = all.strip().split("\n");
        assertEquals(3, lines.length, all);
        assertTrue(lines[0].startsWith("id"), all);
        assertTrue(lines[1].startsWith("2 ") && lines[1].contains("pipeline") && lines[1].contains("done")
                && lines[1].contains(" 1 ") && lines[1].endsWith("average PLCC 0.9"), lines[1]);
        assertTrue(lines[2].startsWith("1 ") && lines[2].contains("failed") && lines[2].endsWith("first attempt"),
                lines[2]);

        String newest = stdout("runs", "--project", project.toString(), "--limit", "1");
        assertTrue(newest.contains("pipeline"), newest);
        assertFalse(newest.contains("first attempt"), newest);
    }

    @Test
    void missingProjectIsAnErrorNamingIt(@TempDir Path dir) {
        CliRun.Result r = CliRun.exec("runs", "--project", dir.resolve("none.rali").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("none.rali"), r.err());
    }

    private static String stdout(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, RaliCli.commandLine().execute(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
