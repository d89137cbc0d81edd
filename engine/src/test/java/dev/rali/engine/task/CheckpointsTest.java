package dev.rali.engine.task;

import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointsTest {

    @Test
    void matchesOnlyTheFingerprintItWasWrittenWith(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stage.safetensors");
        Safetensors.Writer w = new Safetensors.Writer();
        w.metadata(Checkpoints.FINGERPRINT, "abc");
        w.putFloats("x", new float[] {1}, 1L);
        w.write(file);
        assertTrue(Checkpoints.matches(file, "abc"));
        assertFalse(Checkpoints.matches(file, "abd"));
        assertFalse(Checkpoints.matches(dir.resolve("missing.safetensors"), "abc"));
    }

    @Test
    void aDamagedFileIsTreatedAsAbsent(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("broken.safetensors"), "not safetensors");
        assertEquals(Map.of(), Checkpoints.metadata(file));
        assertFalse(Checkpoints.matches(file, "abc"));
    }

    @Test
    void refusalSaysWhetherVersionOrInputsDiffer() {
        Map<String, String> meta = Map.of(Checkpoints.FORMAT, "v2", Checkpoints.FINGERPRINT, "abc");
        assertNull(Checkpoints.refusal(meta, "v2", "abc"));
        assertEquals("was written by another version", Checkpoints.refusal(meta, "v3", "abc"));
        assertEquals("belongs to other data or settings", Checkpoints.refusal(meta, "v2", "xyz"));
        assertEquals("was written by another version", Checkpoints.refusal(Map.of(), "v2", "abc"));
    }
}
