package dev.rali.engine.image;

import dev.rali.engine.data.RgbImage;

import java.nio.charset.StandardCharsets;

/**
 * Finds the EXIF orientation tag (0x0112) and applies it like PIL's {@code ImageOps.exif_transpose}. A small
 * parser on purpose: only IFD0 of the TIFF structure is read, inside a JPEG APP1 "Exif" segment, a PNG eXIf
 * chunk, a WebP EXIF chunk or a TIFF file itself. Anything malformed means "no orientation" (1), as in PIL.
 */
final class ExifOrientation {
    private ExifOrientation() { }

    /** The orientation 1..8 stored in the file, 1 when absent or unreadable. */
    static int read(byte[] file) {
        try {
            if (file.length > 4 && (file[0] & 0xff) == 0xFF && (file[1] & 0xff) == 0xD8) {
                return fromJpeg(file);
            }
            if (file.length > 8 && (file[0] & 0xff) == 0x89 && file[1] == 'P' && file[2] == 'N' && file[3] == 'G') {
                return fromPng(file);
            }
            if (file.length > 12 && ascii(file, 0, 4).equals("RIFF") && ascii(file, 8, 4).equals("WEBP")) {
                return fromWebp(file);
            }
            if (file.length > 8 && (ascii(file, 0, 2).equals("II") || ascii(file, 0, 2).equals("MM"))) {
                return fromTiff(file, 0, file.length);
            }
        } catch (RuntimeException e) {
            return 1; // malformed metadata never blocks decoding
        }
        return 1;
    }

    private static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }

    private static int fromJpeg(byte[] b) {
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xff) != 0xFF) {
                return 1;
            }
            int marker = b[p + 1] & 0xff;
            if (marker == 0xFF) { // fill byte
                p++;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) { // end of image / start of scan: metadata is over
                return 1;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                p += 2;
                continue;
            }
            int len = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            if (marker == 0xE1 && len >= 8 && p + 4 + 6 <= b.length && ascii(b, p + 4, 6).equals("Exif\0\0")) {
                int start = p + 10;
                int end = Math.min(b.length, p + 2 + len);
                return fromTiff(b, start, end);
            }
            p += 2 + len;
        }
        return 1;
    }

    private static int fromPng(byte[] b) {
        int p = 8;
        while (p + 12 <= b.length) {
            int len = readInt(b, p, true);
            String type = ascii(b, p + 4, 4);
            if (type.equals("eXIf") || type.equals("zxIf")) {
                int start = p + 8;
                // some writers keep the "Exif\0\0" prefix in the chunk
                if (start + 6 <= b.length && ascii(b, start, 6).equals("Exif\0\0")) {
                    start += 6;
                }
                return fromTiff(b, start, Math.min(b.length, p + 8 + len));
            }
            if (type.equals("IDAT") || type.equals("IEND") || len < 0) {
                // eXIf after IDAT is allowed by the spec; keep scanning but skip the data
                if (type.equals("IEND") || len < 0) {
                    return 1;
                }
            }
            p += 12 + len;
        }
        return 1;
    }

    private static int fromWebp(byte[] b) {
        int p = 12;
        while (p + 8 <= b.length) {
            String type = ascii(b, p, 4);
            int len = readInt(b, p + 4, false);
            if (len < 0) {
                return 1;
            }
            if (type.equals("EXIF")) {
                int start = p + 8;
                if (start + 6 <= b.length && ascii(b, start, 6).equals("Exif\0\0")) {
                    start += 6;
                }
                return fromTiff(b, start, Math.min(b.length, p + 8 + len));
            }
            p += 8 + len + (len & 1);
        }
        return 1;
    }

    /** Reads tag 0x0112 from IFD0 of a TIFF structure occupying b[start, end). */
    static int fromTiff(byte[] b, int start, int end) {
        if (end - start < 8) {
            return 1;
        }
        boolean big;
        if (b[start] == 'M' && b[start + 1] == 'M') {
            big = true;
        } else if (b[start] == 'I' && b[start + 1] == 'I') {
            big = false;
        } else {
            return 1;
        }
        long ifd = readInt(b, start + 4, big) & 0xffffffffL;
        long pos = start + ifd;
        if (pos + 2 > end) {
            return 1;
        }
        int count = readShort(b, (int) pos, big);
        for (int i = 0; i < count; i++) {
            int e = (int) pos + 2 + 12 * i;
            if (e + 12 > end) {
                return 1;
            }
            if (readShort(b, e, big) == 0x0112) {
                int type = readShort(b, e + 2, big);
                int v = type == 4 ? readInt(b, e + 8, big) : readShort(b, e + 8, big); // SHORT normally
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 1;
    }

    private static int readShort(byte[] b, int p, boolean big) {
        return big ? ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff) : ((b[p + 1] & 0xff) << 8) | (b[p] & 0xff);
    }

    private static int readInt(byte[] b, int p, boolean big) {
        return big
                ? ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff)
                : ((b[p + 3] & 0xff) << 24) | ((b[p + 2] & 0xff) << 16) | ((b[p + 1] & 0xff) << 8) | (b[p] & 0xff);
    }

    /**
     * Returns the image as displayed for the given orientation (PIL: 2 FLIP_LEFT_RIGHT, 3 ROTATE_180,
     * 4 FLIP_TOP_BOTTOM, 5 TRANSPOSE, 6 ROTATE_270, 7 TRANSVERSE, 8 ROTATE_90).
     */
    static RgbImage apply(RgbImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = img.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                int si = (sy * w + sx) * 3;
                int di = (y * ow + x) * 3;
                out[di] = src[si];
                out[di + 1] = src[si + 1];
                out[di + 2] = src[si + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
