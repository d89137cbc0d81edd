package dev.rali.engine.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rali.engine.eval.PaperTables;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.pipeline.RaliPipeline;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.project.SweepRecords;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * A sweep's state and results: every point (parameters, status, figures, what it reused), the settings with mean ±
 * std over their seeds, the best setting, parameter importance and the paper-shaped table. Read from the project's
 * rows only, so the CLI, the app and a second process watching a running sweep see the same thing.
 *
 * <p>Parameter importance is the share of the metric's variance explained by each swept parameter alone (η², the
 * between-group sum of squares over the total, one-way ANOVA over the finished points grouped by the parameter's
 * value; a numeric parameter with more than five distinct values is grouped into five quantile bins). Shares of
 * parameters that interact need not add up to 1.
 */
public final class SweepReport {
    /** Metrics a setting can be ranked by. */
    public static final List<String> METRICS = List.of("val_plcc", "test_plcc", "test_srcc");

    /** One point as stored. */
    public record PointRow(int index, int setting, long seed, Map<String, Object> assignment, String status,
                           Long runId, Double valPlcc, Double testPlcc, Double testSrcc, RaliPipeline.Counts reuse,
                           Double seconds, String message) {
        public Double metric(String name) {
            return switch (name) {
                case "val_plcc" -> valPlcc;
                case "test_plcc" -> testPlcc;
                case "test_srcc" -> testSrcc;
                default -> throw new IllegalArgumentException("unknown metric '" + name + "' (" + METRICS + ")");
            };
        }
    }

    /** Mean and sample std over a setting's finished seeds (std NaN for one seed, mean NaN for none). */
    public record Stat(double mean, double std, int n) {
        static Stat of(List<Double> v) {
            List<Double> x = v.stream().filter(d -> d != null && Double.isFinite(d)).toList();
            if (x.isEmpty()) {
                return new Stat(Double.NaN, Double.NaN, 0);
            }
            double m = x.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double s = x.size() < 2 ? Double.NaN : Math.sqrt(x.stream().mapToDouble(d -> (d - m) * (d - m)).sum()
                    / (x.size() - 1));
            return new Stat(m, s, x.size());
        }

        public String format() {
            if (n == 0) {
                return "–";
            }
            return Double.isNaN(std) ? String.format(Locale.ROOT, "%.3f", mean)
                    : String.format(Locale.ROOT, "%.3f ± %.3f", mean, std);
        }
    }

    /** One setting over its seeds. */
    public record SettingRow(int setting, Map<String, Object> assignment, String label, Integer paperCase,
                             int done, int total, Stat valPlcc, Stat testPlcc, Stat testSrcc, String paramsJson) {
        public Stat metric(String name) {
            return switch (name) {
                case "val_plcc" -> valPlcc;
                case "test_plcc" -> testPlcc;
                case "test_srcc" -> testSrcc;
                default -> throw new IllegalArgumentException("unknown metric '" + name + "' (" + METRICS + ")");
            };
        }
    }

    /** A parameter's share of the metric's variance (η²). */
    public record Importance(String key, double share, int groups) { }

    private final SweepRecords.Sweep sweep;
    private final List<String> keys;
    private final List<PointRow> points;
    private final List<SettingRow> settings;
    private final String scalingRule;

    private SweepReport(SweepRecords.Sweep sweep, List<String> keys, List<PointRow> points, List<SettingRow> settings,
                        String scalingRule) {
        this.sweep = sweep;
        this.keys = keys;
        this.points = points;
        this.settings = settings;
        this.scalingRule = scalingRule;
    }

