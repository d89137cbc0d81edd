package dev.rali.engine.clip;

import dev.rali.engine.data.RgbImage;

/**
 * Pillow's {@code Image.resize} for 8-bit RGB images (src/libImaging/Resample.c), replicated operation for
 * operation so that the bytes are identical: separable convolution, horizontal pass first (skipped when the width
 * does not change), each pass rounded and clipped to uint8; when shrinking, the kernel support is stretched by the
 * scale factor (antialiasing); weights normalised in double then turned into 22-bit fixed point.
 *
 * <p>CLIP's preprocessing uses {@link Filter#BICUBIC} (Keys kernel, a = -0.5). Hugging Face's CLIPImageProcessor
 * calls exactly this resize, so matching it matters for embeddings to agree with the Python reference.
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Pillow's resampling filters with their support radius (Pillow's resample codes in brackets). */
    public enum Filter {
        /** Pillow Image.BOX (4). */
        BOX(0.5),
        /** Pillow Image.BILINEAR (2). */
        BILINEAR(1.0),
        /** Pillow Image.HAMMING (5). */
        HAMMING(1.0),
        /** Pillow Image.BICUBIC (3), a = -0.5. */
        BICUBIC(2.0),
        /** Pillow Image.LANCZOS (1), a = 3. */
        LANCZOS(3.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double eval(double x) {
            switch (this) {
                case BOX:
                    return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
                case BILINEAR:
                    x = Math.abs(x);
                    return x < 1.0 ? 1.0 - x : 0.0;
                case HAMMING:
                    x = Math.abs(x);
                    if (x == 0.0) {
                        return 1.0;
                    }
                    if (x >= 1.0) {
                        return 0.0;
                    }
                    x = x * Math.PI;
                    return Math.sin(x) / x * (0.54 + 0.46 * Math.cos(x));
                case BICUBIC: {
                    final double a = -0.5;
                    if (x < 0.0) {
                        x = -x;
                    }
                    if (x < 1.0) {
                        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                    }
                    if (x < 2.0) {
                        return (((x - 5) * x + 8) * x - 4) * a;
                    }
                    return 0.0;
                }
                case LANCZOS:
                    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0;
                default:
                    throw new AssertionError(this);
            }
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            x = x * Math.PI;
            return Math.sin(x) / x;
        }

        /** The filter for a Pillow/Hugging Face {@code resample} code (0 = NEAREST is not supported). */
        public static Filter fromPilCode(int code) {
            return switch (code) {
                case 1 -> LANCZOS;
                case 2 -> BILINEAR;
                case 3 -> BICUBIC;
                case 4 -> BOX;
                case 5 -> HAMMING;
                default -> throw new IllegalArgumentException("unsupported PIL resample code " + code
                        + " (supported: 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING)");
            };
        }
    }

    private PilResize() { }

    /** PIL {@code img.resize((width, height), Image.BICUBIC)}. */
    public static RgbImage bicubic(RgbImage in, int width, int height) {
        return resize(in, width, height, Filter.BICUBIC);
    }

    /** PIL {@code img.resize((width, height), filter)} for an RGB image (no reducing_gap, full-image box). */
    public static RgbImage resize(RgbImage in, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        }
        RgbImage img = in;
        if (width != img.width()) {
            img = horizontal(img, width, filter);
        }
        if (height != img.height()) {
            img = vertical(img, height, filter);
        }
        return img == in ? new RgbImage(in.width(), in.height(), in.rgb().clone()) : img;
    }

    /** Fixed-point weights of one pass: {@code bounds[2i]} = first source index, {@code bounds[2i+1]} = count. */
    record Coeffs(int[] bounds, int[] weights, int ksize) { }

    static Coeffs coeffs(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = filter.support * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] weights = new int[outSize * ksize];
        double[] k = new double[ksize];
        double ss = 1.0 / filterscale;
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            int xmin = (int) (center - support + 0.5); // C cast: truncation toward zero
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter.eval((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    k[x] /= ww;
                }
                double v = k[x] * (1 << PRECISION_BITS);
                weights[xx * ksize + x] = (int) (k[x] < 0 ? -0.5 + v : 0.5 + v);
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(bounds, weights, ksize);
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    private static RgbImage horizontal(RgbImage in, int outW, Filter filter) {
        Coeffs c = coeffs(in.width(), outW, filter);
        int h = in.height(), inW = in.width();
        byte[] src = in.rgb();
        byte[] dst = new byte[outW * h * 3];
        for (int y = 0; y < h; y++) {
            int rowIn = y * inW * 3, rowOut = y * outW * 3;
            for (int xx = 0; xx < outW; xx++) {
                int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1], kOff = xx * c.ksize;
                int r = 1 << (PRECISION_BITS - 1), g = r, b = r;
                for (int x = 0; x < xmax; x++) {
                    int w = c.weights[kOff + x];
                    int p = rowIn + (x + xmin) * 3;
                    r += (src[p] & 0xff) * w;
                    g += (src[p + 1] & 0xff) * w;
                    b += (src[p + 2] & 0xff) * w;
                }
                int o = rowOut + xx * 3;
                dst[o] = (byte) clip8(r);
                dst[o + 1] = (byte) clip8(g);
                dst[o + 2] = (byte) clip8(b);
            }
        }
        return new RgbImage(outW, h, dst);
    }

    private static RgbImage vertical(RgbImage in, int outH, Filter filter) {
        Coeffs c = coeffs(in.height(), outH, filter);
        int w = in.width();
        int stride = w * 3;
        byte[] src = in.rgb();
        byte[] dst = new byte[w * outH * 3];
        int[] acc = new int[stride];
        for (int yy = 0; yy < outH; yy++) {
            int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1], kOff = yy * c.ksize;
            java.util.Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            for (int y = 0; y < ymax; y++) {
                int wt = c.weights[kOff + y];
                int row = (y + ymin) * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (src[row + i] & 0xff) * wt;
                }
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) {
                dst[o + i] = (byte) clip8(acc[i]);
            }
        }
        return new RgbImage(w, outH, dst);
    }
}
