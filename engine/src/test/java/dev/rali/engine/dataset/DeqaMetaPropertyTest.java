package dev.rali.engine.dataset;

import dev.rali.engine.io.HostileBytes;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Any byte string as a DeQA-Score / Q-Align meta JSON gives an import report (bad elements listed by index) or an
 * IOException naming the file; never another exception, and a failed import leaves no dataset behind.
 */
class DeqaMetaPropertyTest {
    private static Path dir;
    private static ProjectStore store;
    private static final AtomicInteger RUN = new AtomicInteger();

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("deqa-property");
        Fixtures.image(dir.resolve("data/a.png"), 1);
        Fixtures.image(dir.resolve("data/b.png"), 2);
        store = ProjectStore.open(dir.resolve("p.rali"));
    }

    @AfterContainer
    static void close() throws Exception {
        store.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<byte[]> meta() {
        return HostileBytes.around("{}[]:\"0123456789.-eE+imagegt_scorenormstdsplittestrain/.png", "deqa-seed.json",
                "deqa-nul-name.json");
    }

    @Property(tries = 300)
    void anyMetaJsonImportsOrFailsNamingTheFile(@ForAll("meta") byte[] bytes) throws Exception {
        Path json = Files.write(dir.resolve("data/meta.json"), bytes);
        String name = "d" + RUN.incrementAndGet();
        try {
            ImportReport r = DatasetImporter.importDataset(store, ImportRequest.of(name, "deqa", json),
                    TaskContext.silent());
            r.malformedRows.forEach(m -> assertTrue(m.startsWith("meta.json["), m));
            if (r.imported > 0) {
                Datasets.delete(store, name);
            }
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("meta.json"), e.getMessage());
            try (var ps = store.connection().prepareStatement("SELECT COUNT(*) FROM datasets WHERE name = ?")) {
                ps.setString(1, name);
                try (var rs = ps.executeQuery()) {
                    assertTrue(rs.next() && rs.getInt(1) == 0, "failed import left dataset " + name);
                }
            }
        }
    }
}
