package dev.rali.engine.analysis.saliency;

import dev.rali.engine.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Draws a {@link ImageSaliency} as one PNG with three panels: the model input, the attention rollout
 * (brighter = more attention) and the occlusion attribution (red raises the score, blue lowers it; each scaled to
 * its largest magnitude).
 */
public final class SaliencyImage {
    private SaliencyImage() { }

    public static BufferedImage render(ImageSaliency r) {
        int s = r.size();
        int scale = Math.max(1, (224 + s - 1) / s);
        int side = s * scale;
        BufferedImage out = new BufferedImage(3 * side, side, BufferedImage.TYPE_INT_RGB);
        double rollMax = max(r.rollout());
        double occMax = max(r.occlusion());
        int cells = r.occlusion().length;
        int cellPx = r.window() * r.patch();
        int[] input = r.inputRgb();
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int px = x / scale;
                int py = y / scale;
                int argb = input[py * s + px];
                int[] rgb = {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
                out.setRGB(x, y, pack(rgb[0], rgb[1], rgb[2]));
                double grey = (rgb[0] + rgb[1] + rgb[2]) / 3.0 / 255;
                double roll = rollMax > 0 ? r.rollout()[Math.min(r.grid() - 1, py / r.patch())][Math.min(r.grid() - 1, px / r.patch())] / rollMax : 0;
                int g = (int) Math.round(255 * (0.3 * grey + 0.7 * roll));
                out.setRGB(side + x, y, pack(g, g, (int) Math.round(255 * 0.3 * grey)));
                double o = occMax > 0 ? r.occlusion()[Math.min(cells - 1, py / cellPx)][Math.min(cells - 1, px / cellPx)] / occMax : 0;
                int base = (int) Math.round(255 * 0.4 * grey);
                int red = o > 0 ? base + (int) Math.round((255 - base) * o) : base;
                int blue = o < 0 ? base + (int) Math.round((255 - base) * -o) : base;
                out.setRGB(2 * side + x, y, pack(red, base, blue));
            }
        }
        return out;
    }

    /** Writes the PNG atomically (io.AtomicFiles). */
    public static void write(ImageSaliency r, Path file) throws IOException {
        BufferedImage img = render(r);
        AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
    }

    private static int pack(int r, int g, int b) {
        return (Math.min(255, r) << 16) | (Math.min(255, g) << 8) | Math.min(255, b);
    }

    private static double max(double[][] m) {
        double x = 0;
        for (double[] row : m) {
            for (double v : row) {
                x = Math.max(x, Math.abs(v));
            }
        }
        return x;
    }
}
