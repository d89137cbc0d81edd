package dev.rali.engine.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The basis explorer's distinguishing words leave out template words and rating verdicts, on a small corpus. */
class BasisWordsTest {
    /** A template like the sample's: every trace says "assessment" and ends on a verdict that follows the score. */
    private static List<String> traces(String distortion, String verdict, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("<think>Strong " + distortion + " everywhere. My assessment: the quality is " + verdict
                    + ".</think><answer>3</answer>");
        }
        return out;
    }

    @Test
    void templateWordsAndRatingVerdictsGiveWayToWhatTheBasisLooksLike() {
        List<List<String>> byBasis = List.of(traces("blur", "poor", 6), traces("noise", "fair", 5),
                traces("blocking", "good", 4));
        List<List<String>> words = BasisExplorer.distinctiveWords(byBasis, 2);
        // "strong", "everywhere" and "assessment" are in every trace (share 1 > 0.5), the verdicts restate f
        assertEquals(List.of(List.of("blur"), List.of("noise"), List.of("blocking")), words);
        // without the rules the template words would win on term frequency: a plain tf-idf ranks them first
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        for (String t : byBasis.get(0)) {
            BasisExplorer.tokens(t).forEach(w -> counts.merge(w, 1, Integer::sum));
        }
        assertTrue(counts.keySet().containsAll(List.of("assessment", "poor", "strong")), counts.toString());
    }

    @Test
    void aWordInLessThanHalfOfTheTracesStays() {
        // "jpeg" is in 6 of 15 traces (share 0.4): distinguishing, kept; "blur" in 9 of 15 (0.6): template-like
        List<List<String>> byBasis = List.of(traces("jpeg blur", "bad", 6), traces("noise blur", "bad", 3),
                traces("haze", "bad", 6));
        List<List<String>> words = BasisExplorer.distinctiveWords(byBasis, 3);
        assertEquals(List.of("jpeg"), words.get(0));
        assertEquals(List.of("noise"), words.get(1));
        assertEquals(List.of("haze"), words.get(2));
        assertTrue(words.stream().noneMatch(w -> w.contains("blur") || w.contains("bad")));
    }

    @Test
    void aTinyCorpusKeepsItsCommonWordsButNotItsVerdicts() {
        // 4 traces: too few for a share to mean anything, so only stop words and rating labels go
        List<List<String>> words = BasisExplorer.distinctiveWords(List.of(traces("blur", "excellent", 2),
                traces("blur", "bad", 2)), 5);
        assertTrue(words.get(0).contains("blur"), words.toString());
        assertTrue(words.get(0).contains("assessment"), words.toString());
        assertFalse(words.get(0).contains("excellent"), words.toString());
        assertFalse(words.get(1).contains("bad"), words.toString());
    }
}
