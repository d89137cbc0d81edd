package dev.rali.engine.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.sample.DemoClipFactory;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignmentBenchTest {

    private static final ClipConfig DEMO = DemoClipFactory.clipConfig(DemoClipFactory.Config.defaults());

    @Test
    void timesTheStageStepAndSplitsItIntoForwardBackwardAndOptimizer() {
        AlignmentBench.Result r = AlignmentBench.run(DEMO, "demo", 4, 3, 1, 0, "cpu", "fp32", null,
                TaskContext.silent());
        assertTrue(r.msPerStep() > 0 && Double.isFinite(r.msPerStep()), "ms per step " + r.msPerStep());
        assertEquals(4 / (r.msPerStep() / 1e3), r.imagesPerS(), 1e-6 * r.imagesPerS());
        assertEquals(1.0, r.forwardShare() + r.backwardShare() + r.optimizerShare(), 1e-9);
        assertTrue(r.forwardShare() > 0 && r.backwardShare() > 0 && r.optimizerShare() > 0);
        assertEquals(120_832, r.trainableParams(), "the demo tower's trainable parameters (as PyTorch counts them)");
        assertTrue(Double.isFinite(r.firstLoss()) && Double.isFinite(r.lastLoss()));
        assertEquals(1, r.warmup());
        assertTrue(r.jitSettled(), "no JIT wait asked for");
    }

    @Test
    void waitsForTheJitBeyondTheWarmupStepsAndCountsThem() {
        // a window of 0.3 s: the test JVM's JIT is busy at first, so more steps than the one asked for may run; the
        // count reported is the steps that ran, and it ends settled or at the cap
        AlignmentBench.Result r = AlignmentBench.run(DEMO, "demo", 2, 1, 1, 0.3, "cpu", "fp32", null,
                TaskContext.silent());
        assertTrue(r.warmup() >= 1, "at least the steps asked for: " + r.warmup());
        assertTrue(r.jitSettled(), "the JIT of a test JVM goes quiet for 0.3 s well within the cap");
    }

    @Test
    void profileHoldsTheLastTimedStepsOpsAsAChromeTrace(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("steps.json");
        AlignmentBench.run(DEMO, "demo", 2, 2, 1, 0, "cpu", "bf16", trace, TaskContext.silent());
        JsonNode events = new ObjectMapper().readTree(Files.readString(trace));
        JsonNode list = events.isArray() ? events : events.get("traceEvents");
        boolean matmul = false;
        int losses = 0;
        for (JsonNode e : list) {
            String name = e.path("name").asText();
            matmul |= name.equals("aten::mm") || name.equals("aten::addmm") || name.equals("aten::linear");
            losses += name.equals("aten::log_softmax") ? 1 : 0;
        }
        assertTrue(matmul, "no matrix products in the profile of the timed step");
        assertEquals(2, losses, "one step: the symmetric loss's two log-softmaxes, once");
    }

    @Test
    void refusesABatchWithoutNegatives() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlignmentBench.run(DEMO, "demo", 1, 1, 0, 0, "cpu", "fp32", null, TaskContext.silent()));
        assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
    }
}
