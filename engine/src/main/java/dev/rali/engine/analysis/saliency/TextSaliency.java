package dev.rali.engine.analysis.saliency;

import java.util.Comparator;
import java.util.List;

/**
 * Which words of a reasoning trace the aligned text embedding relies on ({@link TextOcclusion}): for each
 * whitespace-separated word, 1 − cos(embedding of the text, embedding of the text without that word).
 *
 * @param text          the text as given
 * @param method        how the values were made (for reports)
 * @param context       the text tower's context in BPE tokens (BOS and EOT included; 77 for CLIP)
 * @param textTokens    BPE tokens of the whole text, BOS and EOT included; above {@code context} the tower truncates
 * @param words         every word in text order
 */
public record TextSaliency(String text, String method, int context, int textTokens, List<Word> words) {

    /**
     * One word: its characters {@code [start, end)} in the text, its saliency (0 = removing it leaves the
     * embedding unchanged), and whether it lies inside the tower's context (a word after the cut is never seen:
     * saliency 0 by construction, shown as "truncated").
     */
    public record Word(int index, String word, int start, int end, double saliency, boolean inContext) { }

    /** True when the text is longer than the tower's context (its tail does not reach the embedding). */
    public boolean truncated() {
        return textTokens > context;
    }

    /** The words by saliency, largest first (ties in text order). */
    public List<Word> ranked() {
        return words.stream().sorted(Comparator.comparingDouble(Word::saliency).reversed()
                .thenComparingInt(Word::index)).toList();
    }

    /** The largest saliency (0 for an empty text), for scaling colours. */
    public double max() {
        return words.stream().mapToDouble(Word::saliency).max().orElse(0);
    }
}
