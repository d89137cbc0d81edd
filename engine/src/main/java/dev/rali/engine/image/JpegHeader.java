package dev.rali.engine.image;

/**
 * The few JPEG header facts that decide how libjpeg (and so PIL) interprets the decoded components: component
 * count and ids, JFIF/Adobe markers, Adobe transform flag. Mirrors libjpeg's {@code default_decompress_parms}.
 */
final class JpegHeader {
    enum ColorSpace { GRAY, YCBCR, RGB, CMYK, YCCK, UNKNOWN }

    int components;
    int[] componentIds = new int[0];
    boolean jfif;
    boolean adobe;
    int adobeTransform = -1;
    boolean baselineOrProgressiveHuffman; // SOF0/1/2: what the JDK decoder handles

    static JpegHeader parse(byte[] b) {
        JpegHeader h = new JpegHeader();
        int p = 2;
        while (p + 4 <= b.length) {
            if ((b[p] & 0xff) != 0xFF) {
                break;
            }
            int marker = b[p + 1] & 0xff;
            if (marker == 0xFF) {
                p++;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                break;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                p += 2;
                continue;
            }
            int len = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            int d = p + 4;
            if (marker == 0xE0 && len >= 7 && d + 5 <= b.length
                    && b[d] == 'J' && b[d + 1] == 'F' && b[d + 2] == 'I' && b[d + 3] == 'F' && b[d + 4] == 0) {
                h.jfif = true;
            } else if (marker == 0xEE && len >= 14 && d + 12 <= b.length
                    && b[d] == 'A' && b[d + 1] == 'd' && b[d + 2] == 'o' && b[d + 3] == 'b' && b[d + 4] == 'e') {
                h.adobe = true;
                h.adobeTransform = b[d + 11] & 0xff;
            } else if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                h.baselineOrProgressiveHuffman = marker <= 0xC2;
                if (d + 6 <= b.length) {
                    h.components = b[d + 5] & 0xff;
                    h.componentIds = new int[h.components];
                    for (int i = 0; i < h.components && d + 6 + 3 * i < b.length; i++) {
                        h.componentIds[i] = b[d + 6 + 3 * i] & 0xff;
                    }
                }
            }
            p += 2 + len;
        }
        return h;
    }

    ColorSpace colorSpace() {
        switch (components) {
            case 1:
                return ColorSpace.GRAY;
            case 3:
                if (jfif) {
                    return ColorSpace.YCBCR;
                }
                if (adobe) {
                    return adobeTransform == 0 ? ColorSpace.RGB : ColorSpace.YCBCR;
                }
                if (componentIds.length == 3 && componentIds[0] == 'R' && componentIds[1] == 'G' && componentIds[2] == 'B') {
                    return ColorSpace.RGB;
                }
                return ColorSpace.YCBCR;
            case 4:
                return adobe && adobeTransform == 2 ? ColorSpace.YCCK : ColorSpace.CMYK;
            default:
                return ColorSpace.UNKNOWN;
        }
    }
}
