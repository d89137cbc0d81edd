package dev.rali.engine.sample;

import dev.rali.engine.data.RgbImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small pixel helpers of the sample-project generator: reading the bundled photos, PNG output, resampling and
 * cropping. Kept here (not in the general image loader) because the generator only ever reads its own bundled,
 * known-good PNG/JPEG photos and needs byte-exact, dependency-free behaviour.
 */
public final class ImageOps {
    private ImageOps() { }

    /**
     * Reads a PNG/JPEG photo as RGB. Greyscale rasters are read sample-wise and replicated (BufferedImage.getRGB
     * would gamma-convert linear-grey PNGs and brighten them).
     */
    public static RgbImage read(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException(file + ": not a readable image (no decoder recognised it)");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        int bits = img.getColorModel().getComponentSize(0);
        boolean indexed = img.getColorModel() instanceof java.awt.image.IndexColorModel;
        if (!indexed && (bands == 1 || bands == 2) && bits <= 16) {
            int max = (1 << bits) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = (int) Math.round(r.getSample(x, y, 0) * 255.0 / max);
                    int o = (y * w + x) * 3;
                    rgb[o] = rgb[o + 1] = rgb[o + 2] = (byte) v;
                }
            }
        } else if (!indexed && (bands == 3 || bands == 4) && bits == 8
                && img.getColorModel().getColorSpace().isCS_sRGB()) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        rgb[o + c] = (byte) r.getSample(x, y, c);
                    }
                }
            }
        } else {
            argbInto(img, rgb);
        }
        return new RgbImage(w, h, rgb);
    }

    /** True when every pixel has R == G == B (greyscale content: colour distortions would be no-ops). */
    public static boolean isGrey(RgbImage img) {
        byte[] p = img.rgb();
        for (int i = 0; i < p.length; i += 3) {
            if (p[i] != p[i + 1] || p[i] != p[i + 2]) {
                return false;
            }
        }
        return true;
    }

    public static BufferedImage toBuffered(RgbImage img) {
        BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
        byte[] src = img.rgb();
        for (int i = 0; i < src.length; i += 3) {
            dst[i] = src[i + 2];
            dst[i + 1] = src[i + 1];
            dst[i + 2] = src[i];
        }
        return out;
    }

    public static RgbImage fromBuffered(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[w * h * 3];
        argbInto(img, rgb);
        return new RgbImage(w, h, rgb);
    }

    /** Copies the image's pixels, as sRGB via getRGB, into rgb (row-major R, G, B bytes). */
    private static void argbInto(BufferedImage img, byte[] rgb) {
        int w = img.getWidth();
        int h = img.getHeight();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (p >> 16);
                rgb[o + 1] = (byte) (p >> 8);
                rgb[o + 2] = (byte) p;
            }
        }
    }

    public static void writePng(RgbImage img, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        // atomically: a build killed mid-image must not leave a truncated PNG that a later build or import trusts
        java.awt.image.BufferedImage buffered = toBuffered(img);
        dev.rali.engine.io.AtomicFiles.write(file, out -> {
            if (!ImageIO.write(buffered, "png", out)) {
                throw new IOException(file + ": no PNG writer available");
            }
        });
    }

    /** Crops the rectangle [x, x+w) × [y, y+h). */
    public static RgbImage crop(RgbImage img, int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > img.width() || y + h > img.height()) {
            throw new IllegalArgumentException("crop " + w + "x" + h + "+" + x + "+" + y + " outside image "
                    + img.width() + "x" + img.height());
        }
        byte[] out = new byte[w * h * 3];
        for (int row = 0; row < h; row++) {
            System.arraycopy(img.rgb(), ((y + row) * img.width() + x) * 3, out, row * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** Mirror left-right. */
    public static RgbImage flipHorizontal(RgbImage img) {
        int w = img.width();
        byte[] src = img.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(src, (y * w + x) * 3, out, (y * w + (w - 1 - x)) * 3, 3);
            }
        }
        return new RgbImage(w, img.height(), out);
    }

    /** Resizes so the shorter side is {@code side}, then centre-crops a side × side square. */
    public static RgbImage squareThumbnail(RgbImage img, int side) {
        double scale = (double) side / Math.min(img.width(), img.height());
        int w = Math.max(side, (int) Math.round(img.width() * scale));
        int h = Math.max(side, (int) Math.round(img.height() * scale));
        RgbImage r = resize(img, w, h);
        return crop(r, (w - side) / 2, (h - side) / 2, side, side);
    }

    /**
     * Separable triangle-filter resampling with antialiasing (support widened by the downscale factor), like PIL's
     * BILINEAR resize: smooth thumbnails without aliasing.
     */
    public static RgbImage resize(RgbImage img, int w, int h) {
        if (w == img.width() && h == img.height()) {
            return img;
        }
        float[] src = new float[img.rgb().length];
        for (int i = 0; i < src.length; i++) {
            src[i] = img.rgb()[i] & 0xff;
        }
        float[] tmp = resample(src, img.width(), img.height(), w, true);
        float[] dst = resample(tmp, w, img.height(), h, false);
        return new RgbImage(w, h, toBytes(dst));
    }

    private static float[] resample(float[] src, int sw, int sh, int out, boolean horizontal) {
        int inLen = horizontal ? sw : sh;
        double scale = (double) inLen / out;
        double support = Math.max(1.0, scale);
        int ow = horizontal ? out : sw;
        int oh = horizontal ? sh : out;
        float[] dst = new float[ow * oh * 3];
        for (int o = 0; o < out; o++) {
            double center = (o + 0.5) * scale;
            int lo = (int) Math.max(0, Math.floor(center - support));
            int hi = (int) Math.min(inLen - 1, Math.ceil(center + support));
            double[] wts = new double[hi - lo + 1];
            double sum = 0;
            for (int i = lo; i <= hi; i++) {
                double d = Math.abs((i + 0.5 - center) / support);
                double wt = Math.max(0, 1 - d);
                wts[i - lo] = wt;
                sum += wt;
            }
            if (sum == 0) {
                int nearest = (int) Math.min(inLen - 1, Math.max(0, Math.floor(center)));
                java.util.Arrays.fill(wts, 0);
                wts[nearest - lo] = 1;
                sum = 1;
            }
            int lines = horizontal ? sh : sw;
            for (int line = 0; line < lines; line++) {
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int i = lo; i <= hi; i++) {
                        int idx = horizontal ? (line * sw + i) * 3 + c : (i * sw + line) * 3 + c;
                        acc += wts[i - lo] * src[idx];
                    }
                    int di = horizontal ? (line * ow + o) * 3 + c : (o * ow + line) * 3 + c;
                    dst[di] = (float) (acc / sum);
                }
            }
        }
        return dst;
    }

    static byte[] toBytes(float[] v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) clamp255(Math.round(v[i]));
        }
        return out;
    }

    static int clamp255(long v) {
        return (int) Math.max(0, Math.min(255, v));
    }
}
