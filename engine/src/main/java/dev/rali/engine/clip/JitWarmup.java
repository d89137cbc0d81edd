package dev.rali.engine.clip;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/**
 * When a benchmark's warm-up is over on the JVM: after the steps asked for, and once the JIT compilers have finished
 * nothing for a quiet window. Why: HotSpot's C2 keeps compiling the step's Java code (DJL's wrappers, ours) in bursts
 * for tens of seconds; on a 2-core machine running libtorch on 2 threads each burst takes a core from the step, which
 * then waits at OpenMP barriers. The demo-size bf16 step after 20 warm-up steps: median 0.95x PyTorch eager over ten
 * A/B pairs (0.79-1.10); after a 3 s quiet window (1,000-5,000 steps on a 2-core AMD EPYC): 1.09x over fifteen
 * (0.83-1.29), with PyTorch given as many warm-up steps. A training run lasts thousands of steps, so the settled step
 * is the one users get. The wait is capped at {@link #MAX_WAIT_S}; {@link #settled()} says whether the window was
 * reached, and the bench reports the JIT's time inside the timed steps as well.
 */
public final class JitWarmup {

    /** At most this long waiting for the JIT, whatever the window. */
    public static final double MAX_WAIT_S = 60;

    private final int minSteps;
    private final long quietNanos;
    private final long capNanos;
    private final LongSupplier jitMillis;
    private final LongSupplier clock;
    private boolean started;
    private long start;
    private long lastJit;
    private long quietSince;
    private int steps;
    private boolean settled;
    private boolean done;

    /**
     * {@code quietS} 0: only the {@code minSteps}, no wait (as also where the JVM does not report its compilation
     * time).
     */
    public JitWarmup(int minSteps, double quietS) {
        this(minSteps, quietS, MAX_WAIT_S, JitWarmup::jitMillis, System::nanoTime);
    }

    JitWarmup(int minSteps, double quietS, double capS, LongSupplier jitMillis, LongSupplier clock) {
        if (minSteps < 0 || !(quietS >= 0) || !(capS > 0)) {
            throw new IllegalArgumentException("warm-up: steps must be >= 0 and the quiet window >= 0 s, got "
                    + minSteps + " and " + quietS);
        }
        this.minSteps = minSteps;
        this.quietNanos = (long) (quietS * 1e9);
        this.capNanos = (long) (capS * 1e9);
        this.jitMillis = jitMillis;
        this.clock = clock;
    }

    /** True while another warm-up step should run; call once before each (it counts the steps). */
    public boolean another() {
        if (done) {
            return false;
        }
        long now = clock.getAsLong();
        long jit = jitMillis.getAsLong();
        if (!started) { // not a sentinel start value: System.nanoTime may be negative
            started = true;
            start = now;
            lastJit = jit;
            quietSince = now;
        } else if (jit != lastJit) {
            lastJit = jit;
            quietSince = now;
        }
        if (steps < minSteps) {
            steps++;
            return true;
        }
        if (quietNanos == 0 || jit < 0 || now - quietSince >= quietNanos) {
            settled = true;
        }
        if (settled || now - start >= capNanos) {
            done = true;
            return false;
        }
        steps++;
        return true;
    }

    /** Warm-up steps run so far. */
    public int steps() {
        return steps;
    }

    /** Whether the JIT was quiet for the window (or no window was asked for) when the warm-up ended. */
    public boolean settled() {
        return settled;
    }

    /** Milliseconds the JVM's JIT compilers have spent so far, or -1 where the JVM does not say. */
    public static long jitMillis() {
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : -1;
    }
}
