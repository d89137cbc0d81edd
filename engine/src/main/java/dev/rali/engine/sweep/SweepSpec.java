package dev.rali.engine.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.clip.ClipConfig;
import dev.rali.engine.eval.PaperTables;
import dev.rali.engine.params.ParamException;
import dev.rali.engine.params.ParamKey;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectSettings;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.SweepRecords;
import dev.rali.engine.rali.RaliParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A sweep definition: base parameters, the settings to try (a grid, random draws from a space, or one of the paper
 * presets), seeds per setting and the early-stop rule. Everything is parsed and checked through the one parameter
 * model ({@link ParamKeys}, {@link PipelineParams}) when the spec is built, so an unknown key, a wrong type or a
 * value out of range fails with the key's name (and a did-you-mean) before any point is queued or any work starts.
 *
 * <p>Seeds: setting × seed i (i = 0 … seeds−1) runs with {@code run.seed} = base seed + i.
 */
public final class SweepSpec {
    static final ObjectMapper JSON = new ObjectMapper();

    /** How the settings were chosen. */
    public enum Kind { GRID, RANDOM, TABLE4, TABLEA5;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace("tablea5", "tableA5");
        }
    }

    /**
     * The median rule (as in Google Vizier / Optuna's MedianPruner): a point whose validation PLCC at epoch e of the
     * score-definition fit is below the median of the finished points' values at epoch e is stopped ("pruned"),
     * once at least {@code minFinished} points finished and e ≥ {@code warmupEpochs}.
     */
    public record EarlyStop(boolean enabled, int minFinished, int warmupEpochs) {
        public static final EarlyStop OFF = new EarlyStop(false, 3, 10);

        public EarlyStop {
            if (minFinished < 1 || warmupEpochs < 0) {
                throw new IllegalArgumentException("early stop: minFinished must be >= 1 and warmupEpochs >= 0");
            }
        }
    }

    /** One setting: the swept keys' values (JSON-ready), its full parameters, and the paper case it stands for. */
    public record Setting(Map<String, Object> assignment, PipelineParams params, Integer paperCase, String label) { }

    private final String name;
    private final Kind kind;
    private final PipelineParams base;
    private final List<Setting> settings;
    private final int seeds;
    private final EarlyStop earlyStop;
    private final String definition;
    private final String scalingRule;

    private SweepSpec(String name, Kind kind, PipelineParams base, List<Setting> settings, int seeds,
                      EarlyStop earlyStop, String definition, String scalingRule) {
        if (seeds < 1 || seeds > 100) {
            throw new IllegalArgumentException("--seeds must be between 1 and 100, got " + seeds);
        }
        if (settings.isEmpty()) {
            throw new IllegalArgumentException("the sweep has no settings");
        }
        this.name = name;
        this.kind = kind;
        this.base = base;
        this.settings = List.copyOf(settings);
        this.seeds = seeds;
        this.earlyStop = earlyStop;
        this.definition = definition;
        this.scalingRule = scalingRule;
        for (Setting s : settings) { // every point is checked before anything is queued
            for (int i = 0; i < seeds; i++) {
                PipelineParams p = withSeed(s.params(), i);
                p.validate();
                try {
                    p.rali().validate();
                } catch (IllegalArgumentException e) {
                    throw new ParamException("setting " + s.assignment() + ": " + e.getMessage());
                }
            }
        }
    }

    // ---- building ----

    /**
     * A grid: {@code "compression.dim=8,16;bases.count=10,20"} (keys separated by ';', values by ','); every
     * combination, the first key varying slowest.
     */
    public static SweepSpec grid(String name, PipelineParams base, String grid, int seeds, EarlyStop es) {
        Map<String, List<Object>> axes = parseGrid(grid);
        List<Map<String, Object>> combos = new ArrayList<>();
        combos.add(new LinkedHashMap<>());
        for (var axis : axes.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> c : combos) {
                for (Object v : axis.getValue()) {
                    Map<String, Object> m = new LinkedHashMap<>(c);
                    m.put(axis.getKey(), v);
                    next.add(m);
                }
            }
            combos = next;
        }
        if (combos.size() > 10_000) {
            throw new IllegalArgumentException("the grid has " + combos.size() + " settings; at most 10000");
        }
        List<Setting> settings = combos.stream().map(m -> setting(base, m, null, null)).toList();
        return new SweepSpec(name, Kind.GRID, base, settings, seeds, es, grid, null);
    }

    /** The grid's axes: dotted key → typed values, in the order given; errors name the key and the value. */
    static Map<String, List<Object>> parseGrid(String grid) {
        if (grid == null || grid.isBlank()) {
            throw new ParamException("--grid: empty; expected e.g. \"compression.dim=8,16;bases.count=10,20\"");
        }
        Map<String, List<Object>> axes = new LinkedHashMap<>();
        for (String part : grid.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new ParamException("--grid: '" + part.strip() + "' is not key=v1,v2,...");
            }
            String keyName = ParamKeys.migrate(part.substring(0, eq).strip());
            ParamKey<?> key = ParamKeys.get(keyName); // unknown key: did-you-mean
            if (key.type() == ParamKey.Type.TEXT_LIST) {
                throw new ParamException("--grid: " + key.name() + " is a list; sweep it with --random --space "
                        + "(a JSON list of lists)");
            }
            if (axes.containsKey(key.name())) {
                throw new ParamException("--grid: " + key.name() + " is given twice");
            }
            List<Object> values = new ArrayList<>();
            for (String v : part.substring(eq + 1).split(",")) {
                if (v.isBlank()) {
                    throw new ParamException("--grid: " + key.name() + " has an empty value");
                }
                Object typed = key.toJsonValue(key.parse(v.strip()));
                if (values.contains(typed)) {
                    throw new ParamException("--grid: " + key.name() + " lists " + v.strip() + " twice");
                }
                values.add(typed);
            }
            axes.put(key.name(), values);
        }
        if (axes.isEmpty()) {
            throw new ParamException("--grid: no key=values given");
        }
        return axes;
    }

    /**
     * {@code n} settings drawn from {@code spaceJson} with a seeded generator: {@code {"compression.dim": [8, 16,
     * 32], "scoreDefinition.lr": {"min": 0.001, "max": 0.1, "log": true}, "bases.count": {"min": 5, "max": 40}}} —
     * a list is a choice, an object a range (integers for integer keys; {@code log} draws log-uniformly).
     */
    public static SweepSpec random(String name, PipelineParams base, int n, String spaceJson, String source,
                                   long drawSeed, int seeds, EarlyStop es) {
        if (n < 1 || n > 10_000) {
            throw new IllegalArgumentException("--random must be between 1 and 10000, got " + n);
        }
        Map<String, Object> raw;
        try {
            raw = PipelineParams.parseJson(spaceJson);
        } catch (ParamException e) {
            throw new ParamException(source + ": " + e.getMessage());
        }
        if (raw.isEmpty()) {
            throw new ParamException(source + ": the space names no parameter");
        }
        List<Dimension> dims = new ArrayList<>();
        for (var e : raw.entrySet()) {
            ParamKey<?> key;
            try {
                key = ParamKeys.get(ParamKeys.migrate(e.getKey()));
            } catch (ParamException x) {
                throw new ParamException(source + ": " + x.getMessage());
            }
            dims.add(Dimension.of(key, e.getValue(), source));
        }
        Random rnd = new Random(drawSeed);
        List<Setting> settings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Dimension d : dims) {
                m.put(d.key().name(), d.draw(rnd));
            }
            settings.add(setting(base, m, null, null));
        }
        return new SweepSpec(name, Kind.RANDOM, base, settings, seeds, es, spaceJson, null);
    }

    /** One dimension of a random space: a list of choices or a numeric range. */
    record Dimension(ParamKey<?> key, List<Object> choices, double min, double max, boolean log) {
        static Dimension of(ParamKey<?> key, Object spec, String source) {
            String where = source + ": " + key.name();
            if (spec instanceof List<?> list) {
                if (list.isEmpty()) {
                    throw new ParamException(where + ": empty list of choices");
                }
                List<Object> typed = new ArrayList<>();
                for (Object o : list) {
                    try {
                        typed.add(key.toJsonValue(key.coerce(o)));
                    } catch (ParamException e) {
                        throw new ParamException(source + ": " + e.getMessage());
                    }
                }
                return new Dimension(key, typed, 0, 0, false);
            }
            if (spec instanceof Map<?, ?> range) {
                boolean integer = key.type() == ParamKey.Type.INT || key.type() == ParamKey.Type.LONG;
                if (!integer && key.type() != ParamKey.Type.DOUBLE) {
                    throw new ParamException(where + ": a range needs a numeric key (this one is "
                            + key.describeType() + "); give a list of choices");
                }
                for (Object k : range.keySet()) {
                    if (!List.of("min", "max", "log").contains(String.valueOf(k))) {
                        throw new ParamException(where + ": unknown range field '" + k + "' (min, max, log)");
                    }
                }
                if (!(range.get("min") instanceof Number lo) || !(range.get("max") instanceof Number hi)) {
                    throw new ParamException(where + ": a range needs numbers \"min\" and \"max\"");
                }
                boolean log = Boolean.TRUE.equals(range.get("log"));
                if (!(hi.doubleValue() > lo.doubleValue())) {
                    throw new ParamException(where + ": max (" + hi + ") must be above min (" + lo + ")");
                }
                if (log && lo.doubleValue() <= 0) {
                    throw new ParamException(where + ": a log range needs min > 0, got " + lo);
                }
                // both ends must be valid values of the key
                for (Number end : List.of(lo, hi)) {
                    try {
                        key.coerce(integer ? (Object) Math.round(end.doubleValue()) : (Object) end.doubleValue());
                    } catch (ParamException e) {
                        throw new ParamException(source + ": " + e.getMessage());
                    }
                }
                return new Dimension(key, null, lo.doubleValue(), hi.doubleValue(), log);
            }
            throw new ParamException(where + ": expected a list of choices or {\"min\":…, \"max\":…}, got " + spec);
        }

        Object draw(Random rnd) {
            if (choices != null) {
                return choices.get(rnd.nextInt(choices.size()));
            }
            double u = rnd.nextDouble();
            double v = log ? Math.exp(Math.log(min) + u * (Math.log(max) - Math.log(min))) : min + u * (max - min);
            if (key.type() == ParamKey.Type.INT || key.type() == ParamKey.Type.LONG) {
                long l = Math.max(Math.round(min), Math.min(Math.round(max), Math.round(v)));
                return key.toJsonValue(key.coerce(l));
            }
            return key.toJsonValue(key.coerce(v));
        }
    }

    /**
     * Paper preset "Table 4 ablations": the base parameters with each of the six cases' settings applied
     * ({@link RaliParams#ABLATIONS}, the keys {@code rali run --ablation} changes).
     */
    public static SweepSpec table4(String name, PipelineParams base, int seeds, EarlyStop es) {
        List<Setting> settings = new ArrayList<>();
        for (String a : RaliParams.ABLATIONS) {
            PipelineParams ablated = PipelineParams.ablation(a);
            Map<String, Object> m = new LinkedHashMap<>();
            for (String k : ablated.changedFrom(PipelineParams.defaults())) {
                m.put(k, ParamKeys.get(k).toJsonValue(ablated.get(k)));
            }
            m.put(ParamKeys.ABLATION.name(), a);
            settings.add(setting(base, m, PaperTables.TABLE4_CASES.get(a), a));
        }
        return new SweepSpec(name, Kind.TABLE4, base, settings, seeds, es, "paper Table 4: " + RaliParams.ABLATIONS,
                null);
    }

    /**
     * The base encoder's embedding width (its config's projection_dim), the cap on the Table A.5 preset's PCA M: the
     * base parameters' {@code encoder.base}, else the project's base encoder. 0 when neither names a readable CLIP
     * folder yet (then M is not capped). The CLI and the Sweeps view both call this, so their presets agree.
     */
    public static int embeddingDim(ProjectStore store, PipelineParams base) {
        try {
            Optional<Path> enc = new ProjectSettings(store).baseEncoder(base);
            return enc.isEmpty() ? 0 : ClipConfig.read(enc.get().resolve("config.json")).projectionDim();
        } catch (Exception unreadable) {
            return 0; // no encoder yet (or not a CLIP folder): the pipeline reports that when it runs
        }
    }

    /**
     * Paper preset "Table A.5 sweep": the paper's ten cases (score definition on/off × PCA M × bases K × buckets N)
     * scaled to the project by the ratio of the base setting to the paper's chosen case 8 (M 512, K 250, N 240):
     * M' = round(M × M₀/512), K' = round(K × K₀/250), N' = round(N × N₀/240), each at least 2, M' at most the
     * embedding dimension. With the demo's base (16 / 20 / 15) case 1 (256 / 100 / 90) becomes 8 / 8 / 6.
     */
    public static SweepSpec tableA5(String name, PipelineParams base, int embeddingDim, int seeds, EarlyStop es) {
        int m0 = base.get(ParamKeys.COMPRESSION_DIM);
        int k0 = base.get(ParamKeys.BASES_COUNT);
        int n0 = base.get(ParamKeys.BUCKETS);
        List<Setting> settings = new ArrayList<>();
        for (PaperTables.A5Point p : PaperTables.paperTableA5()) {
            int m = Math.max(2, (int) Math.round(p.dim() * m0 / 512.0));
            if (embeddingDim > 0) {
                m = Math.min(m, embeddingDim);
            }
            int k = Math.max(2, (int) Math.round(p.bases() * k0 / 250.0));
            int n = Math.max(2, (int) Math.round(p.buckets() * n0 / 240.0));
            Map<String, Object> a = new LinkedHashMap<>();
            a.put(ParamKeys.SCORE_DEFINITION_ENABLED.name(), p.scoreDefinition());
            a.put(ParamKeys.COMPRESSION_DIM.name(), m);
            a.put(ParamKeys.BASES_COUNT.name(), k);
            a.put(ParamKeys.BUCKETS.name(), n);
            settings.add(setting(base, a, p.paperCase(), "case " + p.paperCase()));
        }
        String rule = String.format(Locale.ROOT, "the paper's M / K / N scaled by this project's base setting over "
                + "the paper's chosen case 8 (512 / 250 / 240): M × %d/512, K × %d/250, N × %d/240, rounded, at least "
                + "2%s", m0, k0, n0, embeddingDim > 0 ? ", M at most the embedding dimension " + embeddingDim : "");
        return new SweepSpec(name, Kind.TABLEA5, base, settings, seeds, es, "paper Table A.5", rule);
    }

    private static Setting setting(PipelineParams base, Map<String, Object> assignment, Integer paperCase,
                                   String label) {
        PipelineParams p = base;
        for (var e : assignment.entrySet()) {
            p = p.withValue(e.getKey(), e.getValue());
        }
        return new Setting(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(assignment)), p, paperCase, label);
    }

    // ---- reading ----

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public PipelineParams base() {
        return base;
    }

    public List<Setting> settings() {
        return settings;
    }

    public int seeds() {
        return seeds;
    }

    public EarlyStop earlyStop() {
        return earlyStop;
    }

    /** The rule that scaled the paper's values to the project (Table A.5 preset), or null. */
    public String scalingRule() {
        return scalingRule;
    }

    /** Number of points: settings × seeds. */
    public int size() {
        return settings.size() * seeds;
    }

    /** A setting's parameters for seed index {@code i}: run.seed = base seed + i. */
    static PipelineParams withSeed(PipelineParams p, int i) {
        return p.with(ParamKeys.SEED, p.get(ParamKeys.SEED) + i);
    }

    /** The points to queue: every setting × seed, setting by setting. */
    public List<SweepRecords.NewPoint> points() {
        List<SweepRecords.NewPoint> out = new ArrayList<>();
        for (int s = 0; s < settings.size(); s++) {
            Setting st = settings.get(s);
            for (int i = 0; i < seeds; i++) {
                PipelineParams p = withSeed(st.params(), i);
                out.add(new SweepRecords.NewPoint(s, p.get(ParamKeys.SEED), json(st.assignment()), p.toJson()));
            }
        }
        return out;
    }

    /** What is stored as the sweep's {@code spec_json}: enough to show it, lay out its table and early-stop it. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind.label());
        m.put("definition", definition);
        m.put("seeds", seeds);
        m.put("early_stop", Map.of("enabled", earlyStop.enabled(), "min_finished", earlyStop.minFinished(),
                "warmup_epochs", earlyStop.warmupEpochs()));
        List<String> keys = new ArrayList<>();
        settings.forEach(s -> s.assignment().keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add));
        m.put("keys", keys);
        List<Map<String, Object>> st = new ArrayList<>();
        for (Setting s : settings) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("assignment", s.assignment());
            if (s.paperCase() != null) {
                o.put("paper_case", s.paperCase());
            }
            if (s.label() != null) {
                o.put("label", s.label());
            }
            st.add(o);
        }
        m.put("settings", st);
        if (scalingRule != null) {
            m.put("scaling_rule", scalingRule);
        }
        m.put("base", base.toMap());
        return json(m);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
