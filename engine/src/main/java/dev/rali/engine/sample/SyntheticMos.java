package dev.rali.engine.sample;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The sample project's synthetic mean opinion score. No person rated these images; the score is a formula of the
 * distortion applied:
 * <pre>
 *   mean(type, level) = 4.8 − 3.6 · severity(type) · (level / 5)^1.3       (pristine reference: 4.8)
 *   MOS               = clamp(mean + N(0, 0.12), 1, 5)                      (noise seeded by image name + seed)
 *   std               = 0.30 + 0.10 · level / 5                             (a plausible rater spread, recorded only)
 * </pre>
 * so the worst family at level 5 lands near 1.2 and the mildest (saturation, severity 0.5) near 3.0.
 */
public final class SyntheticMos {
    private SyntheticMos() { }

    public static final double REFERENCE_MOS = 4.8;
    public static final double SPAN = 3.6;
    public static final double EXPONENT = 1.3;
    public static final double NOISE_STD = 0.12;

    /** The noise-free score of a distortion (type null or level 0 = the pristine reference). */
    public static double mean(DistortionType type, int level) {
        if (type == null || level == 0) {
            return REFERENCE_MOS;
        }
        if (level < 0 || level > DistortionType.LEVELS) {
            throw new IllegalArgumentException("level must be 0.." + DistortionType.LEVELS + ": " + level);
        }
        return REFERENCE_MOS - SPAN * type.severity() * Math.pow(level / (double) DistortionType.LEVELS, EXPONENT);
    }

    /** The recorded MOS: the mean plus seeded Gaussian noise, clamped to [1, 5]. */
    public static double mos(String imageName, DistortionType type, int level, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ hash(imageName));
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        double noise = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2) * NOISE_STD;
        return Math.max(1.0, Math.min(5.0, mean(type, level) + noise));
    }

    /** The recorded rater standard deviation. */
    public static double std(int level) {
        return 0.30 + 0.10 * level / DistortionType.LEVELS;
    }

    /** FNV-1a 64: a stable string hash (String.hashCode is only 32 bits). */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
