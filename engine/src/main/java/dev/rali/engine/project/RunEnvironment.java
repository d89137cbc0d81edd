package dev.rali.engine.project;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rali.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a pipeline run computed its numbers, recorded with it by the pipeline (artifact {@code environment}, one per start, so a run
 * resumed elsewhere shows both): RALI's version, Java, the OS, the CPU, libtorch (bundled or the RALI_TORCH_LIB one),
 * the device and precision the encoder and the alignment used, and libtorch's threads. Why: the same parameters give
 * slightly different numbers on a GPU than on a CPU (other kernels, other rounding; docs/PERFORMANCE.md "CUDA"), and
 * in bf16 than in fp32, so a table is only comparable with its environment beside it (as experiment trackers record
 * the system with each run).
 */
public record RunEnvironment(String rali, String java, String os, String cpu, int cores, boolean cpuBf16,
                             String libtorch, String device, int threads, String encoderPrecision,
                             String alignmentPrecision) {

    /** The artifact kind. */
    public static final String KIND = "environment";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Writes it as JSON into {@code dir}/{@code name} (atomically) and returns the file. */
    public Path write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve(name);
        AtomicFiles.writeString(f, JSON.writeValueAsString(this));
        return f;
    }

    static RunEnvironment read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), RunEnvironment.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a run environment record (" + e.getMessage() + ")", e);
        }
    }

    /** One line: "gpu(0) · libtorch from … · 16 threads · encoder bf16 · alignment fp32 · RALI … · Java … · CPU …". */
    public String summary() {
        return device + " · libtorch " + libtorch + " · " + threads + " threads · encoder " + encoderPrecision
                + " · alignment " + alignmentPrecision + " · RALI " + rali + " · " + java + " · " + os + " · " + cpu
                + " (" + cores + " cores" + (cpuBf16 ? ", bf16" : "") + ")";
    }

    /** What a run recorded: see {@link Runs#environments}. */
    static List<RunEnvironment> of(Runs runs, long runId) throws java.sql.SQLException, IOException {
        Set<RunEnvironment> seen = new LinkedHashSet<>();
        for (Runs.Artifact a : runs.artifacts(runId)) {
            if (a.kind().equals(KIND) && Files.isRegularFile(a.path())) {
                try {
                    seen.add(read(a.path()));
                } catch (IOException unreadable) {
                    // skipped: see above
                }
            }
        }
        return new ArrayList<>(seen);
    }

    /** "Ran on: …" for a run's records (several starts in different places joined by "; then "). */
    public static String describe(List<RunEnvironment> envs) {
        if (envs.isEmpty()) {
            return "Ran on: not recorded (a run made before RALI recorded its environment)";
        }
        List<String> parts = new ArrayList<>();
        for (RunEnvironment e : envs) {
            parts.add(e.summary());
        }
        return "Ran on: " + String.join("; then ", parts);
    }
}
