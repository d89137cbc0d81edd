package dev.rali.engine.sample;

import java.util.Locale;

/**
 * The synthetic distortion families of the sample project (a KADID-10k-like subset), each with five levels.
 * {@code severity} is the weight of the family in {@link SyntheticMos}'s formula: how much its strongest level
 * costs in quality relative to the worst family (1.0). {@code colourOnly} families do nothing on grey images and
 * are skipped for grey photos.
 */
public enum DistortionType {
    GAUSSIAN_BLUR("gaussian_blur", 0.95, false),
    MOTION_BLUR("motion_blur", 0.90, false),
    GAUSSIAN_NOISE("gaussian_noise", 0.85, false),
    IMPULSE_NOISE("impulse_noise", 0.80, false),
    JPEG("jpeg", 0.90, false),
    CONTRAST_DECREASE("contrast_decrease", 0.70, false),
    SATURATION_DECREASE("saturation_decrease", 0.50, true),
    DARKEN("darken", 0.75, false),
    BRIGHTEN("brighten", 0.70, false),
    PIXELATE("pixelate", 0.95, false),
    QUANTIZE("quantize", 0.75, false),
    COLOUR_CAST("colour_cast", 0.60, true);

    /** Levels run 1 (slight) .. LEVELS (severe). */
    public static final int LEVELS = 5;

    private final String id;
    private final double severity;
    private final boolean colourOnly;

    DistortionType(String id, double severity, boolean colourOnly) {
        this.id = id;
        this.severity = severity;
        this.colourOnly = colourOnly;
    }

    /** Stable name used in file names and CSVs. */
    public String id() {
        return id;
    }

    public double severity() {
        return severity;
    }

    public boolean colourOnly() {
        return colourOnly;
    }

    public static DistortionType byId(String id) {
        for (DistortionType t : values()) {
            if (t.id.equals(id.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown distortion type '" + id + "'");
    }
}
