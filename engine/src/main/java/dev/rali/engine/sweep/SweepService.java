package dev.rali.engine.sweep;

import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.task.TaskContext;

import java.util.List;
import java.util.Map;

/**
 * Sweeps as one service for the desktop app (the CLI calls the same classes): define and queue, run or resume the
 * queue, cancel, read the report and the points' curves, save the best setting as a preset.
 */
public interface SweepService {

    /** A point's metric as a running sweep forwards it to the caller's context. */
    record PointMetric(int point, String name) { }

    /** The name a point's metric is forwarded under: {@code p<index>:<name>}. */
    static String pointMetric(int point, String name) {
        return "p" + point + ":" + name;
    }

    /** Parses a name written by {@link #pointMetric}; empty for any other metric name. */
    static java.util.Optional<PointMetric> parsePointMetric(String name) {
        int colon = name.indexOf(':');
        if (!name.startsWith("p") || colon < 2) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new PointMetric(Integer.parseInt(name.substring(1, colon)),
                    name.substring(colon + 1)));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** Stores the sweep and queues its points; returns its id. */
    long create(ProjectStore store, SweepSpec spec) throws Exception;

    /** Runs (or resumes) the sweep's queue; see {@link SweepRunner#run}. */
    SweepRunner.Summary run(ProjectStore store, long sweepId, int parallel, boolean resumeCancelled, TaskContext ctx)
            throws Exception;

    /** Cancels the sweep, or only one point when {@code point} is not null. */
    void cancel(ProjectStore store, long sweepId, Integer point) throws Exception;

    /** The project's sweeps, newest first. */
    List<SweepRecords.Sweep> list(ProjectStore store) throws Exception;

    SweepReport report(ProjectStore store, long sweepId) throws Exception;

    /**
     * Each point's recorded metric series (point index → metric name → steps), for the overlaid curves; a point that
     * found its head or aligned encoder finished shows the curves of the run that trained it ({@link #pointCurves}).
     */
    Map<Integer, Map<String, List<Runs.MetricPoint>>> curves(ProjectStore store, long sweepId) throws Exception;

    /** What each artifact's training records: a run that reused the artifact has none of these curves itself. */
    Map<String, List<String>> STAGE_METRICS = Map.of("head", List.of("score_definition/", "head/", "pca/", "bases/"),
            "encoder", List.of("align/"));

    /**
     * A run's metric series, with the curves of the stages it reused (its head or aligned encoder found finished in
     * the hashed work folder, so nothing trained) taken from the run that computed that artifact.
     */
    static Map<String, List<Runs.MetricPoint>> pointCurves(Runs runs, long runId) throws java.sql.SQLException {
        Map<String, List<Runs.MetricPoint>> out = new java.util.LinkedHashMap<>(runs.metrics(runId));
        for (Map.Entry<String, List<String>> stage : STAGE_METRICS.entrySet()) {
            var from = runs.producer(runId, stage.getKey());
            if (from.isEmpty()) {
                continue;
            }
            runs.metrics(from.get()).forEach((name, pts) -> {
                if (stage.getValue().stream().anyMatch(name::startsWith)) {
                    out.putIfAbsent(name, pts);
                }
            });
        }
        return out;
    }

    /** Saves the best setting by {@code metric} as a preset; returns where it came from. */
    String saveBestPreset(ProjectStore store, long sweepId, String name, String metric) throws Exception;

    /** A saved preset's parameters. */
    PipelineParams preset(ProjectStore store, String name) throws Exception;

    /** The project's default implementation. */
    static SweepService engine() {
        return new SweepService() {
            @Override
            public long create(ProjectStore store, SweepSpec spec) throws Exception {
                return SweepRunner.create(store, spec);
            }

            @Override
            public SweepRunner.Summary run(ProjectStore store, long sweepId, int parallel, boolean resumeCancelled,
                                           TaskContext ctx) throws Exception {
                return new SweepRunner().run(store, sweepId, parallel, resumeCancelled, ctx);
            }

            @Override
            public void cancel(ProjectStore store, long sweepId, Integer point) throws Exception {
                if (point == null) {
                    new SweepRecords(store).cancelSweep(sweepId);
                } else {
                    new SweepRecords(store).cancelPoint(sweepId, point);
                }
            }

            @Override
            public List<SweepRecords.Sweep> list(ProjectStore store) throws Exception {
                return new SweepRecords(store).list();
            }

            @Override
            public SweepReport report(ProjectStore store, long sweepId) throws Exception {
                return SweepReport.of(store, sweepId);
            }

            @Override
            public Map<Integer, Map<String, List<Runs.MetricPoint>>> curves(ProjectStore store, long sweepId)
                    throws Exception {
                Map<Integer, Map<String, List<Runs.MetricPoint>>> out = new java.util.LinkedHashMap<>();
                Runs runs = new Runs(store);
                for (SweepRecords.Point p : new SweepRecords(store).points(sweepId)) {
                    if (p.runId() != null) {
                        out.put(p.index(), pointCurves(runs, p.runId()));
                    }
                }
                return out;
            }

            @Override
            public String saveBestPreset(ProjectStore store, long sweepId, String name, String metric)
                    throws Exception {
                return SweepPresets.saveBest(store, sweepId, name, null, metric);
            }

            @Override
            public PipelineParams preset(ProjectStore store, String name) throws Exception {
                return SweepPresets.load(store, name);
            }
        };
    }
}
