package dev.rali.engine.analysis.attention;

import java.util.Locale;

/** What a token of a generated answer is, as the dump format's {@code roles} names it (docs/ATTENTION_FORMAT.md). */
public enum Role {
    SYSTEM, PROMPT, IMAGE, REASONING, ANSWER;

    /** The roles the paper's Fig. 3 convention keeps: system and prompt are excluded and the rest renormalised. */
    public static final java.util.List<Role> PAPER = java.util.List.of(IMAGE, REASONING, ANSWER);

    /** The name in meta.json and in JSON output. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a meta.json role name; null when it is not one. */
    public static Role parse(String s) {
        for (Role r : values()) {
            if (r.key().equals(s)) {
                return r;
            }
        }
        return null;
    }

    public boolean inPaperConvention() {
        return this == IMAGE || this == REASONING || this == ANSWER;
    }
}
