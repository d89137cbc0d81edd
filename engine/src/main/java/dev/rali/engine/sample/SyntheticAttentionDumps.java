package dev.rali.engine.sample;

import dev.rali.engine.analysis.attention.AttentionDump;
import dev.rali.engine.analysis.attention.AttentionDumps;
import dev.rali.engine.analysis.attention.Role;
import dev.rali.engine.data.RgbImage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Synthetic attention dumps for the sample project, so the attention views have something to show offline. They
 * are <b>not</b> a model's output: meta.json's {@code model} says {@code synthetic (rule: …)} and the numbers follow
 * this documented rule (also in docs/SAMPLE.md):
 * <ul>
 *   <li>tokens: a 3-token system prompt, the 6 words of "Rate the quality of this image.", a 4 × 4 grid of image
 *   tokens, {@code <think>}, one token per word of the trace's reasoning, {@code </think>}, {@code <answer>}, the
 *   score, {@code </answer>}; the query is the score token;</li>
 *   <li>4 layers × 2 heads; in layer l, head 0 gives system 7.5 %, prompt 7.5 %, image 45 − 10·l %, reasoning
 *   30 + 10·l %, answer 10 %; head 1 swaps the image and reasoning shares (early layers look at the image, late
 *   ones at the reasoning);</li>
 *   <li>within the image, attention ∝ 0.05 + the mean absolute horizontal + vertical difference of the pixels in
 *   that cell (detail and distortion attract it); within the reasoning, quality words (blur, noise, …) weigh 4,
 *   other words 1; within a role every other token weighs the same; keys after the query get 0 (causal).</li>
 * </ul>
 */
public final class SyntheticAttentionDumps {
    public static final String RULE = "synthetic (rule: SyntheticAttentionDumps, docs/SAMPLE.md; not a model's output)";
    public static final int GRID = 4;
    public static final int LAYERS = 4;
    public static final int HEADS = 2;
    private static final Set<String> QUALITY_WORDS = Set.of("blur", "blurry", "blurred", "noise", "noisy", "sharp",
            "sharpness", "detail", "details", "artifacts", "artefacts", "compression", "contrast", "colour", "color",
            "saturation", "exposure", "bright", "dark", "quality", "jpeg", "grain", "soft", "clear", "distortion");

    private SyntheticAttentionDumps() { }

    /**
     * One dump for {@code image} and its trace text ({@code <think>…</think><answer>…</answer>}).
     *
     * @param imageRef meta.json's image reference (relative to {@code folder} or absolute)
     */
    public static AttentionDump make(Path folder, RgbImage image, String imageRef, String think, String answer) {
        List<String> tokens = new ArrayList<>();
        List<Role> roles = new ArrayList<>();
        add(tokens, roles, Role.SYSTEM, "<|im_start|>system", " You are a helpful assistant.", "<|im_end|>");
        add(tokens, roles, Role.PROMPT, "Rate", " the", " quality", " of", " this", " image.");
        for (int i = 0; i < GRID * GRID; i++) {
            add(tokens, roles, Role.IMAGE, "<|image_pad|>");
        }
        add(tokens, roles, Role.REASONING, "<think>");
        for (String w : think.strip().split("\\s+")) {
            add(tokens, roles, Role.REASONING, " " + w);
        }
        add(tokens, roles, Role.REASONING, "</think>");
        add(tokens, roles, Role.ANSWER, "<answer>", answer.strip(), "</answer>");
        int query = tokens.size() - 2; // the score token
        int t = tokens.size();
        double[] cell = cellDetail(image);
        float[] attn = new float[LAYERS * HEADS * t];
        for (int l = 0; l < LAYERS; l++) {
            for (int h = 0; h < HEADS; h++) {
                double img = 0.45 - 0.10 * l;
                double rea = 0.30 + 0.10 * l;
                if (h == 1) {
                    double s = img;
                    img = rea;
                    rea = s;
                }
                double[] share = new double[Role.values().length];
                share[Role.SYSTEM.ordinal()] = 0.075;
                share[Role.PROMPT.ordinal()] = 0.075;
                share[Role.IMAGE.ordinal()] = img;
                share[Role.REASONING.ordinal()] = rea;
                share[Role.ANSWER.ordinal()] = 0.10;
                double[] w = new double[t];
                int imageIdx = 0;
                for (int k = 0; k <= query; k++) {
                    w[k] = switch (roles.get(k)) {
                        case IMAGE -> 0.05 + cell[imageIdx++];
                        case REASONING -> QUALITY_WORDS.contains(word(tokens.get(k))) ? 4 : 1;
                        default -> 1;
                    };
                }
                double[] roleSum = new double[share.length];
                for (int k = 0; k <= query; k++) {
                    roleSum[roles.get(k).ordinal()] += w[k];
                }
                int off = (l * HEADS + h) * t;
                for (int k = 0; k <= query; k++) {
                    int r = roles.get(k).ordinal();
                    attn[off + k] = (float) (share[r] * w[k] / roleSum[r]);
                }
            }
        }
        int[] layers = {0, 1, 2, 3};
        return new AttentionDump(folder, List.copyOf(tokens), List.copyOf(roles), GRID, GRID, new int[] {query},
                imageRef, RULE, layers, HEADS, attn);
    }

    /** Builds and writes one dump folder. */
    public static void write(Path folder, RgbImage image, String imageRef, String think, String answer)
            throws IOException {
        AttentionDumps.write(folder, make(folder, image, imageRef, think, answer));
    }

    private static String word(String token) {
        return token.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    }

    private static void add(List<String> tokens, List<Role> roles, Role role, String... ts) {
        for (String s : ts) {
            tokens.add(s);
            roles.add(role);
        }
    }

    /** Mean absolute horizontal + vertical neighbour difference (0..1 scale) in each of the GRID × GRID cells. */
    static double[] cellDetail(RgbImage img) {
        double[] sum = new double[GRID * GRID];
        long[] n = new long[GRID * GRID];
        for (int y = 0; y < img.height() - 1; y++) {
            for (int x = 0; x < img.width() - 1; x++) {
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    int v = img.get(x, y, c);
                    d += Math.abs(v - img.get(x + 1, y, c)) + Math.abs(v - img.get(x, y + 1, c));
                }
                int cell = Math.min(GRID - 1, y * GRID / img.height()) * GRID + Math.min(GRID - 1, x * GRID / img.width());
                sum[cell] += d / (3 * 255.0);
                n[cell]++;
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = n[i] == 0 ? 0 : sum[i] / n[i];
        }
        return sum;
    }
}
