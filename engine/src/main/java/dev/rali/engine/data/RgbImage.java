package dev.rali.engine.data;

import java.util.Objects;

/**
 * An 8-bit RGB image in row-major HWC order, as PIL's {@code convert("RGB")} yields it: the single pixel format
 * every consumer (preprocessing, thumbnails, distortions) takes.
 *
 * @param width  columns
 * @param height rows
 * @param rgb    {@code width*height*3} bytes, R,G,B per pixel (unsigned; read with {@code & 0xff})
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + (long) width * height * 3);
        }
    }

    /** Channel value 0..255 at (x, y, c). */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
