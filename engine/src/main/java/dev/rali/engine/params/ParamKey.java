package dev.rali.engine.params;

import dev.rali.engine.rali.RaliParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * One pipeline parameter: its dotted name ({@code section.name}), type, default, the paper's value, help text and
 * allowed range. The one place where a parameter's text (CLI {@code --set}, a form field, a JSON value) becomes a
 * typed value; every reader goes through {@link #parse} or {@link #coerce}, so unknown spellings and out-of-range
 * values are refused the same way everywhere. Instances are immutable and listed by {@link ParamKeys#all()}.
 *
 * @param <T> Integer, Long, Double, Boolean, String, an enum, or {@code List<String>}
 */
public final class ParamKey<T> {

    /** How the value is written and parsed. */
    public enum Type {
        INT("integer"), LONG("integer"), DOUBLE("number"), BOOLEAN("true/false"), TEXT("text"),
        CHOICE("choice"), TEXT_LIST("list");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        /** A short word for the type ("integer", "number", ...). */
        public String label() {
            return label;
        }
    }

    private final String name;
    private final Type type;
    private final T defaultValue;
    private final String paperValue;
    private final String help;
    private final Double min;
    private final boolean minExclusive;
    private final Double max;
    private final boolean maxExclusive;
    private final List<String> choices;
    private final Function<String, T> choiceOf;
    private final Function<RaliParams, T> fromRali;
    private final BiConsumer<RaliParams, T> toRali;

    private ParamKey(Builder<T> b) {
        this.name = b.name;
        this.type = b.type;
        this.paperValue = b.paperValue;
        this.help = b.help;
        this.min = b.min;
        this.minExclusive = b.minExclusive;
        this.max = b.max;
        this.maxExclusive = b.maxExclusive;
        this.choices = List.copyOf(b.choices);
        this.choiceOf = b.choiceOf;
        this.fromRali = b.fromRali;
        this.toRali = b.toRali;
        // The paper stages' defaults live in RaliParams' field initialisers; read them from there, not a copy.
        this.defaultValue = fromRali != null ? fromRali.apply(new RaliParams()) : b.defaultValue;
        check(defaultValue);
    }

    /** The dotted name, e.g. {@code bases.count}. */
    public String name() {
        return name;
    }

    /** The section, e.g. {@code bases}. */
    public String section() {
        return name.substring(0, name.indexOf('.'));
    }

    /** The name inside its section, e.g. {@code count}. */
    public String leaf() {
        return name.substring(name.indexOf('.') + 1);
    }

    public Type type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** The value the paper uses, or says where the default comes from ("not given", "released code: 0.07"). */
    public String paperValue() {
        return paperValue;
    }

    /** One tooltip, citing the paper (§, table, equation) or saying where the default comes from. */
    public String help() {
        return help;
    }

    /** Allowed values of a {@link Type#CHOICE} key (enum names in upper case), else empty. */
    public List<String> choices() {
        return choices;
    }

    /** Lower bound of a numeric key, or null. */
    public Double min() {
        return min;
    }

    /** Upper bound of a numeric key, or null. */
    public Double max() {
        return max;
    }

    /** The type with its range, e.g. "integer ≥ 1", "number in (0, 1)", "one of MSE, L1, PLCC". */
    public String describeType() {
        return switch (type) {
            case CHOICE -> "one of " + String.join(", ", choices);
            case TEXT_LIST -> "list of names (comma-separated or a JSON array)";
            case INT, LONG, DOUBLE -> type.label() + range();
            default -> type.label();
        };
    }

    private String range() {
        if (min != null && max != null) {
            return " in " + (minExclusive ? "(" : "[") + num(min) + ", " + num(max) + (maxExclusive ? ")" : "]");
        }
        if (min != null) {
            return (minExclusive ? " > " : " ≥ ") + num(min);
        }
        if (max != null) {
            return (maxExclusive ? " < " : " ≤ ") + num(max);
        }
        return "";
    }

    private static String num(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /**
     * Parses text as typed by a user (CLI {@code --set}, a form field): numbers, {@code true}/{@code false}, choice
     * names (any case), lists as {@code a,b} or a JSON array. Throws {@link ParamException} naming the key.
     */
    public T parse(String text) {
        String t = text == null ? "" : text.strip();
        Object v;
        switch (type) {
            case INT, LONG -> {
                long l;
                try {
                    l = Long.parseLong(t);
                } catch (NumberFormatException e) {
                    throw new ParamException(name + ": '" + text + "' is not an integer (expected " + describeType()
                            + ")");
                }
                v = type == Type.INT ? (Object) toInt(l) : (Object) l;
            }
            case DOUBLE -> {
                double d;
                try {
                    d = Double.parseDouble(t);
                } catch (NumberFormatException e) {
                    throw new ParamException(name + ": '" + text + "' is not a number (expected " + describeType()
                            + ")");
                }
                v = d;
            }
            case BOOLEAN -> {
                if (!t.equalsIgnoreCase("true") && !t.equalsIgnoreCase("false")) {
                    throw new ParamException(name + ": '" + text + "' is not true or false");
                }
                v = Boolean.parseBoolean(t);
            }
            case CHOICE -> v = choice(t);
            case TEXT_LIST -> v = list(t);
            default -> v = t;
        }
        return checked(v);
    }

    /**
     * Converts a value read from JSON (Number, Boolean, String, List) to this key's type; text goes through
     * {@link #parse}. Throws {@link ParamException} naming the key.
     */
    public T coerce(Object raw) {
        if (raw == null) {
            throw new ParamException(name + ": missing value (expected " + describeType() + ")");
        }
        if (raw instanceof String s) {
            return parse(s);
        }
        Object v;
        switch (type) {
            case INT, LONG -> {
                if (!(raw instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
                        || raw instanceof Double d && !Double.isFinite(d)) {
                    throw wrongType(raw);
                }
                v = type == Type.INT ? (Object) toInt(n.longValue()) : (Object) n.longValue();
            }
            case DOUBLE -> {
                if (!(raw instanceof Number n)) {
                    throw wrongType(raw);
                }
                v = n.doubleValue();
            }
            case BOOLEAN -> {
                if (!(raw instanceof Boolean)) {
                    throw wrongType(raw);
                }
                v = raw;
            }
            case TEXT_LIST -> {
                if (!(raw instanceof List<?> l)) {
                    throw wrongType(raw);
                }
                List<String> out = new ArrayList<>();
                for (Object o : l) {
                    if (!(o instanceof String s) || s.isBlank()) {
                        throw new ParamException(name + ": list entries must be non-empty names, got " + o);
                    }
                    out.add(s.strip());
                }
                v = List.copyOf(out);
            }
            default -> {
                if (type == Type.CHOICE && raw instanceof Enum<?> e) {
                    v = choice(e.name());
                } else {
                    throw wrongType(raw);
                }
            }
        }
        return checked(v);
    }

    /** Throws {@link ParamException} naming the key when {@code value} is outside the allowed range. */
    public void check(T value) {
        Objects.requireNonNull(value, name);
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                throw new ParamException(name + ": " + format(value) + " is not a finite number");
            }
            boolean low = min != null && (minExclusive ? d <= min : d < min);
            boolean high = max != null && (maxExclusive ? d >= max : d > max);
            if (low || high) {
                throw new ParamException(name + ": " + format(value) + " is out of range (allowed: "
                        + describeType() + ")");
            }
        }
        if (type == Type.CHOICE && !choices.contains(format(value))) {
            throw new ParamException(name + ": '" + value + "' is not allowed (" + describeType() + ")");
        }
    }

    /** The value as text that {@link #parse} reads back (for a form field or a listing). */
    public String format(Object value) {
        if (value instanceof List<?> l) {
            return String.join(",", l.stream().map(String::valueOf).toList());
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return String.valueOf(value);
    }

    /** The value as a plain JSON value (enum → its name, list → list of names). */
    public Object toJsonValue(Object value) {
        return value instanceof Enum<?> e ? e.name() : value;
    }

    /** Copies this key's value into the paper stages' settings (no-op for keys outside them). */
    void writeInto(RaliParams r, Object value) {
        if (toRali != null) {
            toRali.accept(r, cast(value));
        }
    }

    /** This key's value in the paper stages' settings, or null for keys outside them. */
    T readFrom(RaliParams r) {
        return fromRali == null ? null : fromRali.apply(r);
    }

    boolean isRali() {
        return toRali != null;
    }

    @SuppressWarnings("unchecked")
    T cast(Object value) {
        return (T) value;
    }

    private T checked(Object v) {
        T t = cast(v);
        check(t);
        return t;
    }

    private int toInt(long l) {
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new ParamException(name + ": " + l + " is out of range (allowed: " + describeType() + ")");
        }
        return (int) l;
    }

    private Object choice(String t) {
        for (String c : choices) {
            if (c.equalsIgnoreCase(t)) {
                return choiceOf == null ? c : choiceOf.apply(c);
            }
        }
        throw new ParamException(name + ": '" + t + "' is not allowed (" + describeType() + ")");
    }

    private List<String> list(String t) {
        if (t.isEmpty() || t.equals("[]")) {
            return List.of();
        }
        String body = t;
        if (t.startsWith("[") && t.endsWith("]")) {
            body = t.substring(1, t.length() - 1);
        }
        List<String> out = new ArrayList<>();
        for (String part : body.split(",")) {
            String s = part.strip();
            if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
                s = s.substring(1, s.length() - 1).strip();
            }
            if (s.isEmpty()) {
                throw new ParamException(name + ": empty name in list '" + t + "'");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    private ParamException wrongType(Object raw) {
        String got = raw instanceof List ? "a list" : raw instanceof Boolean ? "true/false"
                : raw instanceof Number ? "the number " + raw : raw.getClass().getSimpleName();
        return new ParamException(name + ": expected " + describeType() + ", got " + got);
    }

    @Override
    public String toString() {
        return name;
    }

    // ---- construction (ParamKeys only) ----

    static <T> Builder<T> builder(String name, Type type) {
        return new Builder<>(name, type);
    }

    static final class Builder<T> {
        private final String name;
        private final Type type;
        private T defaultValue;
        private String paperValue = "not given in the paper";
        private String help = "";
        private Double min;
        private boolean minExclusive;
        private Double max;
        private boolean maxExclusive;
        private final List<String> choices = new ArrayList<>();
        private Function<String, T> choiceOf;
        private Function<RaliParams, T> fromRali;
        private BiConsumer<RaliParams, T> toRali;

        private Builder(String name, Type type) {
            if (name.indexOf('.') <= 0) {
                throw new IllegalArgumentException("parameter names are section.name: " + name);
            }
            this.name = name;
            this.type = type;
        }

        Builder<T> def(T value) {
            this.defaultValue = value;
            return this;
        }

        /** A key of the paper stages: default and value live in {@link RaliParams}. */
        Builder<T> rali(Function<RaliParams, T> get, BiConsumer<RaliParams, T> set) {
            this.fromRali = get;
            this.toRali = set;
            return this;
        }

        Builder<T> paper(String value) {
            this.paperValue = value;
            return this;
        }

        Builder<T> help(String text) {
            this.help = text;
            return this;
        }

        Builder<T> atLeast(double v) {
            this.min = v;
            return this;
        }

        Builder<T> above(double v) {
            this.min = v;
            this.minExclusive = true;
            return this;
        }

        Builder<T> below(double v) {
            this.max = v;
            this.maxExclusive = true;
            return this;
        }

        Builder<T> choices(List<String> names, Function<String, T> of) {
            this.choices.addAll(names);
            this.choiceOf = of;
            return this;
        }

        ParamKey<T> build() {
            return new ParamKey<>(this);
        }
    }

    /** Upper-case names of an enum's constants, for {@link Builder#choices}. */
    static List<String> names(Class<? extends Enum<?>> e) {
        List<String> out = new ArrayList<>();
        for (Enum<?> c : e.getEnumConstants()) {
            out.add(c.name().toUpperCase(Locale.ROOT));
        }
        return out;
    }
}
