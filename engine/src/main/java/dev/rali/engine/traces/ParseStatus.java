package dev.rali.engine.traces;

import java.util.Locale;

/**
 * Outcome of parsing one raw model output. Stored lower-case in {@code traces.parse_status}. Only {@link #OK} traces
 * carry a trusted rating; a failed parse is recorded as such and never replaced by an invented score.
 */
public enum ParseStatus {
    /** {@code <think>} and {@code <answer>} present, a rating in range was read from the answer. */
    OK,
    /** Blank output. */
    EMPTY,
    /** An {@code <answer>} but no {@code <think>…</think>} block. */
    NO_THINK,
    /** {@code <think>} opened but never closed (typically cut off by max_tokens). */
    UNCLOSED_THINK,
    /** Reasoning present but no {@code <answer>} block (also: plain-text imports without tags). */
    NO_ANSWER,
    /** An answer without a readable rating (no number, several candidate numbers, NaN). */
    NO_SCORE,
    /** A rating was read but lies outside the scale (default [1, 5]); the value is kept for inspection. */
    SCORE_OUT_OF_RANGE;

    /** The value written to the database. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a database value or a user-typed name ("ok", "NO_SCORE", "no-score"). */
    public static ParseStatus fromDb(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown parse status '" + s + "'; expected one of "
                    + java.util.Arrays.toString(values()).toLowerCase(Locale.ROOT));
        }
    }
}
