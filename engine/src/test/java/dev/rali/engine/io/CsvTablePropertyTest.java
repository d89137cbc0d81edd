package dev.rali.engine.io;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Any byte string read as CSV gives a table or an IOException naming the file, never another exception. */
class CsvTablePropertyTest {
    private static Path dir;

    @BeforeContainer
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("csv-property");
    }

    @AfterContainer
    static void deleteDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<byte[]> csv() {
        return HostileBytes.around("abc.png0123456789e-+", "outlier-score.csv", "split-column.csv",
                "unterminated-quote.csv", "score-out-with-failures.csv", "traces-seed.csv");
    }

    @Property(tries = 600)
    void lenientReadGivesATableOrAnErrorNamingTheFile(@ForAll("csv") byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("lenient.csv"), bytes);
        try {
            CsvTable t = CsvTable.read(f);
            for (CsvTable.Row r : t.rows()) {
                assertEquals(t.header().size(), r.cells().size());
                for (String h : t.header()) {
                    t.get(r, h);
                }
            }
            t.problems().forEach(p -> assertTrue(p.startsWith("lenient.csv:"), p));
        } catch (IOException e) {
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Property(tries = 600)
    void strictReadGivesNumbersOrAnErrorNamingTheFile(@ForAll("csv") byte[] bytes) throws IOException {
        Path f = Files.write(dir.resolve("strict.csv"), bytes);
        try {
            CsvTable t = CsvTable.readStrict(f);
            for (int r = 0; r < t.rows().size(); r++) {
                for (int c = 0; c < t.header().size(); c++) {
                    try {
                        assertTrue(Double.isFinite(t.number(r, c)));
                    } catch (IOException e) {
                        assertTrue(e.getMessage().startsWith(f + ": line "), e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Property(tries = 600)
    void parseNeverThrowsAndRoundTripsQuotedCells(@ForAll("csv") byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        CsvTable.Records r = CsvTable.parse(text, ',');
        if (r.unterminatedLine() < 0 && !r.rows().isEmpty()) {
            // a record written back with quote() parses to the same cells
            var cells = r.rows().get(0).cells();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.size(); i++) {
                line.append(i == 0 ? "" : ",").append(CsvTable.quote(cells.get(i)));
            }
            CsvTable.Records back = CsvTable.parse(line.toString(), ',');
            if (!back.rows().isEmpty() && !cells.stream().allMatch(String::isBlank)) {
                assertEquals(cells, back.rows().get(0).cells());
            }
        }
    }
}
