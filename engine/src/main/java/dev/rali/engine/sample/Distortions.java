package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * KADID-style synthetic distortions in pure Java. Each takes a level 1..5 (the parameter tables below) and a seed
 * for the random ones (noise, motion direction), so the same (image, type, level, seed) always gives the same
 * bytes. Parameters are tuned for ~128-px images so that level 1 is just visible and level 5 is severe.
 */
public final class Distortions {
    private Distortions() { }

    static final double[] BLUR_SIGMA = {0.6, 1.0, 1.5, 2.2, 3.2};
    static final int[] MOTION_LENGTH = {3, 5, 8, 12, 17};
    static final double[] NOISE_SIGMA = {6, 12, 20, 32, 48};
    static final double[] IMPULSE_PROB = {0.01, 0.03, 0.06, 0.11, 0.18};
    static final float[] JPEG_QUALITY = {0.45f, 0.25f, 0.14f, 0.07f, 0.02f};
    static final double[] CONTRAST_FACTOR = {0.75, 0.58, 0.43, 0.30, 0.18};
    static final double[] SATURATION_FACTOR = {0.7, 0.5, 0.3, 0.15, 0.0};
    static final double[] DARKEN_GAMMA = {1.35, 1.8, 2.4, 3.2, 4.2};
    static final double[] BRIGHTEN_GAMMA = {0.75, 0.58, 0.45, 0.34, 0.25};
    static final int[] PIXEL_BLOCK = {2, 3, 4, 6, 8};
    static final int[] QUANT_LEVELS = {20, 11, 7, 5, 3};
    static final int[] CAST_SHIFT = {12, 24, 38, 54, 72};

