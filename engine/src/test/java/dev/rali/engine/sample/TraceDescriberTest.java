package dev.rali.engine.sample;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceDescriberTest {
    private static final Pattern FORMAT = Pattern.compile("<think>(.+)</think><answer>(\\d\\.\\d\\d)</answer>");

    @Test
    void traceHasThinkAndAnswerWithAScoreNearTheMos() {
        for (DistortionType t : DistortionType.values()) {
            for (int level = 1; level <= 5; level++) {
                double mos = SyntheticMos.mean(t, level);
                String text = TraceDescriber.describe("a cat", t, level, mos, level * 13L);
                Matcher m = FORMAT.matcher(text);
                assertTrue(m.matches(), text);
                double answer = Double.parseDouble(m.group(2));
                assertTrue(Math.abs(answer - mos) < 0.7, text);
                assertTrue(m.group(1).contains("a cat"), text);
                assertTrue(TraceDescriber.LEVEL_WORDS.get(level - 1).stream().anyMatch(w -> m.group(1).toLowerCase().contains(w)),
                        "no level word in " + text);
            }
        }
    }

    @Test
    void sameSeedSameTextAndSeedsVaryThePhrasing() {
        String a = TraceDescriber.describe("a rocket launch", DistortionType.GAUSSIAN_BLUR, 3, 3.1, 5);
        assertEquals(a, TraceDescriber.describe("a rocket launch", DistortionType.GAUSSIAN_BLUR, 3, 3.1, 5));
        Set<String> thinks = new HashSet<>();
        for (long s = 0; s < 8; s++) {
            String text = TraceDescriber.describe("a rocket launch", DistortionType.GAUSSIAN_BLUR, 3, 3.1, s);
            thinks.add(text.substring(0, text.indexOf("</think>")));
        }
        assertTrue(thinks.size() >= 4, "only " + thinks.size() + " phrasings: " + thinks);
    }

    @Test
    void pristineImagesAreDescribedAsCleanAndSevereOnesAsSevere() {
        String clean = TraceDescriber.describe("grass", null, 0, 4.8, 1);
        assertTrue(clean.contains("no ") || clean.contains("crisp") || clean.contains("sharp"), clean);
        assertTrue(clean.contains("excellent") || clean.contains("good"), clean);
        String bad = TraceDescriber.describe("grass", DistortionType.PIXELATE, 5, 1.4, 1);
        assertTrue(bad.contains("bad") || bad.contains("poor"), bad);
    }

    @Test
    void qualityWordsFollowTheScoreBands() {
        assertEquals("excellent", TraceDescriber.qualityWord(4.5));
        assertEquals("good", TraceDescriber.qualityWord(3.6));
        assertEquals("fair", TraceDescriber.qualityWord(3.0));
        assertEquals("poor", TraceDescriber.qualityWord(2.0));
        assertEquals("bad", TraceDescriber.qualityWord(1.2));
    }

    @Test
    void withoutContentTheTraceIsQualityOnly() {
        String text = TraceDescriber.describe(null, DistortionType.JPEG, 4, 2.0, 3);
        assertTrue(FORMAT.matcher(text).matches(), text);
        assertTrue(!text.contains("image shows") && !text.contains("picture of") && !text.contains("I see"), text);
        assertTrue(text.toLowerCase().contains("compression") || text.contains("JPEG"), text);
    }
}
