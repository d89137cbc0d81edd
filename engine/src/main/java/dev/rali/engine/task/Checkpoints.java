package dev.rali.engine.task;

import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Stage files and checkpoints (safetensors) that carry the {@link Fingerprint} of their inputs in their metadata
 * ({@value #FINGERPRINT}, and for resumable state a {@value #FORMAT} tag): long work reuses or resumes one only when
 * both match, and otherwise starts over, saying why.
 */
public final class Checkpoints {
    public static final String FINGERPRINT = "fingerprint";
    public static final String FORMAT = "format";

    private Checkpoints() { }

    /** The file's metadata; empty when it is absent or unreadable (a damaged stage file is recomputed, not fatal). */
    public static Map<String, String> metadata(Path file) {
        if (file == null || !Files.isRegularFile(file)) {
            return Map.of();
        }
        try (Safetensors.Reader r = Safetensors.open(file)) {
            return r.metadata();
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** Whether {@code file} exists, is readable and was made from inputs with this fingerprint. */
    public static boolean matches(Path file, String fingerprint) {
        return fingerprint.equals(metadata(file).get(FINGERPRINT));
    }

    /**
     * Why a checkpoint with this metadata cannot be resumed for {@code format} and {@code fingerprint}, or null when
     * it can: written by another version (other format), or for other data or settings.
     */
    public static String refusal(Map<String, String> metadata, String format, String fingerprint) {
        if (!format.equals(metadata.get(FORMAT))) {
            return "was written by another version";
        }
        if (!fingerprint.equals(metadata.get(FINGERPRINT))) {
            return "belongs to other data or settings";
        }
        return null;
    }
}
