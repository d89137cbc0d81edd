package dev.rali.engine.sample;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded template "teacher" that writes Q-Insight-like reasoning for the synthetic sample images:
 * {@code <think>content. distortion (with a level word). verdict.</think><answer>score</answer>}. It stands in for
 * the reasoning MLLM of the paper's Stage A so the demo runs offline: different seeds pick different phrasings
 * (the paper's "seed augmentation"), the level word grows with severity (slight … severe), and the answer is the
 * MOS plus a little seeded noise, as a real teacher's rating would be near but not at the label.
 */
public final class TraceDescriber {
    private TraceDescriber() { }

    /** Standard deviation of the answer around the MOS. */
    public static final double ANSWER_NOISE = 0.15;

    static final List<List<String>> LEVEL_WORDS = List.of(
            List.of("slight", "faint", "minor"),
            List.of("mild", "light", "small"),
            List.of("noticeable", "moderate", "clear"),
            List.of("strong", "heavy", "obvious"),
            List.of("severe", "extreme", "very strong"));

    private static final List<String> CONTENT = List.of(
            "The image shows %s.", "This is a picture of %s.", "The scene contains %s.", "I see %s.");

    private static final List<String> PRISTINE = List.of(
            "It is sharp and clean, with no visible distortion.",
            "Details are crisp and there are no artifacts.",
            "Edges are sharp and the exposure looks natural.");

    private static final Map<DistortionType, List<String>> PHRASES = new EnumMap<>(DistortionType.class);

    static {
        PHRASES.put(DistortionType.GAUSSIAN_BLUR, List.of(
                "There is %s blur and fine details are soft.", "The edges show %s blurring.",
                "It is out of focus, a %s blur."));
        PHRASES.put(DistortionType.MOTION_BLUR, List.of(
                "There is %s motion blur with streaked edges.", "Edges are smeared in one direction, %s motion blur.",
                "A %s camera shake smears the details."));
        PHRASES.put(DistortionType.GAUSSIAN_NOISE, List.of(
                "There is %s grainy noise over the whole image.", "The image shows %s noise in flat areas.",
                "A %s random grain covers the surfaces."));
        PHRASES.put(DistortionType.IMPULSE_NOISE, List.of(
                "There are %s black and white speckles.", "%s salt and pepper noise is scattered around.",
                "Isolated dots show %s impulse noise."));
        PHRASES.put(DistortionType.JPEG, List.of(
                "There are %s compression artifacts and blocking.", "%s JPEG blocking and ringing appear at edges.",
                "Blocky %s compression artifacts are visible."));
        PHRASES.put(DistortionType.CONTRAST_DECREASE, List.of(
                "The contrast is low, a %s washed grey look.", "There is a %s loss of contrast.",
                "Tones look flat with %s contrast reduction."));
        PHRASES.put(DistortionType.SATURATION_DECREASE, List.of(
                "The colours are faded, a %s loss of saturation.", "There is %s desaturation of the colours.",
                "Colours look dull with %s desaturation."));
        PHRASES.put(DistortionType.DARKEN, List.of(
                "The image is too dark, %s underexposure.", "Shadows are crushed by %s underexposure.",
                "There is %s darkening and details are hidden."));
        PHRASES.put(DistortionType.BRIGHTEN, List.of(
                "The image is too bright, %s overexposure.", "Highlights are washed out by %s overexposure.",
                "There is %s brightening and tones are faded."));
        PHRASES.put(DistortionType.PIXELATE, List.of(
                "There is %s pixelation with square blocks.", "The image looks blocky, %s pixelation.",
                "Details are lost in %s mosaic blocks."));
        PHRASES.put(DistortionType.QUANTIZE, List.of(
                "There is %s colour banding in smooth areas.", "Gradients are posterized, %s quantization.",
                "Tones jump in steps, %s banding."));
        PHRASES.put(DistortionType.COLOUR_CAST, List.of(
                "There is a %s warm colour cast.", "The white balance is off, a %s orange tint.",
                "A %s reddish colour cast covers the image."));
    }

    private static final List<String> VERDICT = List.of(
            "Overall the quality is %s.", "So the quality is %s.", "The overall quality is %s.");

    /** The quality word of a score, the same bands for every seed. */
    public static String qualityWord(double score) {
        if (score >= 4.3) {
            return "excellent";
        } else if (score >= 3.5) {
            return "good";
        } else if (score >= 2.7) {
            return "fair";
        } else if (score >= 1.9) {
            return "poor";
        }
        return "bad";
    }

    /**
     * One reasoning trace.
     *
     * @param content a short noun phrase for the picture's content ("a cat on a chair"), or null for a purely
     *                quality-focused trace (what the demo uses: see {@link SampleProjectBuilder.Options#mentionContent})
     * @param type    the distortion, or null for a pristine reference
     * @param level   1..5 (ignored for references)
     * @param mos     the image's MOS; the answer is near it
     * @param seed    picks phrasing and answer noise
     */
    public static String describe(String content, DistortionType type, int level, double mos, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ SyntheticMos.hash(content == null ? "" : content)
                ^ (type == null ? 0 : (type.ordinal() + 1) * 1_000_003L) ^ level * 7919L);
        StringBuilder think = new StringBuilder();
        String contentSentence = pick(CONTENT, rnd); // drawn always, so phrasing does not depend on the flag
        if (content != null && !content.isBlank()) {
            think.append(String.format(Locale.ROOT, contentSentence, content)).append(' ');
        }
        if (type == null || level == 0) {
            think.append(pick(PRISTINE, rnd));
        } else {
            if (level < 1 || level > DistortionType.LEVELS) {
                throw new IllegalArgumentException("level must be 1.." + DistortionType.LEVELS + ": " + level);
            }
            String word = pick(LEVEL_WORDS.get(level - 1), rnd);
            String sentence = String.format(Locale.ROOT, pick(PHRASES.get(type), rnd), word);
            think.append(Character.toUpperCase(sentence.charAt(0))).append(sentence.substring(1));
        }
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        double answer = mos + Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) * ANSWER_NOISE;
        answer = Math.max(1.0, Math.min(5.0, answer));
        think.append(' ').append(String.format(Locale.ROOT, pick(VERDICT, rnd), qualityWord(answer)));
        return "<think>" + think + "</think><answer>" + String.format(Locale.ROOT, "%.2f", answer) + "</answer>";
    }

    private static String pick(List<String> options, SplittableRandom rnd) {
        return options.get(rnd.nextInt(options.size()));
    }
}
