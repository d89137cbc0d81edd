package dev.rali.engine.analysis.attention;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionAnalysisTest {
    private static final double EPS = 1e-6;

    @Test
    void sharesPerHeadAndAveragedWithAndWithoutThePaperConvention() {
        AttentionReport r = new AttentionAnalysis(10).add(Dumps.withImage());
        // head 0: sys .1, prompt .1, image .4, reasoning .3, answer .1 (its own token); head 1 truncated to
        // image .2 + reasoning .2, each row divided by its own sum -> image .5, reasoning .5
        AttentionReport.HeadShares h0 = r.allRoles().perHead().get(0);
        assertEquals(5, h0.layer());
        assertEquals(0.4, h0.shares().get(Role.IMAGE), EPS);
        assertEquals(0.1, h0.shares().get(Role.ANSWER), EPS);
        AttentionReport.HeadShares h1 = r.allRoles().perHead().get(1);
        assertEquals(0.5, h1.shares().get(Role.IMAGE), EPS);
        assertEquals(0.5, h1.shares().get(Role.REASONING), EPS);
        assertEquals(0.45, r.allRoles().averaged().get(Role.IMAGE), EPS);
        assertEquals(0.40, r.allRoles().averaged().get(Role.REASONING), EPS);
        assertEquals(0.05, r.allRoles().averaged().get(Role.SYSTEM), EPS);
        assertEquals(0.05, r.allRoles().averaged().get(Role.PROMPT), EPS);
        assertEquals(0.05, r.allRoles().averaged().get(Role.ANSWER), EPS);
        // paper: head 0 renormalised over .8 -> .5/.375/.125; head 1 -> .5/.5/0
        assertEquals(0.5, r.paper().averaged().get(Role.IMAGE), EPS);
        assertEquals(0.4375, r.paper().averaged().get(Role.REASONING), EPS);
        assertEquals(0.0625, r.paper().averaged().get(Role.ANSWER), EPS);
        assertFalse(r.paper().averaged().containsKey(Role.SYSTEM));
        assertFalse(r.paper().averaged().containsKey(Role.PROMPT));
        assertEquals(1, r.paper().perLayer().size());
        assertEquals(0.5, r.paper().perLayer().get(0).shares().get(Role.IMAGE), EPS);
        assertEquals(0, r.rowsSkipped());
    }

    @Test
    void topReasoningTokensAndImageMapInRowMajorOrder() {
        AttentionReport r = new AttentionAnalysis(10).add(Dumps.withImage());
        // "noise": (0 + .2/.4) / 2 = .25; "blur": (.3 + 0) / 2 = .15
        assertEquals(List.of("noise", "blur"), r.topReasoning().stream().map(AttentionReport.TokenWeight::token).toList());
        assertEquals(0.25, r.topReasoning().get(0).attention(), EPS);
        assertEquals(7, r.topReasoning().get(0).position());
        assertEquals(0.15, r.topReasoning().get(1).attention(), EPS);
        double[][] map = r.imageMap().values();
        assertEquals(0.05, map[0][0], EPS);
        assertEquals(0.10, map[0][1], EPS);
        assertEquals(0.00, map[1][0], EPS);
        assertEquals(0.30, map[1][1], EPS);
        assertEquals(1, new AttentionAnalysis(1).add(Dumps.withImage()).topReasoning().size());
    }

    @Test
    void causalMaskingSelfAttentionZeroRowsAndNoImageTokens() {
        AttentionReport r = new AttentionAnalysis(10).add(Dumps.withoutImage());
        assertEquals(3, r.rows());
        assertEquals(1, r.rowsSkipped()); // the all-zero row of query 1
        // row 2: prompt .5, reasoning .25 + its own .25; row 3: prompt .2, reasoning .4, answer .4 (itself)
        assertEquals(0.35, r.allRoles().averaged().get(Role.PROMPT), EPS);
        assertEquals(0.45, r.allRoles().averaged().get(Role.REASONING), EPS);
        assertEquals(0.20, r.allRoles().averaged().get(Role.ANSWER), EPS);
        assertEquals(0.0, r.allRoles().averaged().get(Role.IMAGE), EPS);
        assertEquals(0.75, r.paper().averaged().get(Role.REASONING), EPS);
        assertEquals(0.25, r.paper().averaged().get(Role.ANSWER), EPS);
        assertEquals(0.0, r.paper().averaged().get(Role.IMAGE), EPS);
        assertNull(r.imageMap());
        // "blur": (.25 + .3) / 2, "sharp": (.25 + .1) / 2
        assertEquals(0.275, r.topReasoning().get(0).attention(), EPS);
        assertEquals("sharp", r.topReasoning().get(1).token());
    }

    @Test
    void aggregateWeighsEachDumpTheSame() {
        AttentionAnalysis a = new AttentionAnalysis(10);
        a.add(Dumps.withImage());
        a.add(Dumps.withoutImage());
        AttentionReport g = a.aggregate();
        assertEquals(2, g.dumps());
        assertEquals(5, g.rows());
        assertEquals(1, g.rowsSkipped());
        assertEquals((0.45 + 0) / 2, g.allRoles().averaged().get(Role.IMAGE), EPS);
        assertEquals((0.5 + 0) / 2, g.paper().averaged().get(Role.IMAGE), EPS);
        assertEquals((0.4375 + 0.75) / 2, g.paper().averaged().get(Role.REASONING), EPS);
        assertEquals((0.4375 + 0.75) / 2, g.paper().perLayer().get(0).shares().get(Role.REASONING), EPS);
        // head 0 of layer 5 is in both dumps, head 1 only in the first
        assertEquals(2, g.paper().perHead().size());
        assertEquals(0.5, g.paper().perHead().get(1).shares().get(Role.REASONING), EPS);
        // tokens with the same text merge: blur (.15 + .275) / 2 over 2 occurrences; noise .25 / 2; sharp .175 / 2
        AttentionReport.TokenWeight blur = g.topReasoning().get(0);
        assertEquals("blur", blur.token());
        assertEquals(0.2125, blur.attention(), EPS);
        assertEquals(2, blur.occurrences());
        assertEquals(-1, blur.position());
        assertEquals("noise", g.topReasoning().get(1).token());
        assertEquals(0.125, g.topReasoning().get(1).attention(), EPS);
        // the image map is averaged over the dumps that have image tokens
        assertEquals(0.30, g.imageMap().values()[1][1], EPS);
        assertEquals("synthetic (rule: test)", g.model());
    }

    @Test
    void sharesOfARowSumToOne() {
        AttentionReport r = new AttentionAnalysis(3).add(Dumps.withImage());
        double all = r.allRoles().averaged().values().stream().mapToDouble(Double::doubleValue).sum();
        double paper = r.paper().averaged().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(1.0, all, EPS);
        assertEquals(1.0, paper, EPS);
        assertTrue(r.paper().perHead().stream().allMatch(h -> Math.abs(h.shares().values().stream()
                .mapToDouble(Double::doubleValue).sum() - 1) < EPS));
    }

    @Test
    void aSliceReportsWhatTheFullReportSaysForThatLayerAndHead() {
        AttentionDump d = Dumps.withImage();
        AttentionReport full = new AttentionAnalysis(10).add(d);
        for (int h = 0; h < 2; h++) {
            AttentionReport one = new AttentionAnalysis(10).add(d.slice(5, h));
            for (Role r : Role.values()) {
                assertEquals(full.allRoles().perHead().get(h).shares().get(r), one.allRoles().averaged().get(r), EPS,
                        "head " + h + " " + r);
            }
            assertEquals(1, one.rows());
        }
        AttentionReport layer = new AttentionAnalysis(10).add(d.slice(5, null));
        assertEquals(full.allRoles().averaged(), layer.allRoles().averaged());
        assertEquals(full.topReasoning(), layer.topReasoning());
        // head 1 puts 0.2 of its recorded 0.4 on the last image token ([1][1] of the 2x2 grid)
        assertEquals(0.5, new AttentionAnalysis(10).add(d.slice(null, 1)).imageMap().values()[1][1], EPS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.slice(0, null));
        assertTrue(e.getMessage().contains("no layer 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.slice(null, 2));
    }
}
