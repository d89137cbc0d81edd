package dev.rali.engine.traces;

/**
 * One parsed model output.
 *
 * @param think  text between {@code <think>} and {@code </think>} (stripped), or the whole text of a plain-text
 *               import; null when there is none
 * @param answer text between {@code <answer>} and {@code </answer>} (stripped), null when absent
 * @param score  the rating read from the answer; null when none could be read. Kept (out of range) for
 *               {@link ParseStatus#SCORE_OUT_OF_RANGE}
 */
public record ParsedTrace(String think, String answer, Double score, ParseStatus status) {

    /**
     * Whether the trace can serve as reasoning text for alignment (Stage B): it has non-blank think text.
     * True for OK, NO_ANSWER (incl. plain-text imports), NO_SCORE and SCORE_OUT_OF_RANGE with reasoning;
     * false for EMPTY, NO_THINK and UNCLOSED_THINK (a cut-off reasoning is not a complete description).
     */
    public boolean usableAsReasoning() {
        return think != null && !think.isBlank() && status != ParseStatus.UNCLOSED_THINK;
    }
}
