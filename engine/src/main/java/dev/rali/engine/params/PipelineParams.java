package dev.rali.engine.params;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.rali.RaliParams;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of one pipeline run, immutable and typed: one value per {@link ParamKeys} key, grouped in the
 * sections {@code data}, {@code encoder}, {@code alignment}, {@code compression}, {@code bases},
 * {@code scoreDefinition}, {@code evaluate}, {@code run}. The CLI ({@code --set}, {@code --params},
 * {@code train-head}), the desktop app's form and sweeps all build it the same way: start from {@link #defaults()}
 * or {@link #ablation(String)}, then {@link #with(String, String)} per key; each step returns a new instance and
 * refuses an unknown key (suggesting the nearest), a wrong type or a value out of range, naming the key.
 * <p>
 * JSON ({@link #toJson()}, {@link #fromJson(String)}, {@link #toMap()}, {@link #fromMap(Map)}) is nested by section;
 * reading it maps the key spellings of older versions (stored run params) to today's ({@link ParamKeys#migrate}).
 * The paper stages receive their settings as {@link RaliParams} ({@link #rali()}).
 */
public final class PipelineParams {

    /** Section {@code data}: which datasets and splits a run uses. */
    public record Data(String scoreDataset, List<String> alignDatasets, String trainSplit, String valSplit) { }

    /**
     * Section {@code data}, the traces that align the encoder: the sources (empty = every one), which parses
     * ({@code OK} or {@code REASONING}) and whether the audit's "wrong" verdicts are left out.
     */
    public record Traces(List<String> sources, String status, boolean excludeWrong) { }

    /** Section {@code encoder}: the CLIP to start from and where it runs. */
    public record Encoder(String base, String device, int embedBatch, String precision) { }

    /**
     * Section {@code evaluate}: bootstrap resamples; which datasets are evaluated (empty = every one with MOS); the
     * score dataset's test split; whether the other datasets use that split too instead of being tested whole.
     */
    public record Evaluate(int bootstrap, List<String> datasets, String testSplit, boolean crossDatasetSplit) { }

    /** Section {@code run}: the seed of every random choice and the Table 4 case's label. */
    public record Run(long seed, String ablation) { }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PipelineParams DEFAULTS;

    static {
        Map<String, Object> v = new LinkedHashMap<>();
        for (ParamKey<?> k : ParamKeys.all()) {
            v.put(k.name(), k.defaultValue());
        }
        DEFAULTS = new PipelineParams(v);
    }

    /** Dotted key → typed value, in {@link ParamKeys#all()} order. */
    private final Map<String, Object> values;

    private PipelineParams(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** The paper's method with its defaults (see {@code rali run --show-defaults}). */
    public static PipelineParams defaults() {
        return DEFAULTS;
    }

    /** The settings of one Table 4 ablation case ({@link RaliParams#ablation}); everything else at its default. */
    public static PipelineParams ablation(String name) {
        return DEFAULTS.withRali(RaliParams.ablation(name));
    }

    // ---- reading ----

    public <T> T get(ParamKey<T> key) {
        return key.cast(values.get(key.name()));
    }

    /** The value of a dotted key; unknown keys throw {@link ParamException}. */
    public Object get(String key) {
        return values.get(ParamKeys.get(key).name());
    }

    public Data data() {
        return new Data(get(ParamKeys.SCORE_DATASET), get(ParamKeys.ALIGN_DATASETS), get(ParamKeys.TRAIN_SPLIT),
                get(ParamKeys.VAL_SPLIT));
    }

    public Traces traces() {
        return new Traces(get(ParamKeys.TRACE_SOURCES), get(ParamKeys.TRACE_STATUS), get(ParamKeys.EXCLUDE_WRONG_TRACES));
    }

    public Encoder encoder() {
        return new Encoder(get(ParamKeys.ENCODER_BASE), get(ParamKeys.DEVICE), get(ParamKeys.EMBED_BATCH),
                get(ParamKeys.PRECISION));
    }

    public Evaluate evaluate() {
        return new Evaluate(get(ParamKeys.BOOTSTRAP), get(ParamKeys.EVAL_DATASETS), get(ParamKeys.TEST_SPLIT),
                get(ParamKeys.CROSS_DATASET_SPLIT));
    }

    public Run run() {
        return new Run(get(ParamKeys.SEED), get(ParamKeys.ABLATION));
    }

    /**
     * A fresh copy of the paper stages' settings (sections alignment, compression, bases, scoreDefinition and
     * run.seed/run.ablation) as the stage code takes them.
     */
    public RaliParams rali() {
        RaliParams r = new RaliParams();
        for (ParamKey<?> k : ParamKeys.all()) {
            k.writeInto(r, values.get(k.name()));
        }
        return r;
    }

    // ---- changing (every method returns a new instance) ----

    /** A copy with one key set from text (CLI {@code --set}, a form field), parsed by the key's type. */
    public PipelineParams with(String key, String text) {
        ParamKey<?> k = ParamKeys.get(key);
        return put(k, k.parse(text));
    }

    /** A copy with one key set to a typed value (range-checked). */
    public <T> PipelineParams with(ParamKey<T> key, T value) {
        key.check(value);
        return put(key, value);
    }

    /** A copy with one key set from a JSON value (number, boolean, text, list of names). */
    public PipelineParams withValue(String key, Object jsonValue) {
        ParamKey<?> k = ParamKeys.get(key);
        return put(k, k.coerce(jsonValue));
    }

    /** A copy with every paper-stage key (and run.seed/run.ablation) taken from {@code r}. */
    public PipelineParams withRali(RaliParams r) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        for (ParamKey<?> k : ParamKeys.all()) {
            if (k.isRali()) {
                Object value = k.readFrom(r);
                check(k, value);
                v.put(k.name(), value);
            }
        }
        return new PipelineParams(v);
    }

    /**
     * A copy with the entries of {@code map} applied: nested by section ({@code {"bases": {"count": 100}}}) or
     * dotted ({@code {"bases.count": 100}}); older spellings are migrated. Unknown sections and keys, wrong types
     * and values out of range throw {@link ParamException} naming the key.
     */
    public PipelineParams withAll(Map<String, ?> map) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        for (Map.Entry<String, ?> e : map.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (value instanceof Map<?, ?> section && !name.contains(".")) {
                if (!ParamKeys.SECTIONS.contains(name)) {
                    throw new ParamException("unknown parameter section '" + name + "'; did you mean '"
                            + nearestSection(name) + "'? (sections: " + String.join(", ", ParamKeys.SECTIONS) + ")");
                }
                for (Map.Entry<?, ?> leaf : section.entrySet()) {
                    ParamKey<?> k = ParamKeys.get(ParamKeys.migrate(name + "." + leaf.getKey()));
                    v.put(k.name(), k.coerce(leaf.getValue()));
                }
            } else {
                if (ParamKeys.SECTIONS.contains(name)) {
                    throw new ParamException("parameter section '" + name + "' must be an object of keys, got "
                            + value);
                }
                ParamKey<?> k = ParamKeys.get(ParamKeys.migrate(name));
                v.put(k.name(), k.coerce(value));
            }
        }
        return new PipelineParams(v).validate();
    }

    /** The defaults with {@code map} applied ({@link #withAll}). */
    public static PipelineParams fromMap(Map<String, ?> map) {
        return DEFAULTS.withAll(map);
    }

    /** Parses JSON (nested by section; older spellings migrated); missing keys keep their defaults. */
    public static PipelineParams fromJson(String json) {
        return DEFAULTS.withAll(parseJson(json));
    }

    /** The JSON object as a map, for {@link #withAll}; malformed JSON throws {@link ParamException}. */
    public static Map<String, Object> parseJson(String json) {
        try {
            Map<String, Object> m = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            if (m == null) {
                throw new ParamException("parameters: empty JSON");
            }
            return m;
        } catch (JsonProcessingException e) {
            throw new ParamException("parameters: malformed JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Checks what single keys cannot: bases.scoreMin &lt; bases.scoreMax, and a PLCC loss needs batches of at
     * least two. Returns this.
     */
    public PipelineParams validate() {
        double lo = get(ParamKeys.SCORE_MIN);
        double hi = get(ParamKeys.SCORE_MAX);
        if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(hi > lo)) {
            throw new ParamException("bases.scoreMax: " + hi + " must be above bases.scoreMin (" + lo + ")");
        }
        if (get(ParamKeys.LOSS) == RaliParams.Loss.PLCC && get(ParamKeys.SCORE_DEFINITION_BATCH) < 2) {
            throw new ParamException("scoreDefinition.batchSize: the PLCC loss needs batches of at least 2, got "
                    + get(ParamKeys.SCORE_DEFINITION_BATCH));
        }
        return this;
    }

    // ---- writing ----

    /** Nested by section, in form order; enums as their names, lists as lists (for JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamKey<?> k : ParamKeys.all()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> sec = (Map<String, Object>) out.computeIfAbsent(k.section(),
                    s -> new LinkedHashMap<String, Object>());
            sec.put(k.leaf(), k.toJsonValue(values.get(k.name())));
        }
        return out;
    }

    /** Dotted key → typed value, in form order. */
    public Map<String, Object> flat() {
        return values;
    }

    /** Compact JSON, nested by section (what a run records). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Indented JSON, nested by section (for files a user edits). */
    public String toPrettyJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toMap());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The dotted keys whose values differ from {@code other}'s, in form order. */
    public List<String> changedFrom(PipelineParams other) {
        List<String> out = new ArrayList<>();
        values.forEach((k, v) -> {
            if (!v.equals(other.values.get(k))) {
                out.add(k);
            }
        });
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PipelineParams p && p.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }

    private PipelineParams put(ParamKey<?> k, Object value) {
        Map<String, Object> v = new LinkedHashMap<>(values);
        v.put(k.name(), value);
        return new PipelineParams(v);
    }

    private static <T> void check(ParamKey<T> k, Object value) {
        k.check(k.cast(value));
    }

    private static String nearestSection(String name) {
        String best = ParamKeys.SECTIONS.get(0);
        for (String s : ParamKeys.SECTIONS) {
            if (ParamKeys.distance(name.toLowerCase(), s.toLowerCase())
                    < ParamKeys.distance(name.toLowerCase(), best.toLowerCase())) {
                best = s;
            }
        }
        return best;
    }
}