    /** Applies one distortion. Level must be 1..{@link DistortionType#LEVELS}. */
    public static RgbImage apply(RgbImage img, DistortionType type, int level, long seed) {
        if (level < 1 || level > DistortionType.LEVELS) {
            throw new IllegalArgumentException("distortion level must be 1.." + DistortionType.LEVELS + ": " + level);
        }
        int i = level - 1;
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + type.ordinal() * 31L + level);
        return switch (type) {
            case GAUSSIAN_BLUR -> gaussianBlur(img, BLUR_SIGMA[i]);
            // the direction depends on the seed only, so one image's five levels share it
            case MOTION_BLUR -> motionBlur(img, MOTION_LENGTH[i], new SplittableRandom(seed).nextDouble() * Math.PI);
            case GAUSSIAN_NOISE -> gaussianNoise(img, NOISE_SIGMA[i], rnd);
            case IMPULSE_NOISE -> impulseNoise(img, IMPULSE_PROB[i], rnd);
            case JPEG -> jpeg(img, JPEG_QUALITY[i]);
            case CONTRAST_DECREASE -> contrast(img, CONTRAST_FACTOR[i]);
            case SATURATION_DECREASE -> saturation(img, SATURATION_FACTOR[i]);
            case DARKEN -> gamma(img, DARKEN_GAMMA[i]);
            case BRIGHTEN -> gamma(img, BRIGHTEN_GAMMA[i]);
            case PIXELATE -> pixelate(img, PIXEL_BLOCK[i]);
            case QUANTIZE -> quantize(img, QUANT_LEVELS[i]);
            case COLOUR_CAST -> colourCast(img, CAST_SHIFT[i]);
        };
    }

    private static float[] floats(RgbImage img) {
        byte[] b = img.rgb();
        float[] f = new float[b.length];
        for (int k = 0; k < b.length; k++) {
            f[k] = b[k] & 0xff;
        }
        return f;
    }

    private static RgbImage of(RgbImage like, float[] v) {
        return new RgbImage(like.width(), like.height(), ImageOps.toBytes(v));
    }

    /** Separable Gaussian, kernel radius 3σ, edges clamped. */
    public static RgbImage gaussianBlur(RgbImage img, double sigma) {
        int r = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int j = -r; j <= r; j++) {
            k[j + r] = (float) Math.exp(-j * j / (2 * sigma * sigma));
            sum += k[j + r];
        }
        for (int j = 0; j < k.length; j++) {
            k[j] /= (float) sum;
        }
        int w = img.width();
        int h = img.height();
        float[] src = floats(img);
        float[] tmp = new float[src.length];
        float[] dst = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float acc = 0;
                    for (int j = -r; j <= r; j++) {
                        int xx = Math.min(w - 1, Math.max(0, x + j));
                        acc += k[j + r] * src[(y * w + xx) * 3 + c];
                    }
                    tmp[(y * w + x) * 3 + c] = acc;
                }
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float acc = 0;
                    for (int j = -r; j <= r; j++) {
                        int yy = Math.min(h - 1, Math.max(0, y + j));
                        acc += k[j + r] * tmp[(yy * w + x) * 3 + c];
                    }
                    dst[(y * w + x) * 3 + c] = acc;
                }
            }
        }
        return of(img, dst);
    }

    /** Averages {@code length} samples along a line through each pixel at {@code angle} (bilinear taps). */
    public static RgbImage motionBlur(RgbImage img, int length, double angle) {
        int w = img.width();
        int h = img.height();
        float[] src = floats(img);
        float[] dst = new float[src.length];
        double dx = Math.cos(angle);
        double dy = Math.sin(angle);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int t = 0; t < length; t++) {
                    double off = t - (length - 1) / 2.0;
                    double sx = Math.min(w - 1, Math.max(0, x + off * dx));
                    double sy = Math.min(h - 1, Math.max(0, y + off * dy));
                    int x0 = (int) Math.floor(sx);
                    int y0 = (int) Math.floor(sy);
                    int x1 = Math.min(w - 1, x0 + 1);
                    int y1 = Math.min(h - 1, y0 + 1);
                    double fx = sx - x0;
                    double fy = sy - y0;
                    for (int c = 0; c < 3; c++) {
                        double v = (1 - fy) * ((1 - fx) * src[(y0 * w + x0) * 3 + c] + fx * src[(y0 * w + x1) * 3 + c])
                                + fy * ((1 - fx) * src[(y1 * w + x0) * 3 + c] + fx * src[(y1 * w + x1) * 3 + c]);
                        dst[(y * w + x) * 3 + c] += (float) (v / length);
                    }
                }
            }
        }
        return of(img, dst);
    }

    /** Additive white Gaussian noise; the same noise value on R, G, B of grey images keeps them grey. */
    public static RgbImage gaussianNoise(RgbImage img, double sigma, SplittableRandom rnd) {
        float[] v = floats(img);
        boolean grey = ImageOps.isGrey(img);
        for (int p = 0; p < v.length; p += 3) {
            double n0 = gauss(rnd) * sigma;
            for (int c = 0; c < 3; c++) {
                v[p + c] += (float) (grey || c == 0 ? n0 : gauss(rnd) * sigma);
            }
        }
        return of(img, v);
    }

    private static double gauss(SplittableRandom rnd) {
        // Box–Muller: SplittableRandom has no nextGaussian in Java 17.
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /** Salt-and-pepper: each pixel becomes black or white with probability {@code prob}. */
    public static RgbImage impulseNoise(RgbImage img, double prob, SplittableRandom rnd) {
        byte[] out = img.rgb().clone();
        for (int p = 0; p < out.length; p += 3) {
            if (rnd.nextDouble() < prob) {
                byte v = rnd.nextBoolean() ? (byte) 255 : 0;
                out[p] = out[p + 1] = out[p + 2] = v;
            }
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /** Encodes with the ImageIO JPEG writer at {@code quality} (0..1) and decodes again. */
    public static RgbImage jpeg(RgbImage img, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("no JPEG writer available in ImageIO");
        }
        ImageWriter writer = writers.next();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                ImageWriteParam p = writer.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
                writer.write(null, new IIOImage(ImageOps.toBuffered(img), null, null), p);
            }
            // ImageIO.read closes the stream itself.
            java.awt.image.BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            if (decoded == null) {
                throw new IOException("JPEG round trip produced no image");
            }
            return ImageOps.fromBuffered(decoded);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG compression at quality " + quality + " failed", e);
        } finally {
            writer.dispose();
        }
    }

    /** Blends every channel towards the image's mean luminance: factor 1 = unchanged, 0 = flat grey. */
    public static RgbImage contrast(RgbImage img, double factor) {
        float[] v = floats(img);
        double mean = 0;
        for (int p = 0; p < v.length; p += 3) {
            mean += 0.299 * v[p] + 0.587 * v[p + 1] + 0.114 * v[p + 2];
        }
        mean /= v.length / 3.0;
        for (int k = 0; k < v.length; k++) {
            v[k] = (float) (mean + factor * (v[k] - mean));
        }
        return of(img, v);
    }

    /** Blends each pixel towards its own luminance: factor 1 = unchanged, 0 = greyscale. */
    public static RgbImage saturation(RgbImage img, double factor) {
        float[] v = floats(img);
        for (int p = 0; p < v.length; p += 3) {
            double l = 0.299 * v[p] + 0.587 * v[p + 1] + 0.114 * v[p + 2];
            for (int c = 0; c < 3; c++) {
                v[p + c] = (float) (l + factor * (v[p + c] - l));
            }
        }
        return of(img, v);
    }

    /** out = 255 (in/255)^γ: γ &gt; 1 darkens, γ &lt; 1 brightens (washes out). */
    public static RgbImage gamma(RgbImage img, double gamma) {
        byte[] lut = new byte[256];
        for (int k = 0; k < 256; k++) {
            lut[k] = (byte) ImageOps.clamp255(Math.round(255 * Math.pow(k / 255.0, gamma)));
        }
        byte[] src = img.rgb();
        byte[] out = new byte[src.length];
        for (int k = 0; k < src.length; k++) {
            out[k] = lut[src[k] & 0xff];
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /** Replaces each block × block tile by its mean colour. */
    public static RgbImage pixelate(RgbImage img, int block) {
        int w = img.width();
        int h = img.height();
        float[] v = floats(img);
        float[] out = new float[v.length];
        for (int by = 0; by < h; by += block) {
            for (int bx = 0; bx < w; bx += block) {
                int ye = Math.min(h, by + block);
                int xe = Math.min(w, bx + block);
                int n = (ye - by) * (xe - bx);
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int y = by; y < ye; y++) {
                        for (int x = bx; x < xe; x++) {
                            acc += v[(y * w + x) * 3 + c];
                        }
                    }
                    float m = (float) (acc / n);
                    for (int y = by; y < ye; y++) {
                        for (int x = bx; x < xe; x++) {
                            out[(y * w + x) * 3 + c] = m;
                        }
                    }
                }
            }
        }
        return of(img, out);
    }

    /** Uniform quantisation to {@code levels} values per channel (colour banding / posterisation). */
    public static RgbImage quantize(RgbImage img, int levels) {
        byte[] lut = new byte[256];
        for (int k = 0; k < 256; k++) {
            long q = Math.round(k / 255.0 * (levels - 1));
            lut[k] = (byte) ImageOps.clamp255(Math.round(q * 255.0 / (levels - 1)));
        }
        byte[] src = img.rgb();
        byte[] out = new byte[src.length];
        for (int k = 0; k < src.length; k++) {
            out[k] = lut[src[k] & 0xff];
        }
        return new RgbImage(img.width(), img.height(), out);
    }

    /** A warm white-balance error: red up, blue down by {@code shift}. */
    public static RgbImage colourCast(RgbImage img, int shift) {
        float[] v = floats(img);
        for (int p = 0; p < v.length; p += 3) {
            v[p] += shift;
            v[p + 1] += shift * 0.25f;
            v[p + 2] -= shift;
        }
        return of(img, v);
    }
}
