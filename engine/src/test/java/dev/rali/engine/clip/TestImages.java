package dev.rali.engine.clip;

import dev.rali.engine.data.RgbImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

/** Test-only image reading like PIL's convert("RGB"): raw samples, no colour management, grey replicated. */
final class TestImages {
    private TestImages() { }

    static RgbImage read(Path png) throws IOException {
        return fromRaster(ImageIO.read(png.toFile()), png);
    }

    /**
     * A JPEG decoded like PIL: TwelveMonkeys' reader converts an embedded ICC profile (rocket.jpg carries Adobe RGB)
     * to sRGB, which PIL never does (up to 55 levels apart); with the APP2 segments dropped the bytes equal libjpeg's.
     */
    static RgbImage readJpegIgnoringIcc(Path jpg) throws IOException {
        byte[] b = java.nio.file.Files.readAllBytes(jpg);
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.write(b, 0, 2);
        int i = 2;
        while (i + 3 < b.length) {
            int marker = b[i + 1] & 0xff;
            if (marker == 0xDA) { // start of scan: copy the rest
                break;
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker != 0xE2) {
                o.write(b, i, len + 2);
            }
            i += len + 2;
        }
        o.write(b, i, b.length - i);
        return fromRaster(ImageIO.read(new java.io.ByteArrayInputStream(o.toByteArray())), jpg);
    }

    private static RgbImage fromRaster(BufferedImage bi, Path png) throws IOException {
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
