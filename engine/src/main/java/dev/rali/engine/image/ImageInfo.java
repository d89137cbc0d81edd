package dev.rali.engine.image;

/**
 * What {@link ImageLoader#probe} learns from a file's header without decoding pixels.
 *
 * @param width  stored width in pixels (before EXIF orientation)
 * @param height stored height in pixels (before EXIF orientation)
 * @param format lower-case format name as the ImageIO reader reports it (jpeg, png, bmp, tif, webp)
 */
public record ImageInfo(int width, int height, String format) { }
