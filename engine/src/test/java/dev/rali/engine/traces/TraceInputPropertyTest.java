package dev.rali.engine.traces;

import dev.rali.engine.io.HostileBytes;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any byte string as a JSONL, JSON or CSV trace file gives an import report (bad lines listed by file and line) or
 * an IOException naming the file; the trace parser gives a status for any text. Never another exception.
 */
class TraceInputPropertyTest {
    private static Path dir;
    private static ProjectStore store;

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("trace-property");
        store = ProjectStore.open(dir.resolve("p.rali"));
        long ds = TestProjects.dataset(store, "koniq");
        TestProjects.image(store, ds, "a.png", dir.resolve("a.png"), "train");
        TestProjects.image(store, ds, "b.png", dir.resolve("b.png"), "test");
    }

    @AfterContainer
    static void close() throws Exception {
        store.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<byte[]> json() {
        return HostileBytes.around("{}[]:\"0123456789.-eE+truefalsnl<>/thinkanswer", "traces-seed.jsonl",
                "deqa-seed.json");
    }

    @Provide
    Arbitrary<byte[]> csv() {
        return HostileBytes.around("a.png0123456789<>/thinkanswer", "traces-seed.csv");
    }

    private static void importAndCheck(Path f) throws IOException {
        try {
            TraceImporter.Report r = new TraceImporter().importPath(store, f, TraceImporter.Options.defaults(),
                    TaskContext.silent());
            for (TraceImporter.Problem p : r.problems()) {
                assertTrue(p.toString().startsWith(f.toString()), p.toString());
            }
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(f.getFileName().toString()), e.getMessage());
        }
    }

    @Property(tries = 250)
    void jsonlAndJsonFilesImportOrFailNamingTheFile(@ForAll("json") byte[] bytes,
                                                    @ForAll("jsonExtension") String ext) throws IOException {
        importAndCheck(Files.write(dir.resolve("traces." + ext), bytes));
    }

    @Provide
    Arbitrary<String> jsonExtension() {
        return Arbitraries.of("jsonl", "json");
    }

    @Property(tries = 250)
    void csvFilesImportOrFailNamingTheFile(@ForAll("csv") byte[] bytes) throws IOException {
        importAndCheck(Files.write(dir.resolve("traces.csv"), bytes));
    }

    @Property(tries = 1000)
    void anyTextParsesToAStatusAndAnOkScoreIsInRange(@ForAll("json") byte[] bytes) {
        ParsedTrace t = new TraceParser().parse(new String(bytes, StandardCharsets.UTF_8));
        assertNotNull(t.status());
        if (t.status() == ParseStatus.OK) {
            assertTrue(t.score() >= 1 && t.score() <= 5, t.toString());
        }
    }
}
