package dev.rali.engine.cli;

import dev.rali.engine.bundle.ModelBundle;
import dev.rali.engine.io.FileHashes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 items 1, 2 and 12: `export`, `import-official` and `score` never destroy what is at --out unless it is
 * their own earlier output (and then a bundle only with --force); an output that is an input, the project or
 * inside its folder is refused; a missing folder is named.
 */
class OutputSafetyTest {
    @TempDir
    static Path shared;
    static Path clip;
    static Path project;
    static long run;
    static Path model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void fixtures() throws Exception {
        clip = OutputFixtures.clip(shared.resolve("clip"));
        project = shared.resolve("K3.rali");
        run = OutputFixtures.projectWithRun(project, clip);
        model = OutputFixtures.bundle(shared.resolve("m.rali-model"), clip);
    }

    private static CliRun.Result export(Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "--project", project.toString(), "--run",
                Long.toString(run), "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.exec(args.toArray(String[]::new));
    }

    private List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void exportNeverReplacesAFolderWithTheUsersFiles() throws Exception {
        Path v = Files.createDirectories(tmp.resolve("v"));
        Files.writeString(v.resolve("thesis.txt"), "x");
        for (String[] flags : List.of(new String[0], new String[] {"--force"})) {
            CliRun.Result r = export(v, flags);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("refusing to replace") && r.err().contains("not a model bundle"), r.err());
            assertEquals("x", Files.readString(v.resolve("thesis.txt")));
            assertEquals(List.of("thesis.txt"), names(v));
        }
        assertEquals(List.of("v"), names(tmp), "nothing left beside it");
    }

    @Test
    void exportNeverReplacesAnotherProjectsDatabase() throws Exception {
        Path other = tmp.resolve("other.rali");
        OutputFixtures.projectWithRun(other, clip);
        String before = FileHashes.sha256(other);
        CliRun.Result r = export(other, "--force");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("SQLite database"), r.err());
        assertEquals(before, FileHashes.sha256(other));
    }

    @Test
    void exportNeverWritesOverOrInsideItsOwnProject() throws Exception {
        Map<String, String> before = OutputFixtures.snapshot(shared.resolve("K3.rali.d"));
        String db = FileHashes.sha256(project);
        for (Path out : List.of(project, shared.resolve("K3.rali.d"), shared.resolve("K3.rali.d/runs/x.rali-model"))) {
            CliRun.Result r = export(out, "--force");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("refusing to write") && r.err().contains("project"), r.err());
        }
        assertEquals(db, FileHashes.sha256(project));
        assertEquals(before, OutputFixtures.snapshot(shared.resolve("K3.rali.d")));
    }

    @Test
    void exportReplacesItsOwnBundleOnlyWithForce() throws Exception {
        Path out = tmp.resolve("k.rali-model");
        assertEquals(0, export(out).code());
        String created = ModelBundle.read(out).manifest().path("created").asText();
        CliRun.Result again = export(out);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("already exists") && again.err().contains("--force"), again.err());
        assertEquals(created, ModelBundle.read(out).manifest().path("created").asText());
        Thread.sleep(5);
        assertEquals(0, export(out, "--force").code());
        assertNotEquals(created, ModelBundle.read(out).manifest().path("created").asText());
        assertEquals(List.of("k.rali-model"), names(tmp), "no temporary or previous folder left behind");
    }

    @Test
    void aBundleHoldingAnUnlistedFileIsNotReplaced() throws Exception {
        Path out = tmp.resolve("k.rali-model");
        assertEquals(0, export(out).code());
        Files.writeString(out.resolve("my-notes.txt"), "results of last week");
        CliRun.Result r = export(out, "--force");
        assertEquals(1, r.code());
        assertEquals("results of last week", Files.readString(out.resolve("my-notes.txt")));
    }

    @Test
    void importOfficialNeverReplacesAUserFolderOrWritesIntoTheRelease() throws Exception {
        Path release = Files.createDirectories(tmp.resolve("release/best"));
        Path v = Files.createDirectories(tmp.resolve("v"));
        Files.writeString(v.resolve("thesis.txt"), "x");
        CliRun.Result r = CliRun.exec("import-official", release.getParent().toString(), "--out", v.toString(), "--force");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("refusing to replace"), r.err());
        assertEquals("x", Files.readString(v.resolve("thesis.txt")));
        r = CliRun.exec("import-official", release.getParent().toString(), "--out", release.toString(), "--force");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("inside the release folder"), r.err());
        r = CliRun.exec("import-official", release.getParent().toString(), "--out", model.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--force"), r.err());
        ModelBundle.read(model);
    }

    @Test
    void scoreRefusesAnOutThatIsOneOfTheImages() throws Exception {
        List<Path> imgs = OutputFixtures.images(tmp.resolve("t3"), 2);
        String before = FileHashes.sha256(imgs.get(0));
        CliRun.Result r = CliRun.exec("score", "--model", model.toString(), "--out", imgs.get(0).toString(), "--force",
                tmp.resolve("t3").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("one of the inputs"), r.err());
        assertEquals(before, FileHashes.sha256(imgs.get(0)));
        r = CliRun.exec("score", "--model", model.toString(), "--out", model.resolve("scores.csv").toString(),
                imgs.get(0).toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("inside the model bundle"), r.err());
    }

    @Test
    void scoreNamesAMissingOutFolder() throws Exception {
        List<Path> imgs = OutputFixtures.images(tmp.resolve("t"), 1);
        Path out = tmp.resolve("nonexistent/dir/x.csv");
        CliRun.Result r = CliRun.exec("score", "--model", model.toString(), "--out", out.toString(), imgs.get(0).toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot write ") && r.err().contains("x.csv"), r.err());
        assertTrue(r.err().contains("nonexistent/dir does not exist"), r.err());
    }

    @Test
    void scoreReplacesAPreviousCsvButAnotherFileOnlyWithForce() throws Exception {
        List<Path> imgs = OutputFixtures.images(tmp.resolve("t"), 3);
        Path csv = Files.writeString(tmp.resolve("scores.csv"), "previous\n");
        CliRun.Result r = CliRun.exec("score", "--model", model.toString(), "--out", csv.toString(), tmp.resolve("t").toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("file,score,status", lines.get(0));
        assertEquals(4, lines.size());
        assertTrue(lines.stream().skip(1).allMatch(l -> l.endsWith(",ok")), lines.toString());

        Path notes = Files.writeString(tmp.resolve("notes.txt"), "mine");
        r = CliRun.exec("score", "--model", model.toString(), "--out", notes.toString(), imgs.get(0).toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a .csv file") && r.err().contains("--force"), r.err());
        assertEquals("mine", Files.readString(notes));
        r = CliRun.exec("score", "--model", model.toString(), "--out", notes.toString(), "--force", imgs.get(0).toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(notes).startsWith("file,score,status\n"));
        assertEquals(List.of("notes.txt", "scores.csv", "t"), names(tmp), "no temp files left");
    }
}
