package dev.rali.engine.analysis.attention;

import java.util.ArrayList;
import java.util.List;

/** Dumps with known answers for the tests (see AttentionAnalysisTest for the expected shares). */
public final class Dumps {
    private Dumps() { }

    static List<Role> roles(String codes) {
        List<Role> out = new ArrayList<>();
        for (char c : codes.toCharArray()) {
            out.add(switch (c) {
                case 's' -> Role.SYSTEM;
                case 'p' -> Role.PROMPT;
                case 'i' -> Role.IMAGE;
                case 'r' -> Role.REASONING;
                case 'a' -> Role.ANSWER;
                default -> throw new IllegalArgumentException(String.valueOf(c));
            });
        }
        return out;
    }

    /**
     * sys, prompt, 4 image tokens (2x2), reasoning "blur" "noise", answer "3"; one query (the answer token, which
     * attends to itself), one layer (index 5), two heads. Head 0 sums to 1; head 1 is truncated to 0.4.
     */
    public static AttentionDump withImage() {
        float[] h0 = {0.1f, 0.1f, 0.1f, 0.2f, 0.0f, 0.1f, 0.3f, 0.0f, 0.1f};
        float[] h1 = {0, 0, 0, 0, 0, 0.2f, 0, 0.2f, 0};
        float[] attn = new float[18];
        System.arraycopy(h0, 0, attn, 0, 9);
        System.arraycopy(h1, 0, attn, 9, 9);
        return new AttentionDump(null, List.of("<sys>", "Rate", "<i0>", "<i1>", "<i2>", "<i3>", "blur", "noise", "3"),
                roles("spiiiirra"), 2, 2, new int[] {8}, null, "synthetic (rule: test)", new int[] {5}, 2, attn);
    }

    /**
     * No image tokens: prompt, reasoning "blur" "sharp", answer; queries at 1, 2 and 3 with causal masking (keys
     * after the query are 0). Row 1 is all zero (truncated away), row 2 attends to itself.
     */
    public static AttentionDump withoutImage() {
        float[] attn = {
            0, 0, 0, 0,
            0.5f, 0.25f, 0.25f, 0,
            0.2f, 0.3f, 0.1f, 0.4f};
        return new AttentionDump(null, List.of("Rate", "blur", "sharp", "4"), roles("prra"), 0, 0,
                new int[] {1, 2, 3}, null, "synthetic (rule: test)", new int[] {5}, 1, attn);
    }
}
