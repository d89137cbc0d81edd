package dev.rali.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvTableTest {
    @TempDir
    Path dir;

    @Test
    void aCellStartingWithABomSurvivesBeingWrittenFirstInAFile() {
        String written = CsvTable.quote("\uFEFFa") + "," + CsvTable.quote("b");
        assertEquals(java.util.List.of("\uFEFFa", "b"), CsvTable.parse(written, ',').rows().get(0).cells());
    }

    @Test
    void csvHandlesQuotesBomStraySpacesAndReportsBadLines() throws Exception {
        Path f = Files.writeString(dir.resolve("m.csv"), "\uFEFF Image name , MOS\n\"a, b.jpg\",3.5\r\nc.jpg,4,extra\n"
                + "d.jpg,\"2\"\"x\"\n\ne.jpg,1,\n");
        CsvTable t = CsvTable.read(f);
        assertEquals(List.of("Image name", "MOS"), t.header());
        assertEquals(3, t.rows().size());
        assertEquals("a, b.jpg", t.get(t.rows().get(0), "image name"));
        assertEquals("2\"x", t.get(t.rows().get(1), "MOS"));
        assertEquals("e.jpg", t.get(t.rows().get(2), "Image name"));
        assertEquals(1, t.problems().size(), t.problems().toString());
        assertTrue(t.problems().get(0).startsWith("m.csv:3: expected 2 fields, found 3"), t.problems().toString());
    }

    @Test
    void unterminatedQuoteIsAnErrorNamingTheFileAndTheRowItStartsOn() throws Exception {
        // lenient or strict: an open quote would swallow every later row, so neither read carries on
        Path f = Files.writeString(dir.resolve("m.csv"), "image,mos\na.jpg,3\n\"f.jpg,2\nb.jpg,4\n");
        for (IOException e : List.of(assertThrows(IOException.class, () -> CsvTable.read(f)),
                assertThrows(IOException.class, () -> CsvTable.readStrict(f)))) {
            assertEquals(f + ": unterminated quote starting at row 3 (the quoted field runs to the end of the file)",
                    e.getMessage());
        }
        Path header = Files.writeString(dir.resolve("h.csv"), "\"image,mos\n");
        assertTrue(assertThrows(IOException.class, () -> CsvTable.read(header)).getMessage()
                .contains("h.csv: unterminated quote starting at row 1"));
    }

    @Test
    void parseKeepsStartLinesOfMultiLineRecordsAndSkipsBlankLines() {
        CsvTable.Records r = CsvTable.parse("\uFEFFa,b\n\n\"x\ny\",\"q\"\"\"\r\n  \nz,\n", ',');
        assertEquals(-1, r.unterminatedLine());
        assertEquals(3, r.rows().size());
        assertEquals(new CsvTable.Row(1, List.of("a", "b")), r.rows().get(0));
        assertEquals(new CsvTable.Row(3, List.of("x\ny", "q\"")), r.rows().get(1));
        assertEquals(new CsvTable.Row(6, List.of("z", "")), r.rows().get(2));
        assertEquals(2, CsvTable.parse("a\n\"b\nc", ',').unterminatedLine());
    }

    @Test
    void quoteRoundTrips() {
        String s = "sharp, \"vivid\"\ncolours";
        String line = CsvTable.quote("k") + "," + CsvTable.quote(s) + "," + CsvTable.quote(null);
        assertEquals(List.of("k", s, ""), CsvTable.parse(line, ',').rows().get(0).cells());
    }

    @Test
    void strictReadTrimsDetectsTabsAndNamesFileLineAndColumn() throws Exception {
        Path tsv = Files.writeString(dir.resolve("p.tsv"), "name\t score \r\n a.jpg \t 3.5\n");
        CsvTable t = CsvTable.readStrict(tsv);
        assertEquals(List.of("name", "score"), t.header());
        assertEquals("a.jpg", t.cell(0, 0));
        assertEquals(3.5, t.number(0, t.column("SCORE")));
        assertEquals(1, t.firstColumn(List.of("mos", "score")));
        assertEquals("name, score", t.headerList());

        Path bad = Files.writeString(dir.resolve("b.csv"), "name,score\na.jpg,x\nb.jpg,1,2\n");
        assertTrue(assertThrows(IOException.class, () -> CsvTable.readStrict(bad)).getMessage()
                .endsWith("b.csv: line 3: 3 fields, the header has 2"));
        Path nan = Files.writeString(dir.resolve("n.csv"), "name,score\na.jpg,\n");
        assertTrue(assertThrows(IOException.class, () -> CsvTable.readStrict(nan).number(0, 1)).getMessage()
                .endsWith("n.csv: line 2, column 'score': empty value"));
        Path open = Files.writeString(dir.resolve("o.csv"), "name,score\n\"a.jpg,1\n");
        assertTrue(assertThrows(IOException.class, () -> CsvTable.readStrict(open)).getMessage()
                .endsWith("o.csv: unterminated quote starting at row 2 (the quoted field runs to the end of the file)"));
        assertThrows(NoSuchFileException.class, () -> CsvTable.readStrict(dir.resolve("missing.csv")));
        Path empty = Files.writeString(dir.resolve("e.csv"), "\n\n");
        assertTrue(assertThrows(IOException.class, () -> CsvTable.readStrict(empty)).getMessage().contains("empty"));
    }
}
