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
}
