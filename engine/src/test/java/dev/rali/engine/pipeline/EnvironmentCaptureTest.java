package dev.rali.engine.pipeline;

import dev.rali.engine.TestPaths;
import dev.rali.engine.project.RunEnvironment;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvironmentCaptureTest {

    @Test
    void thisProcessIsDescribedWithTheResolvedDeviceAndPrecision() {
        RunEnvironment e = RaliPipeline.captureEnvironment("cpu", "fp32", TestPaths.shared("fixtures/tiny-clip-a"),
                "bf16");
        assertEquals("cpu()", e.device());
        assertEquals("fp32", e.encoderPrecision());
        assertEquals("bf16", e.alignmentPrecision());
        assertEquals(dev.rali.engine.Version.CODE, e.rali());
        assertTrue(e.libtorch().endsWith("(bundled)"), e.libtorch());
        assertTrue(e.threads() >= 1 && e.cores() >= 1);
        assertTrue(e.summary().startsWith("cpu() · libtorch "), e.summary());
    }

    @Test
    void autoPrecisionIsRecordedAsWhatItResolvedTo() {
        RunEnvironment e = RaliPipeline.captureEnvironment("cpu", "auto", TestPaths.shared("fixtures/tiny-clip-a"),
                "fp32");
        assertTrue(java.util.List.of("fp32", "bf16", "bf16-mlp").contains(e.encoderPrecision()), e.encoderPrecision());
    }
}
