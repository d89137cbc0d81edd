package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.analysis.saliency.SaliencyTestBundles;
import dev.rali.engine.sample.SampleProjectBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnalyzeSaliencyCommandTest {
    @Test
    void jsonGridsAndHeatmap(@TempDir Path tmp) throws Exception {
        Path bundle = SaliencyTestBundles.tiny(tmp);
        Path photo = SampleProjectBuilder.findPhotosDir(Path.of("")).resolve("chelsea.png");
        Path heat = tmp.resolve("heat.png");
        CliRun.Result r = CliRun.exec("analyze", "saliency", "--json", "--model", bundle.toString(),
                "--out", heat.toString(), photo.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(4, j.get("grid").asInt());
        assertEquals(4, j.get("rollout").size());
        assertEquals(4, j.at("/attribution/values").size());
        assertEquals("occlusion", j.at("/attribution/method").asText());
        double score = j.get("score").asDouble();
        assertTrue(score >= 1 && score <= 5, "score " + score);
        BufferedImage img = ImageIO.read(heat.toFile());
        assertEquals(3 * img.getHeight(), img.getWidth());
        CliRun.Result w2 = CliRun.exec("analyze", "saliency", "--window", "2", "--model", bundle.toString(), photo.toString());
        assertEquals(0, w2.code(), w2.err());
        assertTrue(w2.out().contains("windows of 2 patch(es)"), w2.out());
    }

    @Test
    void textSaliencyListsEveryWordAsJsonAndRanksThemInText(@TempDir Path tmp) throws Exception {
        Path bundle = SaliencyTestBundles.tiny(tmp);
        String text = "The photo is blurry with visible noise in the sky.";
        CliRun.Result r = CliRun.exec("analyze", "saliency", "--json", "--model", bundle.toString(), "--text", text);
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out()).get("text_saliency");
        assertEquals(10, j.get("words").size());
        assertEquals("blurry", j.at("/words/3/word").asText());
        assertTrue(j.get("method").asText().contains("leave-one-word-out"));
        assertEquals(false, j.get("truncated").asBoolean());
        java.nio.file.Files.writeString(tmp.resolve("t.txt"), text);
        CliRun.Result t = CliRun.exec("analyze", "saliency", "--model", bundle.toString(), "--top", "3",
                "--text-file", tmp.resolve("t.txt").toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("10 words"), t.out());
        assertEquals(3, t.out().lines().filter(l -> l.matches("\\s+[0-9.]+\\s+#.*")).count(), t.out());
        CliRun.Result none = CliRun.exec("analyze", "saliency", "--model", bundle.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--text"), none.err());
    }
}
