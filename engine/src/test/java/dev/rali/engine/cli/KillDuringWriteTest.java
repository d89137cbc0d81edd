package dev.rali.engine.cli;

import dev.rali.engine.bundle.ModelBundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 during `rali score --out` and `rali export`: a child JVM runs the real CLI and is killed
 * ({@code destroyForcibly}) at a random moment of a run. Afterwards the output is either the previous one, intact,
 * or the complete new one — never half a file or half a bundle — and a re-run finishes normally. The seed of the
 * kill times is printed so a failure can be replayed.
 */
class KillDuringWriteTest {
    @TempDir
    static Path dir;
    static Path clip;
    static Path project;
    static long run;
    static Path model;
    static Path images;

    static final int IMAGES = 40;
    /** Kill rounds: round 0 anywhere, later rounds while the output is written. Each costs a JVM start. */
    static final int ROUNDS = 3;

    @BeforeAll
    static void fixtures() throws Exception {
        clip = OutputFixtures.clip(dir.resolve("clip"));
        project = dir.resolve("P.rali");
        run = OutputFixtures.projectWithRun(project, clip);
        model = OutputFixtures.bundle(dir.resolve("m.rali-model"), clip);
        images = dir.resolve("images");
        OutputFixtures.images(images, IMAGES);
    }

    private static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Doffline=true", "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), "dev.rali.engine.cli.RaliCli"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
    }

    /** Runs to the end; returns the wall time in ms. */
    private static long complete(String... args) throws Exception {
        long t0 = System.nanoTime();
        Process p = start(args);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child finished");
        assertEquals(0, p.exitValue(), () -> "child failed: " + log());
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Starts the command and kills it: in round 0 after a random delay in [0.1, 1.1] × a full run's time (anywhere,
     * start-up included), in later rounds once the output's temp file or folder has appeared ({@code writing}) plus
     * a random 0..{@code afterMs} ms, so that most kills land while the output is being written.
     */
    private static void killSomewhere(Random rnd, int round, long fullMs, String glob, int afterMs, String... args)
            throws Exception {
        Process p = start(args);
        if (round == 0) {
            if (p.waitFor((long) (fullMs * (0.1 + rnd.nextDouble())), TimeUnit.MILLISECONDS)) {
                return; // finished before the kill: a complete run is one of the allowed outcomes
            }
        } else {
            long deadline = System.nanoTime() + 3 * fullMs * 1_000_000L;
            while (!writing(glob) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            if (p.waitFor(rnd.nextInt(afterMs + 1), TimeUnit.MILLISECONDS)) {
                return;
            }
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    }

    private static boolean writing(String glob) throws IOException {
        Path parent = dir.resolve(glob).getParent();
        try (var ds = Files.newDirectoryStream(parent, dir.resolve(glob).getFileName().toString())) {
            return ds.iterator().hasNext();
        }
    }

    private static String log() {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static Random random(String what) {
        long seed = System.nanoTime();
        System.out.println(what + ": kill times seeded with " + seed);
        return new Random(seed);
    }

    @Test
    void scoringKilledAnywhereLeavesThePreviousTableOrTheCompleteNewOne() throws Exception {
        Path csv = dir.resolve("scores.csv");
        String previous = "file,score,status\nold.png,3.0000,ok\n";
        String[] args = {"score", "--model", model.toString(), "--batch", "1", "--device", "cpu", "--out",
                csv.toString(), images.toString()};
        long full = complete(args);
        System.out.println("score: a full run takes " + full + " ms");
        String fresh = Files.readString(csv);
        assertEquals(IMAGES + 1, fresh.split("\n").length);
        assertTrue(fresh.endsWith(",ok\n"));
        Random rnd = random("score");
        for (int i = 0; i < ROUNDS; i++) {
            Files.writeString(csv, previous);
            killSomewhere(rnd, i, full, ".scores.csv.*.tmp", 400, args);
            String now = Files.readString(csv);
            assertTrue(now.equals(previous) || now.equals(fresh),
                    "round " + i + ": scores.csv is neither the previous nor the complete table:\n" + now);
        }
        complete(args);
        assertEquals(fresh, Files.readString(csv), "a re-run after the kills writes the complete table");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".scores.csv.")).toList(), "the re-run removed the killed runs' temps");
        }
    }

    @Test
    void exportKilledAnywhereLeavesTheOldBundleOrTheCompleteNewOne() throws Exception {
        Path out = dir.resolve("exports");
        Files.createDirectories(out);
        Path bundle = out.resolve("k.rali-model");
        String[] args = {"export", "--project", project.toString(), "--run", Long.toString(run), "--out",
                bundle.toString(), "--force"};
        long full = complete(args);
        ModelBundle.read(bundle);
        Random rnd = random("export");
        for (int i = 0; i < ROUNDS; i++) {
            killSomewhere(rnd, i, full, "exports/.k.rali-model.partial-*", 60, args);
            if (Files.exists(bundle)) {
                ModelBundle.read(bundle); // the old bundle or the new one, complete either way
            } else {
                // killed between the two renames: the previous bundle is aside, whole, and the next run puts it back
                try (Stream<Path> s = Files.list(out)) {
                    Path aside = s.filter(p -> p.getFileName().toString().startsWith(".k.rali-model.old-"))
                            .findFirst().orElseThrow(() -> new AssertionError("bundle gone and nothing aside"));
                    ModelBundle.read(aside);
                }
            }
        }
        complete(args);
        ModelBundle.read(bundle);
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(List.of("k.rali-model"), s.map(p -> p.getFileName().toString()).toList(),
                    "the re-run removed what the kills left behind");
        }
    }
}
