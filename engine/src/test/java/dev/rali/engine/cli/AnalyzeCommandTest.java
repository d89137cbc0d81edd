package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeCommandTest {
    @TempDir
    Path dir;

    /** n rows of two groups (second shifted by shift), float32 [2n, d], groups.csv with a score column. */
    private Path[] write(int n, int d, double shift, int groupRows) throws IOException {
        Random r = new Random(1);
        float[] flat = new float[2 * n * d];
        StringBuilder csv = new StringBuilder("group,score\n");
        for (int i = 0; i < 2 * n; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = (float) (r.nextGaussian() + (j == 0 && i >= n ? shift : 0));
            }
            if (i < groupRows) {
                csv.append(i < n ? "koniq" : "spaq").append(',').append(1 + flat[i * d + 1] * 0.5 + 2).append('\n');
            }
        }
        Path e = dir.resolve("E.safetensors");
        new Safetensors.Writer().putFloats("embeddings", flat, 2 * n, d).write(e);
        Path g = dir.resolve("G.csv");
        Files.writeString(g, csv);
        return new Path[] {e, g};
    }

    @Test
    void domainGapOnAnEmbeddingsFileWritesCoordinatesNumbersAndAPng() throws IOException {
        Path[] f = write(60, 6, 8, 120);
        Path out = dir.resolve("gap");
        CliRun.Result r = CliRun.exec("analyze", "domain-gap", "--embeddings", f[0].toString(), "--groups",
                f[1].toString(), "--perplexity", "10", "--iterations", "250", "--out", out.toString(), "--json", "-q");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertTrue(json.get("domain_classifier").get("accuracy").asDouble() > 0.97);
        assertEquals(0.5, json.get("domain_classifier").get("chance").asDouble(), 1e-12);
        assertEquals("koniq", json.get("mmd2").get(0).get("a").asText());
        assertTrue(json.get("mmd2").get(0).get("p_value").asDouble() < 0.01);
        assertEquals(json, new ObjectMapper().readTree(out.resolve("numbers.json").toFile()));
        List<String> coords = Files.readAllLines(out.resolve("coordinates.csv"));
        assertEquals("id,group,score,x,y", coords.get(0));
        assertEquals(121, coords.size());
        assertTrue(coords.get(1).startsWith("0,koniq,"));
        BufferedImage png = ImageIO.read(out.resolve("map.png").toFile());
        assertNotNull(png);
        assertTrue(png.getWidth() > 100);
    }

    @Test
    void mismatchedGroupRowsNameBothFiles() throws IOException {
        Path[] f = write(30, 4, 1, 59);
        CliRun.Result r = CliRun.exec("analyze", "domain-gap", "--embeddings", f[0].toString(), "--groups",
                f[1].toString(), "-q");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("G.csv: 59 rows, but") && r.err().contains("has 60 embeddings"), r.err());
    }

    @Test
    void missingGroupColumnAndUnknownMethodAreNamed() throws IOException {
        Path[] f = write(30, 4, 1, 60);
        Files.writeString(f[1], "dataset\n" + "a\n".repeat(60));
        CliRun.Result r = CliRun.exec("analyze", "domain-gap", "--embeddings", f[0].toString(), "--groups",
                f[1].toString(), "-q");
        assertTrue(r.err().contains("needs a 'group' column"), r.err());
        Path[] g = write(30, 4, 1, 60);
        CliRun.Result m = CliRun.exec("analyze", "domain-gap", "--embeddings", g[0].toString(), "--groups",
                g[1].toString(), "--method", "pca", "-q");
        assertTrue(m.err().contains("unknown map method 'pca'"), m.err());
    }
}
