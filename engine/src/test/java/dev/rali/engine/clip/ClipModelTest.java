package dev.rali.engine.clip;

import dev.rali.engine.TestPaths;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipModelTest {

    static final Path TINY_A = TestPaths.shared("fixtures/tiny-clip-a");

    @Test
    void matchesTinyClipAReferenceWithin1e4() throws Exception {
        ClipConformance.Report r = ClipConformance.verify(TINY_A, TINY_A.resolve("expected.safetensors"), 1e-4);
        for (ClipConformance.TensorResult t : r.results()) {
            System.out.println(t.name() + " " + t.maxAbsError());
        }
        assertTrue(r.notChecked().isEmpty(), "unchecked: " + r.notChecked());
        assertTrue(r.passed(), "max error " + r.maxError());
    }
}
