package dev.rali.engine.clip;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import dev.rali.engine.io.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * libtorch's per-op profiler for the benches' {@code --profile FILE}: every op between {@link #start} and
 * {@link #write} with its CPU time and input shapes, as a Chrome trace (chrome://tracing, Perfetto,
 * bench/profile_table.py). On a GPU each op also gets CUDA events; the JNI built by tools/build_djl_jni.sh writes their
 * elapsed time as {@code args.cuda_us} (DJL's prebuilt one writes CPU times only).
 */
public final class TorchProfiler {

    private TorchProfiler() { }

    /** Starts recording (shapes and memory too; CUDA events when {@code device} is a GPU). */
    public static void start(Device device) {
        JniUtils.startProfile(device.isGpu(), true, true);
    }

    /** Stops recording; libtorch writes the trace into a temp file beside the target, published atomically. */
    public static void write(Path profile) {
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
