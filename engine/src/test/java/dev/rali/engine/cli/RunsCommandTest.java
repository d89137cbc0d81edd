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
    void showPrintsOneRunWithWhereItRanAndItsFiles(@TempDir Path dir) throws Exception {
        Path project = dir.resolve("p.rali");
        long id;
        try (ProjectStore store = ProjectStore.open(project);
             RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L)) {
            id = run.runId();
            Path envs = store.artifactDir().resolve("runs").resolve(Long.toString(id));
            run.artifact(dev.rali.engine.project.RunEnvironment.KIND, new dev.rali.engine.project.RunEnvironment(
                    "0.1.0", "Java 17", "Linux amd64", "Some CPU", 16, true, "from /venv/torch/lib", "gpu(0)", 16,
                    "bf16", "fp32").write(envs, "environment-1.json"));
            run.finish(RunRecords.DONE, "average PLCC 0.9");
        }
        String out = stdout("runs", "show", "--project", project.toString(), "--run", Long.toString(id));
        assertTrue(out.startsWith("run " + id + " (pipeline)"), out);
        assertTrue(out.contains("status   done: average PLCC 0.9"), out);
        assertTrue(out.contains("Ran on: gpu(0) · libtorch from /venv/torch/lib · 16 threads · encoder bf16"), out);
        assertTrue(out.contains("artifact environment"), out);
        CliRun.Result bad = CliRun.exec("runs", "show", "--project", project.toString(), "--run", "99");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("no run 99"), bad.err());
    }

    @Test
    void renameAndTagLabelARunAndTheListingShowsThem(@TempDir Path dir) throws Exception {
        Path project = dir.resolve("p.rali");
        long id;
        try (ProjectStore store = ProjectStore.open(project)) {
            try (RunRecords run = RunRecords.begin(store, "pipeline", "{}", 1L)) {
                id = run.runId();
                run.finish(RunRecords.DONE, "ok");
            }
        }
        String p = project.toString();
        String run = Long.toString(id);
        assertTrue(stdout("runs", "rename", "--project", p, "--run", run, "lr sweep base").contains("named 'lr sweep base'"));
        assertTrue(stdout("runs", "tag", "--project", p, "--run", run, "baseline", "bs64").endsWith("baseline, bs64\n"));
        assertTrue(stdout("runs", "tag", "--project", p, "--run", run, "--remove", "bs64").endsWith("tags: baseline\n"));
        String listed = stdout("runs", "list", "--project", p);
        String row = listed.strip().split("\n")[1];
        assertTrue(row.contains("lr sweep base") && row.contains("baseline") && !row.contains("bs64"), listed);
        assertTrue(listed.split("\n")[0].contains("name") && listed.split("\n")[0].contains("tags"), listed);
        // renaming keeps the tags; an empty name removes the name
        stdout("runs", "rename", "--project", p, "--run", run, "");
        try (ProjectStore store = ProjectStore.open(project)) {
            var r = new dev.rali.engine.project.Runs(store).get(id);
            assertEquals(null, r.name());
            assertEquals(java.util.List.of("baseline"), r.tags());
        }
        CliRun.Result bad = CliRun.exec("runs", "tag", "--project", p, "--run", "99", "x");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("no run 99"), bad.err());
        bad = CliRun.exec("runs", "tag", "--project", p, "--run", run, "a,b");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("contains a comma"), bad.err());
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
