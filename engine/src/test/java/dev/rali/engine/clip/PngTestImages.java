package dev.rali.engine.clip;

import dev.rali.engine.data.RgbImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

/** Test-only PNG reading like PIL's convert("RGB"): raw samples, no colour management, grey replicated. */
final class PngTestImages {
    private PngTestImages() { }

    static RgbImage read(Path png) throws IOException {
        BufferedImage bi = ImageIO.read(png.toFile());
        if (bi == null) {
            throw new IOException(png + ": not readable by ImageIO");
        }
        Raster r = bi.getRaster();
        int w = bi.getWidth(), h = bi.getHeight(), bands = r.getNumBands();
        if (r.getSampleModel().getSampleSize(0) != 8) {
            throw new IOException(png + ": only 8-bit test images supported");
        }
        byte[] rgb = new byte[w * h * 3];
        int[] px = new int[bands];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                int o = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) {
                    rgb[o + c] = (byte) px[bands >= 3 ? c : 0];
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }
}
