package dev.rali.engine.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictionJoinTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void joinsExactlyThenByUniqueBaseNameAndReportsLeftovers() throws IOException {
        Path pred = write("pred.csv", "image,score\n1024x768/a.jpg,3.1\nb.jpg,2.0\nI01_01_1.BMP,4.5\nzzz.png,1\n");
        Path mos = write("mos.csv", "\uFEFFimage_name,MOS,SD\r\na.jpg,3.0,0.1\r\nb.jpg,2.2,0.2\r\n"
                + "i01_01_1.bmp,4.4,0.3\r\nextra.jpg,1.0,0\r\n");
        PredictionJoin.Result r = PredictionJoin.join(pred, null, mos, null);
        assertEquals(List.of("1024x768/a.jpg", "b.jpg", "I01_01_1.BMP"), r.names());
        assertArrayEquals(new double[] {3.1, 2.0, 4.5}, r.pred());
        assertArrayEquals(new double[] {3.0, 2.2, 4.4}, r.mos());
        assertEquals(2, r.basenameMatches());
        assertEquals(List.of("zzz.png"), r.unmatchedPred());
        assertEquals(List.of("extra.jpg"), r.unmatchedMos());
        assertEquals("MOS", r.mosColumn());
    }

    @Test
    void explicitColumnsAndQuotedFields() throws IOException {
        Path pred = write("p.csv", "name,a,b\n\"x, 1.png\",1,9\ny.png,2,8\n");
        Path mos = write("m.tsv", "dist_img\tdmos\nx, 1.png\t5\ny.png\t6\n");
        PredictionJoin.Result r = PredictionJoin.join(pred, "b", mos, null);
        assertArrayEquals(new double[] {9, 8}, r.pred());
        assertArrayEquals(new double[] {5, 6}, r.mos());
    }

    @Test
    void badInputNamesFileLineAndColumn() throws IOException {
        Path pred = write("p.csv", "image,score\na.png,1\nb.png,oops\n");
        Path mos = write("m.csv", "image,mos\na.png,1\nb.png,2\n");
        IOException e = assertThrows(IOException.class, () -> PredictionJoin.join(pred, null, mos, null));
        assertTrue(e.getMessage().contains("p.csv: line 3, column 'score': 'oops' is not a finite number"), e.getMessage());

        Path nan = write("n.csv", "image,score\na.png,NaN\n");
        e = assertThrows(IOException.class, () -> PredictionJoin.join(nan, null, mos, null));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());

        Path dup = write("d.csv", "image,score\na.png,1\na.png,2\n");
        e = assertThrows(IOException.class, () -> PredictionJoin.join(dup, null, mos, null));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());

        Path ragged = write("r.csv", "image,score\na.png,1,7\n");
        e = assertThrows(IOException.class, () -> PredictionJoin.join(ragged, null, mos, null));
        assertTrue(e.getMessage().contains("r.csv: line 2: 3 fields, the header has 2"), e.getMessage());

        e = assertThrows(IOException.class, () -> PredictionJoin.join(pred, "nope", mos, null));
        assertTrue(e.getMessage().contains("no column 'nope'"), e.getMessage());

        Path wide = write("w.csv", "image,foo,bar\na.png,1,2\n");
        e = assertThrows(IOException.class, () -> PredictionJoin.join(wide, null, mos, null));
        assertTrue(e.getMessage().contains("--pred-column"), e.getMessage());

        e = assertThrows(IOException.class, () -> PredictionJoin.join(dir.resolve("missing.csv"), null, mos, null));
        assertTrue(e.getMessage().contains("missing.csv"), e.getMessage());
    }
}
