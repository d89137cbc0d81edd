package dev.rali.engine.clip;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JitWarmupTest {

    private final AtomicLong now = new AtomicLong();
    private final AtomicLong jit = new AtomicLong();

    /** A warm-up on the fake clock and JIT below. */
    private JitWarmup warmup(int minSteps, double quietS, double capS) {
        return new JitWarmup(minSteps, quietS, capS, jit::get, now::get);
    }

    /** A fake clock and JIT: each step takes 100 ms; the JIT compiles during the first {@code busySteps}. */
    private static int run(JitWarmup w, AtomicLong now, AtomicLong jit, int busySteps) {
        int step = 0;
        while (w.another()) {
            step++;
            now.addAndGet(100_000_000L);
            if (step <= busySteps) {
                jit.addAndGet(5);
            }
        }
        return step;
    }

    @Test
    void runsTheStepsAskedForThenWaitsUntilTheJitWasQuietForTheWindow() {
        JitWarmup w = warmup(3, 1.0, 60);
        // compiling through step 12; quiet from the end of step 12, a 1 s window = 10 steps of 100 ms
        int steps = run(w, now, jit, 12);
        assertEquals(22, steps);
        assertEquals(22, w.steps());
        assertTrue(w.settled());
        assertFalse(w.another(), "over once over");
    }

    @Test
    void aQuietJitEndsTheWarmupAfterTheStepsAskedFor() {
        JitWarmup w = warmup(5, 0.2, 60);
        assertEquals(5, run(w, now, jit, 0));
        assertTrue(w.settled());
    }

    @Test
    void noWindowMeansExactlyTheStepsAskedForEvenWhileTheJitCompiles() {
        JitWarmup w = warmup(4, 0, 60);
        assertEquals(4, run(w, now, jit, 1000));
        assertTrue(w.settled());
        JitWarmup none = warmup(0, 0, 60);
        assertEquals(0, run(none, now, jit, 1000));
    }

    @Test
    void aJitThatNeverGoesQuietStopsAtTheCapAndSaysSo() {
        JitWarmup w = warmup(2, 1.0, 3.0);
        int steps = run(w, now, jit, Integer.MAX_VALUE);
        assertEquals(30, steps, "3 s of 100 ms steps");
        assertFalse(w.settled());
    }

    @Test
    void aClockBelowZeroStillEndsTheWarmup() {
        now.set(-10_000_000_000L); // System.nanoTime's origin is arbitrary: its values may be negative
        JitWarmup w = warmup(2, 1.0, 60);
        int steps = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5),
                () -> run(w, now, jit, 0));
        assertEquals(10, steps, "a quiet JIT: the 1 s window of 100 ms steps from the first call");
        assertTrue(w.settled());
    }

    @Test
    void aJvmThatDoesNotReportCompilationTimeWaitsForNothing() {
        JitWarmup w = new JitWarmup(2, 5.0, 60, () -> -1, now::get);
        assertEquals(2, run(w, now, jit, 0));
        assertTrue(w.settled());
    }

    @Test
    void refusesANegativeWindowOrStepCount() {
        assertThrows(IllegalArgumentException.class, () -> new JitWarmup(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> new JitWarmup(1, -0.5));
        assertThrows(IllegalArgumentException.class, () -> new JitWarmup(1, Double.NaN));
    }

    @Test
    void thisJvmReportsItsCompilationTime() {
        assertTrue(JitWarmup.jitMillis() >= 0, "HotSpot reports the JIT's time");
    }
}
