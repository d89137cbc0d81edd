package dev.rali.engine.sweep;

import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sweep queue: works through a sweep's queued points with the RALI pipeline, each point one pipeline run linked
 * to it. Holds the project's writer lock for the whole sweep. Finished points are never repeated: a point is taken
 * from the queue, run, and marked done only once its run finished; a run interrupted by a kill stays in {@code runs}
 * as interrupted and its point is queued again on resume (the pipeline then resumes the same hashed work folders).
 *
 * <p>Reuse: each point runs the whole pipeline, whose work folders are keyed by hashes of their inputs, so points
 * that differ only in the head's parameters reuse the aligned encoder and the embedding cache. Each point records
 * what it reused ({@link RaliPipeline.Counts}).
 *
 * <p>N at a time: with {@code parallel > 1}, points whose upstream (alignment, data, encoder, seed) a finished point
 * already produced run concurrently, up to N and up to what the heap allows ({@link #allowedParallel}); a point with a
 * new upstream runs alone first, so two points never train into the same work folder.
 *
 * <p>Live curves: every metric of a point is forwarded to the caller's context as {@code p<index>:<name>}
 * ({@link #pointMetric}), so a view can overlay the points' curves while they train.
 */
public final class SweepRunner {
    /** The validation metric the median rule and the table use: the score-definition fit's validation PLCC. */
    public static final String VAL_METRIC = "score_definition/val_plcc";
    /** Used when the score definition is off (no epochs): the head's validation PLCC. */
    public static final String HEAD_VAL_METRIC = "head/val_plcc";

    /** What a run of the queue did. */
    public record Summary(long sweepId, int ran, int done, int failed, int pruned, int cancelled, int remaining,
                          RaliPipeline.Counts reuse, int parallel, String status) { }

    /** The name a point's metric is forwarded under: {@code p<index>:<name>} ({@link SweepService#pointMetric}). */
    public static String pointMetric(int point, String name) {
        return SweepService.pointMetric(point, name);
    }

    /** Creates the sweep's rows and queues every point (the spec was validated when it was built). */
    public static long create(ProjectStore store, SweepSpec spec) throws java.io.IOException {
        return new SweepRecords(store).create(spec.name(), spec.kind().label(), spec.toJson(), spec.points());
    }

    /**
     * Runs the sweep's queue until it is empty, cancelled (from {@code ctx}, or by {@code rali sweep cancel} /
     * the app through the sweep's rows) or the process dies. Points left by a killed process are queued again first;
     * with {@code resumeCancelled} the points cancelled with the whole sweep are queued again too.
     */
    public Summary run(ProjectStore store, long sweepId, int parallel, boolean resumeCancelled, TaskContext ctx)
            throws Exception {
        SweepRecords rec = new SweepRecords(store);
        SweepRecords.Sweep sweep = rec.get(sweepId);
        EarlyStopRule rule = EarlyStopRule.of(sweep.specJson());
        try (ProjectStore.Hold lock = store.holdWriterLock("sweep " + sweepId)) {
            int requeued = rec.requeueUnfinished(sweepId);
            if (resumeCancelled) {
                requeued += rec.requeueCancelledWithSweep(sweepId);
            }
            if (requeued > 0) {
                ctx.log("sweep " + sweepId + ": " + requeued + " unfinished point(s) queued again");
            }
            rec.setStatus(sweepId, SweepRecords.RUNNING, null);
            State st = new State(store, rec, sweepId, rule, ctx);
            st.loadFinishedCurves();
            int n = allowedParallel(store, parallel, ctx);
            try {
                if (n <= 1) {
                    Optional<SweepRecords.Point> p;
                    while (!st.sweepCancelled() && (p = rec.takeNext(sweepId)).isPresent()) {
                        st.runPoint(p.get());
                    }
                } else {
                    runParallel(st, n);
                }
            } catch (CancelledException e) {
                rec.setStatus(sweepId, SweepRecords.CANCELLED, "stopped; `rali sweep resume` continues it");
                throw e;
            } catch (Exception | Error e) {
                rec.setStatus(sweepId, SweepRecords.FAILED, String.valueOf(e.getMessage()));
                throw e;
            }
            List<SweepRecords.Point> pts = rec.points(sweepId);
            int remaining = (int) pts.stream().filter(x -> !x.finished()).count();
            boolean cancelled = st.sweepCancelled() || pts.stream().anyMatch(x ->
                    x.status().equals(SweepRecords.CANCELLED) && "sweep cancelled".equals(x.message()));
            String status = cancelled ? SweepRecords.CANCELLED : SweepRecords.DONE;
            Summary s = new Summary(sweepId, st.ran, count(pts, SweepRecords.DONE), count(pts, SweepRecords.FAILED),
                    count(pts, SweepRecords.PRUNED), count(pts, SweepRecords.CANCELLED), remaining, st.reuse, n, status);
            rec.setStatus(sweepId, status, String.format("%d done, %d pruned, %d failed, %d cancelled", s.done(),
                    s.pruned(), s.failed(), s.cancelled()));
            return s;
        }
    }

    private static int count(List<SweepRecords.Point> pts, String status) {
        return (int) pts.stream().filter(p -> p.status().equals(status)).count();
    }

    /**
     * N at a time where memory allows: min(requested, free heap / per-point estimate), where a point holds its score
     * dataset's embeddings a few times over (train, validation, PCA copy: 3 × images × 1024 floats, a generous
     * embedding width) plus 64 MiB of working memory. Logs the rule and the result.
     */
    static int allowedParallel(ProjectStore store, int requested, TaskContext ctx) throws Exception {
        if (requested <= 1) {
            return 1;
        }
        long images = 0;
        for (var d : dev.rali.engine.dataset.Datasets.list(store)) {
            images += d.count();
        }
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long perPoint = 3L * images * 1024 * 4 + (64L << 20);
        int byMemory = (int) Math.max(1, Math.min(Integer.MAX_VALUE, free / perPoint));
        int n = Math.min(requested, byMemory);
        ctx.log(String.format("sweep: %d point(s) at a time (asked %d; heap allows %d: %d MiB free / %d MiB per point)",
                n, requested, byMemory, free >> 20, perPoint >> 20));
        return n;
    }

    /** Points with a known upstream run N at a time; a point with a new upstream waits for the others, then runs alone. */
    private static void runParallel(State st, int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "sweep-" + st.sweepId);
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> running = new ArrayList<>();
        try {
            Optional<SweepRecords.Point> p;
            while (!st.sweepCancelled() && (p = st.rec.takeNext(st.sweepId)).isPresent()) {
                SweepRecords.Point point = p.get();
                String up = upstream(point.paramsJson());
                if (!st.warm.contains(up)) {
                    drain(running);
                    st.runPoint(point);
                    continue;
                }
                while (running.size() >= n) {
                    running.removeIf(Future::isDone);
                    if (running.size() >= n) {
                        Thread.sleep(50);
                    }
                }
                running.add(pool.submit(() -> {
                    st.runPoint(point);
                    return null;
                }));
            }
            drain(running);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void drain(List<Future<?>> running) throws Exception {
        Exception first = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (first == null && e.getCause() instanceof Exception ex) {
                    first = ex;
                }
            }
        }
        running.clear();
        if (first != null) {
            throw first;
        }
    }

    /** What a point's aligned encoder and embeddings depend on: alignment, data and encoder settings and its seed. */
    static String upstream(String paramsJson) {
        PipelineParams p = PipelineParams.fromJson(paramsJson);
        Map<String, Object> m = new LinkedHashMap<>();
        p.flat().forEach((k, v) -> {
            if (k.startsWith("alignment.") || k.startsWith("data.") || k.startsWith("encoder.")
                    || k.equals(ParamKeys.SEED.name())) {
                m.put(k, String.valueOf(v));
            }
        });
        return m.toString();
    }

    /** The median stopping rule, read from the sweep's stored definition. */
    record EarlyStopRule(boolean enabled, int minFinished, int warmupEpochs) {
        static EarlyStopRule of(String specJson) {
            try {
                var es = SweepSpec.JSON.readTree(specJson).path("early_stop");
                return new EarlyStopRule(es.path("enabled").asBoolean(false), es.path("min_finished").asInt(3),
                        es.path("warmup_epochs").asInt(10));
            } catch (java.io.IOException e) {
                return new EarlyStopRule(false, 3, 10);
            }
        }

        /** Whether {@code value} at {@code step} is below the median of the finished curves there. */
        boolean prune(long step, double value, List<Map<Long, Double>> finished) {
            if (!enabled || step < warmupEpochs) {
                return false;
            }
            List<Double> at = new ArrayList<>();
            for (Map<Long, Double> c : finished) {
                Double v = c.get(step);
                if (v != null && Double.isFinite(v)) {
                    at.add(v);
                }
            }
            if (at.size() < minFinished) {
                return false;
            }
            at.sort(null);
            int k = at.size();
            double median = k % 2 == 1 ? at.get(k / 2) : (at.get(k / 2 - 1) + at.get(k / 2)) / 2;
            return value < median;
        }
    }

    /** The state of one run of the queue, shared by its workers. */
    private static final class State {
        final ProjectStore store;
        final SweepRecords rec;
        final long sweepId;
        final EarlyStopRule rule;
        final TaskContext ctx;
        /** Validation curves (epoch → value) of the sweep's finished points, for the median rule. */
        final List<Map<Long, Double>> finishedCurves = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Upstreams a finished point produced (their encoder and embeddings exist). */
        final Set<String> warm = ConcurrentHashMap.newKeySet();
        RaliPipeline.Counts reuse = RaliPipeline.Counts.ZERO;
        int ran;
        private long lastPoll;
        private boolean cancelSeen;

        State(ProjectStore store, SweepRecords rec, long sweepId, EarlyStopRule rule, TaskContext ctx) {
            this.store = store;
            this.rec = rec;
            this.sweepId = sweepId;
            this.rule = rule;
            this.ctx = ctx;
        }

        void loadFinishedCurves() throws Exception {
            Runs runs = new Runs(store);
            for (SweepRecords.Point p : rec.points(sweepId)) {
                if (p.status().equals(SweepRecords.DONE)) {
                    warm.add(upstream(p.paramsJson()));
                    if (p.runId() != null) {
                        finishedCurves.add(curve(runs.metrics(p.runId()).get(VAL_METRIC)));
                    }
                }
            }
        }

        static Map<Long, Double> curve(List<Runs.MetricPoint> pts) {
            Map<Long, Double> m = new LinkedHashMap<>();
            if (pts != null) {
                pts.forEach(x -> m.put(x.step(), x.value()));
            }
            return m;
        }

        /** Whether the whole sweep was cancelled (checked in the rows at most once a second). */
        synchronized boolean sweepCancelled() throws java.io.IOException {
            if (cancelSeen) {
                return true;
            }
            String s = rec.get(sweepId).status();
            cancelSeen = s.equals(SweepRecords.CANCELLING) || s.equals(SweepRecords.CANCELLED);
            return cancelSeen;
        }

        void runPoint(SweepRecords.Point point) throws Exception {
            PipelineParams params = PipelineParams.fromJson(point.paramsJson());
            RaliPipeline pipeline = new RaliPipeline(); // its own counters: what this point reused
            AtomicBoolean pruned = new AtomicBoolean();
            AtomicBoolean stopRequested = new AtomicBoolean();
            Map<Long, Double> valCurve = new ConcurrentHashMap<>();
            double[] headVal = {Double.NaN};
            String tag = "point " + point.index();
            ctx.log("sweep " + sweepId + ": " + tag + " " + point.assignmentJson() + " seed " + point.seed());
            long[] lastCheck = {0};
            TaskContext pctx = new TaskContext() {
                @Override
                public void progress(String phase, long done, long total, String message) {
                    ctx.progress(tag + " " + phase, done, total, message);
                }

                @Override
                public void log(String line) {
                    ctx.log(tag + ": " + line);
                }

                @Override
                public void metric(String name, long step, double value) {
                    ctx.metric(pointMetric(point.index(), name), step, value);
                    if (name.equals(VAL_METRIC)) {
                        valCurve.put(step, value);
                        if (rule.prune(step, value, List.copyOf(finishedCurves))) {
                            pruned.set(true);
                        }
                    } else if (name.equals(HEAD_VAL_METRIC)) {
                        headVal[0] = value;
                    }
                }

                @Override
                public boolean isCancelled() {
                    if (pruned.get() || stopRequested.get() || ctx.isCancelled()) {
                        return true;
                    }
                    long now = System.nanoTime();
                    if (now - lastCheck[0] > 1_000_000_000L) { // the rows are polled at most once a second
                        lastCheck[0] = now;
                        try {
                            stopRequested.set(rec.cancelRequested(point.id()));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    return stopRequested.get();
                }
            };
            long t0 = System.nanoTime();
            RaliPipeline.Counts before = pipeline.reuse().snapshot();
            String status;
            String message;
            Double plcc = null;
            Double srcc = null;
            try {
                RaliPipeline.Outcome o = pipeline.execute(store, "all", params, pctx, id -> {
                    try {
                        rec.linkRun(point.id(), id);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                plcc = o.results().average().plcc();
                srcc = o.results().average().srcc();
                status = SweepRecords.DONE;
                message = String.format("run %d: test PLCC %.4f SRCC %.4f", o.runId(), plcc, srcc);
            } catch (CancelledException e) {
                if (pruned.get()) {
                    status = SweepRecords.PRUNED;
                    message = "stopped early: validation PLCC below the median of finished points (median rule)";
                } else if (stopRequested.get()) {
                    status = SweepRecords.CANCELLED;
                    message = sweepCancelled() ? "sweep cancelled" : "point cancelled";
                } else {
                    // The user stopped the whole process (Ctrl-C, the app's cancel): the point goes back to the
                    // queue and resume continues its run from the pipeline's checkpoints.
                    rec.requeueUnfinished(sweepId);
                    throw e;
                }
            } catch (Exception e) {
                status = SweepRecords.FAILED;
                message = String.valueOf(e.getMessage());
                ctx.log("sweep " + sweepId + ": " + tag + " failed: " + message);
            }
            RaliPipeline.Counts used = pipeline.reuse().snapshot().minus(before);
            double val = lastValue(valCurve, headVal[0]);
            double seconds = (System.nanoTime() - t0) / 1e9;
            rec.finishPoint(point.id(), status, val, plcc, srcc, reuseJson(used), seconds, message);
            synchronized (this) {
                ran++;
                reuse = reuse.plus(used);
            }
            if (status.equals(SweepRecords.DONE)) {
                finishedCurves.add(new LinkedHashMap<>(valCurve));
                warm.add(upstream(point.paramsJson()));
            }
            ctx.log(String.format("sweep %d: %s %s in %.1f s (%s)", sweepId, tag, status, seconds, message));
        }

        private static double lastValue(Map<Long, Double> curve, double fallback) {
            return curve.entrySet().stream().max(Map.Entry.comparingByKey()).map(Map.Entry::getValue)
                    .orElse(fallback);
        }
    }

    /** What a point reused, as stored in {@code sweep_points.reuse_json}. */
    static String reuseJson(RaliPipeline.Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("align_hits", c.alignHits());
        m.put("align_misses", c.alignMisses());
        m.put("embed_hits", c.embedHits());
        m.put("embed_misses", c.embedMisses());
        m.put("head_hits", c.headHits());
        m.put("head_misses", c.headMisses());
        return SweepSpec.json(m);
    }

    /** Reads {@link #reuseJson} back ({@link RaliPipeline.Counts#ZERO} for null). */
    public static RaliPipeline.Counts reuseOf(String json) {
        if (json == null) {
            return RaliPipeline.Counts.ZERO;
        }
        try {
            var n = SweepSpec.JSON.readTree(json);
            return new RaliPipeline.Counts(n.path("align_hits").asLong(), n.path("align_misses").asLong(),
                    n.path("embed_hits").asLong(), n.path("embed_misses").asLong(), n.path("head_hits").asLong(),
                    n.path("head_misses").asLong());
        } catch (java.io.IOException e) {
            return RaliPipeline.Counts.ZERO;
        }
    }
}
