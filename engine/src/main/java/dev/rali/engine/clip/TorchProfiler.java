package dev.rali.engine.clip;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.rali.engine.io.AtomicFiles;
import dev.rali.engine.io.OutputPaths;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * libtorch's per-op profiler for the benches' {@code --profile FILE}: every op of one {@link #record}ed run with its
 * CPU time and input shapes, as a Chrome trace (chrome://tracing, Perfetto,
 * bench/profile_table.py). On a GPU each op also gets CUDA events; the JNI built by tools/build_djl_jni.sh writes their
 * elapsed time as {@code args.cuda_us} (DJL's prebuilt one writes CPU times only).
 */
public final class TorchProfiler {

    private TorchProfiler() { }

    /**
     * Refuses a profile target the output guard refuses (a project, an input, a missing folder), so a bench fails
     * before its model is built rather than after minutes of work; {@code null} (no profile) passes.
     */
    public static void checkTarget(Path profile) throws IOException {
        if (profile != null) {
            OutputPaths.file(profile, "json").check();
        }
    }

    /**
     * Runs {@code once} under the profiler and writes its trace to {@code profile}: the benches' one extra, untimed
     * forward or step after the timed ones (the profiler slows every op it records).
     */
    public static void record(Device device, Path profile, Runnable once) {
        JniUtils.startProfile(device.isGpu(), true, true); // shapes and memory too; CUDA events on a GPU
        once.run();
        write(profile);
    }

    /** Stops recording; libtorch writes the trace into a temp file beside the target, published atomically. */
    private static void write(Path profile) {
        Path abs = profile.toAbsolutePath();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(abs.getParent(), ".profile-", ".tmp");
            JniUtils.stopProfile(tmp.toString());
            Path written = tmp;
            AtomicFiles.write(abs, out -> Files.copy(written, out));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the profile " + abs + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray temp file, not the result
                }
            }
        }
    }
}
