package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.TestPaths;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipCommandsTest {

    private static Path fixture(String name) throws Exception {
        URL url = ClipCommandsTest.class.getResource("/fixtures/" + name + "/config.json");
        return Path.of(url.toURI()).getParent();
    }

    @Test
    void modelVerifyPassesOnTheReferenceFixtures() throws Exception {
        Path a = TestPaths.shared("fixtures/tiny-clip-a");
        CliRun.Result r = CliRun.exec("model", "verify", "--model", a.toString(), "--expected", a.resolve("expected.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("PASSED: 13 tensors"), r.out());
        assertTrue(r.out().contains("vision_hidden_states_2"), r.out());
        for (String name : new String[] {"clip-b", "clip-c"}) {
            Path d = fixture(name);
            CliRun.Result j = CliRun.exec("model", "verify", "--model", d.toString(), "--expected", d.resolve("expected.safetensors").toString(),
                    "--tolerance", "1e-4", "--json");
            assertEquals(0, j.code(), j.err());
            JsonNode n = new ObjectMapper().readTree(j.out());
            assertTrue(n.get("passed").asBoolean());
            assertTrue(n.get("max_abs_error").asDouble() < 1e-4);
            assertEquals(0, n.get("not_checked").size());
        }
    }

    @Test
    void modelVerifyExitsNonZeroWhenATensorExceedsTheTolerance() throws Exception {
        Path d = fixture("clip-b");
        CliRun.Result r = CliRun.exec("model", "verify", "--model", d.toString(), "--expected", d.resolve("expected.safetensors").toString(),
                "--tolerance", "1e-9");
        assertEquals(2, r.code());
        assertTrue(r.out().contains("FAIL") && r.out().contains("FAILED"), r.out());
    }

    @Test
    void modelVerifyNamesAMissingFile() throws Exception {
        Path d = fixture("clip-b");
        CliRun.Result r = CliRun.exec("model", "verify", "--model", d.toString(), "--expected", d.resolve("nope.safetensors").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nope.safetensors") && r.err().contains("no such file"), r.err());
    }

    @Test
    void benchClipReportsThroughputAndRoofline() throws Exception {
        CliRun.Result r = CliRun.exec("bench", "clip", "--config", fixture("clip-b").resolve("config.json").toString(), "--batch", "2",
                "--iters", "1", "--warmup", "0", "--device", "cpu", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"images_per_s", "ms_per_batch", "roofline_share", "peak_mem_mb"}) {
            assertTrue(n.has(key), key);
            assertTrue(n.get(key).asDouble() > 0, key + " = " + n.get(key));
        }
        assertEquals(2, n.get("batch").asInt());
        CliRun.Result bad = CliRun.exec("bench", "clip", "--config", "vit-h-99");
        assertEquals(1, bad.code());
        assertFalse(bad.err().isEmpty());
        assertTrue(bad.err().contains("unknown CLIP preset"), bad.err());
    }

    @Test
    void benchTrainTimesTheAlignmentStepAndReportsEveryField() throws Exception {
        CliRun.Result r = CliRun.exec("bench", "train", "--config", "demo", "--batch", "3", "--steps", "2",
                "--warmup", "1", "--jit-quiet", "0", "--device", "cpu", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"ms_per_step", "images_per_s", "peak_rss_mb", "trainable_params"}) {
            assertTrue(n.has(key), key);
            assertTrue(n.get(key).asDouble() > 0, key + " = " + n.get(key));
        }
        double shares = 0;
        for (String part : new String[] {"forward", "backward", "optimizer"}) {
            assertTrue(n.path("shares").has(part), part);
            shares += n.path("shares").get(part).asDouble();
        }
        assertEquals(1.0, shares, 1e-9, "the three parts make up the step");
        assertEquals(3, n.get("batch").asInt());
        assertEquals(2, n.get("steps").asInt());
        assertEquals(1, n.get("warmup").asInt(), "no JIT wait asked for: exactly the warm-up steps");
        assertTrue(n.get("jit_settled").asBoolean(), r.out());
        assertTrue(n.get("jit_ms_timed").asLong() >= -1, r.out());
        assertEquals("fp32", n.get("precision").asText());
        assertTrue(n.has("load_average") && n.has("first_loss") && n.has("last_loss") && n.has("threads"), r.out());
        // the demo's image tower: 2 layers of width 64 on 64 px with patch 8, plus the projection
        assertTrue(n.get("trainable_params").asLong() > 100_000 && n.get("trainable_params").asLong() < 200_000,
                n.toString());
        // three AdamW steps on one batch lower its loss
        assertTrue(n.get("last_loss").asDouble() < n.get("first_loss").asDouble(), n.toString());
    }

    @Test
    void benchTrainRefusesBadArgumentsAndRunsBf16() throws Exception {
        CliRun.Result one = CliRun.exec("bench", "train", "--batch", "1");
        assertEquals(2, one.code());
        assertTrue(one.err().contains("--batch must be at least 2"), one.err());
        CliRun.Result prec = CliRun.exec("bench", "train", "--precision", "fp16");
        assertEquals(2, prec.code());
        assertTrue(prec.err().contains("fp32 or bf16"), prec.err());
        CliRun.Result steps = CliRun.exec("bench", "train", "--steps", "0");
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("--steps"), steps.err());
        CliRun.Result quiet = CliRun.exec("bench", "train", "--jit-quiet", "-1");
        assertEquals(2, quiet.code());
        assertTrue(quiet.err().contains("--jit-quiet must be >= 0"), quiet.err());
        CliRun.Result preset = CliRun.exec("bench", "train", "--config", "vit-h-99");
        assertEquals(1, preset.code());
        assertTrue(preset.err().contains("unknown CLIP preset"), preset.err());
        CliRun.Result file = CliRun.exec("bench", "train", "--config", "/nonexistent/config.json");
        assertEquals(1, file.code());
        assertTrue(file.err().contains("/nonexistent/config.json") && file.err().contains("no such file"), file.err());
        // bf16 (TorchScript layers, fp32 master weights) runs and says so
        CliRun.Result bf16 = CliRun.exec("bench", "train", "--config", "demo", "--batch", "2", "--steps", "1",
                "--warmup", "0", "--jit-quiet", "0", "--device", "cpu", "--precision", "bf16", "--json");
        assertEquals(0, bf16.code(), bf16.err());
        assertEquals("bf16", new ObjectMapper().readTree(bf16.out()).get("precision").asText(), bf16.out());
    }

    @Test
    void modelRandomWritesALoadableFolderOfTheConfigsSizeAndRefusesToOverwrite(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path out = tmp.resolve("rand");
        String cfg = fixture("clip-b").resolve("config.json").toString();
        CliRun.Result r = CliRun.exec("model", "random", "--config", cfg, "--seed", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (dev.rali.engine.clip.ClipModel m = dev.rali.engine.clip.ClipModel.load(out)) {
            assertEquals(dev.rali.engine.clip.ClipConfig.read(Path.of(cfg)).vision().hiddenSize(),
                    m.config().vision().hiddenSize());
        }
        byte[] first = java.nio.file.Files.readAllBytes(out.resolve("model.safetensors"));
        CliRun.Result again = CliRun.exec("model", "random", "--config", cfg, "--out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already holds a model.safetensors"), again.err());
        Path same = tmp.resolve("same");
        assertEquals(0, CliRun.exec("model", "random", "--config", cfg, "--seed", "3", "--out", same.toString()).code());
        assertTrue(java.util.Arrays.equals(first, java.nio.file.Files.readAllBytes(same.resolve("model.safetensors"))),
                "same seed, same weights");
    }
}
