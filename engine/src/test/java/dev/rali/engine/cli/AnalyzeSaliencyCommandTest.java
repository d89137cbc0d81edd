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
}
