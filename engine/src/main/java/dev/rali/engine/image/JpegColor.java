package dev.rali.engine.image;

import dev.rali.engine.data.RgbImage;

import java.awt.image.Raster;

/** libjpeg's integer colour conversion (jdcolor.c) and PIL's CMYK-to-RGB (Convert.c cmyk2rgb). */
final class JpegColor {
    private JpegColor() { }

    private static final int SCALEBITS = 16;
    private static final int ONE_HALF = 1 << (SCALEBITS - 1);
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    private static int fix(double x) {
        return (int) (x * (1L << SCALEBITS) + 0.5);
    }

    static {
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
            CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
            CR_G[i] = -fix(0.71414) * x;
            CB_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Raw decoded JPEG components (8-bit) to RGB per the header's colour space. */
    static RgbImage convert(Raster r, JpegHeader.ColorSpace cs) {
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = r.getNumBands();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            r.getPixels(r.getMinX(), r.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int i = x * bands;
                int o = (y * w + x) * 3;
                switch (cs) {
                    case GRAY -> out[o] = out[o + 1] = out[o + 2] = (byte) row[i];
                    case RGB -> {
                        out[o] = (byte) row[i];
                        out[o + 1] = (byte) row[i + 1];
                        out[o + 2] = (byte) row[i + 2];
                    }
                    case YCBCR -> ycc(row[i], row[i + 1], row[i + 2], out, o);
                    case CMYK -> // PIL reads JPEG CMYK as "CMYK;I" (Adobe convention: stored inverted)
                            cmykToRgb(255 - row[i], 255 - row[i + 1], 255 - row[i + 2], 255 - row[i + 3], out, o);
                    case YCCK -> {
                        // libjpeg: YCC -> RGB, then C,M,Y = 255 - R,G,B and K unchanged; then PIL's inversion
                        byte[] rgb = new byte[3];
                        ycc(row[i], row[i + 1], row[i + 2], rgb, 0);
                        cmykToRgb(rgb[0] & 0xff, rgb[1] & 0xff, rgb[2] & 0xff, 255 - row[i + 3], out, o);
                    }
                    default -> throw new IllegalStateException("unsupported JPEG colour space " + cs);
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    static void ycc(int y, int cb, int cr, byte[] out, int o) {
        out[o] = (byte) clamp(y + CR_R[cr]);
        out[o + 1] = (byte) clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
        out[o + 2] = (byte) clamp(y + CB_B[cb]);
    }

    /** PIL cmyk2rgb: nk = 255 - k; channel = nk - round(c * nk / 255) (MULDIV255). */
    static void cmykToRgb(int c, int m, int y, int k, byte[] out, int o) {
        int nk = 255 - k;
        out[o] = (byte) clamp(nk - muldiv255(c, nk));
        out[o + 1] = (byte) clamp(nk - muldiv255(m, nk));
        out[o + 2] = (byte) clamp(nk - muldiv255(y, nk));
    }

    private static int muldiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }
}
