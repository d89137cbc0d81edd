package dev.rali.engine.traces;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceParserTest {
    private final TraceParser parser = new TraceParser();

    @Test
    void readsThinkAndJsonRating() {
        ParsedTrace p = parser.parse("<think>\nThe image is sharp, colours are vivid.\n</think>\n<answer>{\"rating\": 3.75}</answer>");
        assertEquals(ParseStatus.OK, p.status());
        assertEquals("The image is sharp, colours are vivid.", p.think());
        assertEquals("{\"rating\": 3.75}", p.answer());
        assertEquals(3.75, p.score());
        assertTrue(p.usableAsReasoning());
    }

    @Test
    void readsRatingFromQInsightBoxArray() {
        ParsedTrace p = parser.parse("<think>Blurry.</think><answer>[{\"bbox_2d\": [1, 2, 30, 40], \"rating\": 2.1}]</answer>");
        assertEquals(ParseStatus.OK, p.status());
        assertEquals(2.1, p.score());
    }

    @Test
    void readsPlainNumberFencedJsonAndMalformedJson() {
        assertEquals(3.75, parser.parse("<think>a</think><answer> 3.75 </answer>").score());
        assertEquals(4.0, parser.parse("<think>a</think><answer>```json\n{\"rating\": 4}\n```</answer>").score());
        assertEquals(2.5, parser.parse("<think>a</think><answer>{rating: 2.5,}</answer>").score());
        assertEquals(1.5, parser.parse("<THINK>a</THINK><Answer>Rating 1.5</Answer>").score());
        assertEquals(4.2, parser.parse("< think >a< /think >< answer >{\"rating\": \"4.2\"}< /answer >").score());
    }

    @Test
    void flagsMissingPartsWithoutInventingAScore() {
        ParsedTrace noAnswer = parser.parse("<think>Only reasoning here, 3 noisy regions.</think>");
        assertEquals(ParseStatus.NO_ANSWER, noAnswer.status());
        assertNull(noAnswer.score());
        assertTrue(noAnswer.usableAsReasoning());

        ParsedTrace noThink = parser.parse("<answer>{\"rating\": 3.0}</answer>");
        assertEquals(ParseStatus.NO_THINK, noThink.status());
        assertEquals(3.0, noThink.score()); // kept for inspection, status says it is not a full trace
        assertFalse(noThink.usableAsReasoning());

        ParsedTrace noScore = parser.parse("<think>x</think><answer>between 2 and 3</answer>");
        assertEquals(ParseStatus.NO_SCORE, noScore.status());
        assertNull(noScore.score());

        ParsedTrace nan = parser.parse("<think>x</think><answer>{\"rating\": NaN}</answer>");
        assertEquals(ParseStatus.NO_SCORE, nan.status());
    }

    @Test
    void outOfRangeKeepsValueButFlagsIt() {
        ParsedTrace p = parser.parse("<think>x</think><answer>{\"rating\": 7.5}</answer>");
        assertEquals(ParseStatus.SCORE_OUT_OF_RANGE, p.status());
        assertEquals(7.5, p.score());
        assertEquals(ParseStatus.OK, new TraceParser(0, 10).parse("<think>x</think><answer>7.5</answer>").status());
    }

    @Test
    void cutOffReasoningIsNotUsable() {
        ParsedTrace p = parser.parse("<think>The image shows a dog with some blur and the");
        assertEquals(ParseStatus.UNCLOSED_THINK, p.status());
        assertFalse(p.usableAsReasoning());
    }

    @Test
    void plainTextIsReasoningWithoutAnswer() {
        ParsedTrace p = parser.parse("  The photo is slightly overexposed.\n");
        assertEquals(ParseStatus.NO_ANSWER, p.status());
        assertEquals("The photo is slightly overexposed.", p.think());
        assertTrue(p.usableAsReasoning());
        assertEquals(ParseStatus.EMPTY, parser.parse("  \n ").status());
        assertEquals(ParseStatus.EMPTY, parser.parse(null).status());
    }

    @Test
    void statusRoundTripsThroughDatabaseValue() {
        for (ParseStatus s : ParseStatus.values()) {
            assertEquals(s, ParseStatus.fromDb(s.dbValue()));
        }
        assertEquals(ParseStatus.NO_SCORE, ParseStatus.fromDb("no-score"));
    }
}