    /** The sweep's report from the project's rows. */
    public static SweepReport of(ProjectStore store, long sweepId) throws IOException {
        SweepRecords rec = new SweepRecords(store);
        SweepRecords.Sweep sweep = rec.get(sweepId);
        JsonNode spec = SweepSpec.JSON.readTree(sweep.specJson());
        List<String> keys = new ArrayList<>();
        spec.path("keys").forEach(k -> keys.add(k.asText()));
        List<PointRow> pts = new ArrayList<>();
        Map<Integer, List<SweepRecords.Point>> bySetting = new TreeMap<>();
        for (SweepRecords.Point p : rec.points(sweepId)) {
            pts.add(new PointRow(p.index(), p.setting(), p.seed(), map(p.assignmentJson()), p.status(), p.runId(),
                    p.valMetric(), p.testPlcc(), p.testSrcc(), SweepRunner.reuseOf(p.reuseJson()), p.seconds(),
                    p.message()));
            bySetting.computeIfAbsent(p.setting(), k -> new ArrayList<>()).add(p);
        }
        List<SettingRow> settings = new ArrayList<>();
        for (var e : bySetting.entrySet()) {
            List<SweepRecords.Point> ps = e.getValue();
            List<SweepRecords.Point> done = ps.stream().filter(p -> p.status().equals(SweepRecords.DONE)).toList();
            JsonNode st = spec.path("settings").path(e.getKey());
            settings.add(new SettingRow(e.getKey(), map(ps.get(0).assignmentJson()),
                    st.hasNonNull("label") ? st.get("label").asText() : null,
                    st.hasNonNull("paper_case") ? st.get("paper_case").asInt() : null, done.size(), ps.size(),
                    Stat.of(done.stream().map(SweepRecords.Point::valMetric).toList()),
                    Stat.of(done.stream().map(SweepRecords.Point::testPlcc).toList()),
                    Stat.of(done.stream().map(SweepRecords.Point::testSrcc).toList()), ps.get(0).paramsJson()));
        }
        return new SweepReport(sweep, keys, pts, settings, spec.hasNonNull("scaling_rule")
                ? spec.get("scaling_rule").asText() : null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String json) throws IOException {
        return SweepSpec.JSON.readValue(json, LinkedHashMap.class);
    }

    public SweepRecords.Sweep sweep() {
        return sweep;
    }

    /** The swept keys, in definition order. */
    public List<String> keys() {
        return keys;
    }

    public List<PointRow> points() {
        return points;
    }

    public List<SettingRow> settings() {
        return settings;
    }

    public String scalingRule() {
        return scalingRule;
    }

    /** Reuse over all points. */
    public RaliPipeline.Counts reuse() {
        RaliPipeline.Counts c = RaliPipeline.Counts.ZERO;
        for (PointRow p : points) {
            c = c.plus(p.reuse());
        }
        return c;
    }

    /**
     * The best setting by the mean of {@code metric} over its finished seeds (higher is better). The default,
     * validation PLCC, picks without looking at the test sets.
     */
    public Optional<SettingRow> best(String metric) {
        return settings.stream().filter(s -> s.metric(metric).n() > 0)
                .max(Comparator.comparingDouble(s -> s.metric(metric).mean()));
    }

    /**
     * The best setting's parameters with its first seed (what a preset saves); empty when no setting finished.
     */
    public Optional<PipelineParams> bestParams(String metric) {
        return best(metric).map(s -> PipelineParams.fromJson(s.paramsJson()));
    }

    /** Each swept parameter's share of the variance of {@code metric} over the finished points (η²), largest first. */
    public List<Importance> importance(String metric) {
        List<PointRow> done = points.stream().filter(p -> p.status().equals(SweepRecords.DONE)
                && p.metric(metric) != null && Double.isFinite(p.metric(metric))).toList();
        List<Importance> out = new ArrayList<>();
        if (done.size() < 2) {
            return out;
        }
        double mean = done.stream().mapToDouble(p -> p.metric(metric)).average().orElse(0);
        double total = done.stream().mapToDouble(p -> sq(p.metric(metric) - mean)).sum();
        for (String k : keys) {
            Map<String, List<Double>> groups = groups(done, k, metric);
            if (groups.size() < 2) {
                continue;
            }
            double between = 0;
            for (List<Double> g : groups.values()) {
                double gm = g.stream().mapToDouble(Double::doubleValue).average().orElse(0);
                between += g.size() * sq(gm - mean);
            }
            out.add(new Importance(k, total > 0 ? between / total : 0, groups.size()));
        }
        out.sort(Comparator.comparingDouble(Importance::share).reversed());
        return out;
    }

    /** Points grouped by the value of {@code key}; numeric keys with more than five values in five quantile bins. */
    private static Map<String, List<Double>> groups(List<PointRow> done, String key, String metric) {
        Map<String, List<Double>> g = new LinkedHashMap<>();
        List<Object> distinct = done.stream().map(p -> p.assignment().get(key)).distinct().toList();
        boolean numeric = distinct.stream().allMatch(v -> v instanceof Number);
        if (numeric && distinct.size() > 5) {
            double[] sorted = done.stream().mapToDouble(p -> ((Number) p.assignment().get(key)).doubleValue())
                    .sorted().toArray();
            double[] cut = new double[4];
            for (int i = 0; i < 4; i++) {
                cut[i] = sorted[(int) Math.floor((i + 1) * sorted.length / 5.0)];
            }
            for (PointRow p : done) {
                double v = ((Number) p.assignment().get(key)).doubleValue();
                int bin = 0;
                while (bin < 4 && v >= cut[bin]) {
                    bin++;
                }
                g.computeIfAbsent("bin " + bin, x -> new ArrayList<>()).add(p.metric(metric));
            }
            return g;
        }
        for (PointRow p : done) {
            g.computeIfAbsent(String.valueOf(p.assignment().get(key)), x -> new ArrayList<>()).add(p.metric(metric));
        }
        return g;
    }

    private static double sq(double x) {
        return x * x;
    }

    /**
     * The results laid out like the paper: Table 4 for the "Table 4 ablations" preset, Table A.5 for the "Table
     * A.5 sweep" preset (figures: average over the evaluated datasets, mean ± std over seeds, from each run's
     * results), otherwise one row per setting: the swept values, validation PLCC, test PLCC and SRCC (mean ± std),
     * seeds finished.
     */
    public PaperTables.Table table(ProjectStore store) throws IOException {
        String kind = sweep.kind();
        if (kind.equals(SweepSpec.Kind.TABLE4.label()) || kind.equals(SweepSpec.Kind.TABLEA5.label())) {
            Runs runs = new Runs(store);
            Map<Integer, PaperTables.Figures> figures = new LinkedHashMap<>();
            for (SettingRow s : settings) {
                List<PaperTables.RunFigures> rf = new ArrayList<>();
                for (PointRow p : points) {
                    if (p.setting() == s.setting() && p.status().equals(SweepRecords.DONE) && p.runId() != null) {
                        try {
                            rf.add(PaperTables.fromRun(runs, p.runId()));
                        } catch (java.sql.SQLException e) {
                            throw new IOException(store.file() + ": " + e.getMessage(), e);
                        }
                    }
                }
                if (!rf.isEmpty()) {
                    figures.put(s.setting(), PaperTables.RunFigures.mean(rf).average());
                }
            }
            String what = "average over the evaluated datasets of sweep " + sweep.id();
            if (kind.equals(SweepSpec.Kind.TABLE4.label())) {
                Map<String, PaperTables.Figures> v = new LinkedHashMap<>();
                settings.forEach(s -> {
                    if (figures.containsKey(s.setting())) {
                        v.put(s.label(), figures.get(s.setting()));
                    }
                });
                return PaperTables.table4(v, what, true);
            }
            List<PaperTables.A5Point> a5 = new ArrayList<>();
            for (SettingRow s : settings) {
                if (figures.containsKey(s.setting())) {
                    Map<String, Object> a = s.assignment();
                    a5.add(new PaperTables.A5Point(Boolean.TRUE.equals(a.get(ParamKeys.SCORE_DEFINITION_ENABLED.name())),
                            ((Number) a.get(ParamKeys.COMPRESSION_DIM.name())).intValue(),
                            ((Number) a.get(ParamKeys.BASES_COUNT.name())).intValue(),
                            ((Number) a.get(ParamKeys.BUCKETS.name())).intValue(), figures.get(s.setting()),
                            s.paperCase()));
                }
            }
            return PaperTables.tableA5(a5, what, scalingRule, true);
        }
        List<String> header = new ArrayList<>(List.of("setting"));
        header.addAll(keys);
        header.addAll(List.of("val PLCC", "test PLCC", "test SRCC", "seeds done"));
        List<List<PaperTables.Cell>> rows = new ArrayList<>();
        Optional<SettingRow> best = best("val_plcc");
        for (SettingRow s : settings) {
            List<PaperTables.Cell> r = new ArrayList<>();
            r.add(PaperTables.Cell.of(Integer.toString(s.setting())));
            keys.forEach(k -> r.add(PaperTables.Cell.of(String.valueOf(s.assignment().get(k)))));
            boolean isBest = best.isPresent() && best.get().setting() == s.setting();
            r.add(new PaperTables.Cell(s.valPlcc().format(), isBest ? PaperTables.Mark.BEST : PaperTables.Mark.NONE));
            r.add(PaperTables.Cell.of(s.testPlcc().format()));
            r.add(PaperTables.Cell.of(s.testSrcc().format()));
            r.add(PaperTables.Cell.of(s.done() + "/" + s.total()));
            rows.add(r);
        }
        return new PaperTables.Table("Sweep " + sweep.id() + " (" + sweep.name() + ")", header, rows, List.of(
                "val PLCC: last validation PLCC of the score-definition fit (the head's when it is off); test: PLCC "
                        + "(logistic) and SRCC averaged over the evaluated datasets; mean ± std over finished seeds. "
                        + "Bold: best validation PLCC."));
    }

    /** Everything as JSON (for {@code rali sweep show --json}). */
    public String toJson(String metric) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", sweep.id());
        m.put("name", sweep.name());
        m.put("kind", sweep.kind());
        m.put("status", sweep.status());
        m.put("message", sweep.message());
        m.put("keys", keys);
        if (scalingRule != null) {
            m.put("scaling_rule", scalingRule);
        }
        List<Map<String, Object>> ps = new ArrayList<>();
        for (PointRow p : points) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", p.index());
            o.put("setting", p.setting());
            o.put("seed", p.seed());
            o.put("params", p.assignment());
            o.put("status", p.status());
            o.put("run", p.runId());
            o.put("val_plcc", p.valPlcc());
            o.put("test_plcc", p.testPlcc());
            o.put("test_srcc", p.testSrcc());
            o.put("seconds", p.seconds());
            o.put("reuse", SweepSpec.JSON.convertValue(p.reuse(), Map.class));
            o.put("message", p.message());
            ps.add(o);
        }
        m.put("points", ps);
        List<Map<String, Object>> ss = new ArrayList<>();
        for (SettingRow s : settings) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("setting", s.setting());
            o.put("params", s.assignment());
            if (s.label() != null) {
                o.put("label", s.label());
            }
            if (s.paperCase() != null) {
                o.put("paper_case", s.paperCase());
            }
            o.put("done", s.done());
            o.put("total", s.total());
            for (String k : METRICS) {
                Stat st = s.metric(k);
                o.put(k, st.n() == 0 ? null : Map.of("mean", st.mean(), "std", Double.isNaN(st.std()) ? 0 : st.std(),
                        "n", st.n()));
            }
            ss.add(o);
        }
        m.put("settings", ss);
        best(metric).ifPresent(b -> m.put("best", Map.of("by", metric, "setting", b.setting(), "params", b.assignment())));
        List<Map<String, Object>> imp = new ArrayList<>();
        importance(metric).forEach(i -> imp.add(Map.of("key", i.key(), "share", i.share(), "groups", i.groups())));
        m.put("importance", Map.of("method", "eta squared: share of the variance of " + metric
                + " explained by each parameter alone (one-way ANOVA over finished points)", "by", imp));
        m.put("reuse", SweepSpec.JSON.convertValue(reuse(), Map.class));
        return SweepSpec.json(m);
    }

    /** For sorting helpers in views: a getter as a function. */
    public static ToDoubleFunction<SettingRow> by(String metric) {
        return s -> s.metric(metric).mean();
    }
}
