package dev.rali.engine.image;

import dev.rali.engine.data.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageLoaderFormatsTest {
    @TempDir
    Path dir;

    private static void assertPixel(RgbImage img, int x, int y, int r, int g, int b) {
        assertEquals(List.of(r, g, b), List.of(img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)),
                "pixel (" + x + "," + y + ")");
    }

    private static void assertPixelNear(RgbImage img, int x, int y, int r, int g, int b, int tol) {
        int[] got = {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
        int[] want = {r, g, b};
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(got[c] - want[c]) <= tol, "pixel (" + x + "," + y + ") = " + Arrays.toString(got)
                    + ", expected about " + Arrays.toString(want));
        }
    }

    private Path write(BufferedImage img, String format, String name) throws IOException {
        Path p = dir.resolve(name);
        assertTrue(ImageIO.write(img, format, p.toFile()), "no ImageIO writer for " + format);
        return p;
    }

    /** A w x h RGB image whose pixel (x, y) is (10x+1, 20y+2, 7x+5y). */
    static BufferedImage pattern(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((10 * x + 1) << 16) | ((20 * y + 2) << 8) | (7 * x + 5 * y));
            }
        }
        return img;
    }

    @Test
    void losslessFormatsRoundTripExactly() throws Exception {
        BufferedImage src = pattern(5, 4);
        for (String fmt : List.of("png", "bmp", "tiff")) {
            RgbImage img = ImageLoader.load(write(src, fmt, "p." + fmt));
            assertEquals(5, img.width());
            assertEquals(4, img.height());
            assertPixel(img, 0, 0, 1, 2, 0);
            assertPixel(img, 4, 3, 41, 62, 43);
        }
    }

    @Test
    void probeReadsHeaderSizeAndFormat() throws Exception {
        ImageInfo info = ImageLoader.probe(write(pattern(7, 3), "png", "p.png"));
        assertEquals(new ImageInfo(7, 3, "png"), info);
        assertEquals("bmp", ImageLoader.probe(write(pattern(2, 9), "bmp", "p.bmp")).format());
    }

    @Test
    void sixteenBitRgbPngKeepsHighByte() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {0x1234, 0xABCD, 0xFF00});
        r.setPixel(1, 0, new int[] {0x00FF, 0x0100, 0xFFFF});
        RgbImage img = ImageLoader.load(write(new BufferedImage(cm, r, false, null), "png", "rgb16.png"));
        assertPixel(img, 0, 0, 0x12, 0xAB, 0xFF);
        assertPixel(img, 1, 0, 0x00, 0x01, 0xFF);
    }

    @Test
    void sixteenBitGreyPngClipsLikePilModeI() throws Exception {
        BufferedImage g = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        g.getRaster().setSample(0, 0, 0, 200);
        g.getRaster().setSample(1, 0, 0, 255);
        g.getRaster().setSample(2, 0, 0, 0x1234);
        RgbImage img = ImageLoader.load(write(g, "png", "grey16.png"));
        // Pillow opens 16-bit grey PNG as mode "I"; convert("RGB") clips to 0..255
        assertPixel(img, 0, 0, 200, 200, 200);
        assertPixel(img, 1, 0, 255, 255, 255);
        assertPixel(img, 2, 0, 255, 255, 255);
    }

    @Test
    void paletteWithTransparencyUsesPaletteColourAndDropsAlpha() throws Exception {
        byte[] r = {(byte) 255, 0, 10};
        byte[] gr = {0, (byte) 128, 20};
        byte[] b = {0, 0, 30};
        byte[] a = {0, (byte) 255, 100};
        IndexColorModel icm = new IndexColorModel(2, 3, r, gr, b, a);
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        img.getRaster().setSample(0, 0, 0, 0);
        img.getRaster().setSample(1, 0, 0, 1);
        img.getRaster().setSample(2, 0, 0, 2);
        RgbImage out = ImageLoader.load(write(img, "png", "palette.png"));
        assertPixel(out, 0, 0, 255, 0, 0); // fully transparent, colour kept (not composited)
        assertPixel(out, 1, 0, 0, 128, 0);
        assertPixel(out, 2, 0, 10, 20, 30);
    }

    @Test
    void greyAlphaPngReplicatesGreyAndDropsAlpha() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster r = cm.createCompatibleWritableRaster(2, 1);
        r.setPixel(0, 0, new int[] {100, 50});
        r.setPixel(1, 0, new int[] {7, 0});
        RgbImage img = ImageLoader.load(write(new BufferedImage(cm, r, false, null), "png", "la.png"));
        // no gamma conversion (ImageIO's getRGB would brighten linear grey), no compositing
        assertPixel(img, 0, 0, 100, 100, 100);
        assertPixel(img, 1, 0, 7, 7, 7);
    }

    @Test
    void greyPngIsNotGammaConverted() throws Exception {
        BufferedImage g = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(0, 0, 0, 64);
        assertPixel(ImageLoader.load(write(g, "png", "g.png")), 0, 0, 64, 64, 64);
    }

    @Test
    void cmykJpegConvertsLikePil() throws Exception {
        // Raw 4-channel JPEG via the JDK writer (Adobe marker, no colour transform). PIL reads JPEG CMYK as
        // "CMYK;I" (inverted) and cmyk2rgb: stored (255,0,255,255) -> CMYK (0,255,0,0) -> RGB (255,0,255).
        Path p = dir.resolve("cmyk.jpg");
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                r.setPixel(x, y, x < 8 ? new int[] {255, 0, 255, 255} : new int[] {255, 255, 255, 128});
            }
        }
        writeJpegRaster(r, p);
        RgbImage img = ImageLoader.load(p);
        assertPixelNear(img, 2, 8, 255, 0, 255, 3);
        // (255,255,255,128) stored -> CMYK (0,0,0,127) -> nk = 128 -> grey 128
        assertPixelNear(img, 13, 8, 128, 128, 128, 3);
    }

    private static void writeJpegRaster(Raster raster, Path p) throws IOException {
        ImageWriter w = null;
        for (var it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter c = it.next();
            if (c.getClass().getName().startsWith("com.sun.imageio")) {
                w = c;
            }
        }
        assertTrue(w != null, "JDK JPEG writer present");
        ImageWriteParam param = w.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1.0f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(p.toFile())) {
            w.setOutput(out);
            w.write(null, new IIOImage(raster, null, null), param);
        } finally {
            w.dispose();
        }
    }

    static byte[] jpegBytes(BufferedImage img) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = w.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1.0f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            w.write(null, new IIOImage(img, null, null), param);
        } finally {
            w.dispose();
        }
        return bos.toByteArray();
    }

    /** An Exif APP1 segment (big-endian TIFF) holding only the orientation tag. */
    static byte[] exifTiff(int orientation) {
        ByteBuffer b = ByteBuffer.allocate(26);
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    static byte[] withJpegExif(byte[] jpeg, int orientation) {
        byte[] tiff = exifTiff(orientation);
        int len = 2 + 6 + tiff.length;
        ByteBuffer b = ByteBuffer.allocate(jpeg.length + 2 + len);
        b.put(jpeg, 0, 2); // SOI
        b.put((byte) 0xFF).put((byte) 0xE1).putShort((short) len).put("Exif\0\0".getBytes()).put(tiff);
        b.put(jpeg, 2, jpeg.length - 2);
        return b.array();
    }

    static byte[] withPngChunk(byte[] png, String type, byte[] data) {
        // insert right after IHDR (8-byte signature + 25-byte IHDR chunk)
        ByteBuffer b = ByteBuffer.allocate(png.length + 12 + data.length);
        b.put(png, 0, 33);
        b.putInt(data.length).put(type.getBytes()).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        b.putInt((int) crc.getValue());
        b.put(png, 33, png.length - 33);
        return b.array();
    }

    static byte[] pngBytes(BufferedImage img) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bos);
        return bos.toByteArray();
    }

    @Test
    void pngExifOrientationIsApplied() throws Exception {
        BufferedImage src = pattern(3, 2); // (x,y) -> (10x+1, 20y+2, ..)
        byte[] png = pngBytes(src);
        int[][] cases = {
                // orientation, out w, out h, out(0,0) comes from src (sx, sy)
                {1, 3, 2, 0, 0}, {2, 3, 2, 2, 0}, {3, 3, 2, 2, 1}, {4, 3, 2, 0, 1},
                {5, 2, 3, 0, 0}, {6, 2, 3, 0, 1}, {7, 2, 3, 2, 1}, {8, 2, 3, 2, 0},
        };
        for (int[] c : cases) {
            Path p = dir.resolve("o" + c[0] + ".png");
            Files.write(p, withPngChunk(png, "eXIf", exifTiff(c[0])));
            RgbImage img = ImageLoader.load(p);
            assertEquals(c[1], img.width(), "width for orientation " + c[0]);
            assertEquals(c[2], img.height(), "height for orientation " + c[0]);
            assertPixel(img, 0, 0, 10 * c[3] + 1, 20 * c[4] + 2, 7 * c[3] + 5 * c[4]);
        }
        // orientation 6 = rotate 90 degrees clockwise: the source's bottom-left lands top-left,
        // and the source's top-left lands top-right
        RgbImage r6 = ImageLoader.load(dir.resolve("o6.png"));
        assertPixel(r6, 1, 0, 1, 2, 0);
    }

    @Test
    void jpegExifOrientationSixRotatesClockwise() throws Exception {
        BufferedImage src = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                src.setRGB(x, y, x < 16 ? 0xFFFFFF : 0x000000); // left half white
            }
        }
        Path p = dir.resolve("rot.jpg");
        Files.write(p, withJpegExif(jpegBytes(src), 6));
        RgbImage img = ImageLoader.load(p);
        assertEquals(16, img.width());
        assertEquals(32, img.height());
        // rotated clockwise: the white left half becomes the top half
        assertPixelNear(img, 8, 4, 255, 255, 255, 4);
        assertPixelNear(img, 8, 28, 0, 0, 0, 4);
        assertEquals(new ImageInfo(32, 16, "jpeg"), ImageLoader.probe(p)); // probe reports stored size
    }

    /** A PNG consisting of signature + IHDR claiming the given size + IEND: no pixel data at all. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        b.putInt(13).put("IHDR".getBytes()).put(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update("IHDR".getBytes());
        crc.update(ihdr.array());
        b.putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes());
        CRC32 c2 = new CRC32();
        c2.update("IEND".getBytes());
        b.putInt((int) c2.getValue());
        return b.array();
    }

    @Test
    void decompressionBombIsRefusedFromTheHeader() throws Exception {
        Path big = dir.resolve("bomb.png");
        Files.write(big, pngHeaderOnly(20_000, 20_000)); // 400 M pixels > 178,956,970
        ImageLoadException e = assertThrows(ImageLoadException.class, () -> ImageLoader.load(big));
        assertTrue(e.getMessage().contains("decompression-bomb"), e.getMessage());
        assertTrue(e.getMessage().contains("bomb.png"), e.getMessage());
        Path wide = dir.resolve("wide.png");
        Files.write(wide, pngHeaderOnly(40_000, 10)); // few pixels, but a side over 30000
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageLoader.load(wide)).getMessage()
                .contains("40000x10"));
        assertEquals(new ImageInfo(20_000, 20_000, "png"), ImageLoader.probe(big)); // probe never decodes
    }

    @Test
    void unicodePathLoads() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("Bilder äöü 日本"));
        Path p = sub.resolve("gültig 画像.png");
        ImageIO.write(pattern(2, 2), "png", Files.newOutputStream(p));
        assertPixel(ImageLoader.load(p), 1, 1, 11, 22, 12);
        assertEquals(List.of(p.toAbsolutePath().normalize()), ImageLoader.listImages(List.of(dir)));
    }

    @Test
    void corruptAndTruncatedFilesFailNamingTheFile() throws Exception {
        Path garbage = dir.resolve("garbage.jpg");
        Files.write(garbage, "definitely not an image".getBytes());
        ImageLoadException e1 = assertThrows(ImageLoadException.class, () -> ImageLoader.load(garbage));
        assertTrue(e1.getMessage().startsWith(garbage.toString()), e1.getMessage());

        byte[] jpeg = jpegBytes(pattern(25, 25));
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(jpeg, jpeg.length / 2));
        ImageLoadException e2 = assertThrows(ImageLoadException.class, () -> ImageLoader.load(cut));
        assertTrue(e2.getMessage().contains("cut.jpg") && e2.getMessage().contains("truncated"), e2.getMessage());

        byte[] png = pngBytes(pattern(25, 25));
        Path cutPng = dir.resolve("cut.png");
        Files.write(cutPng, Arrays.copyOf(png, png.length - 30));
        assertThrows(ImageLoadException.class, () -> ImageLoader.load(cutPng));

        Path missing = dir.resolve("missing.png");
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageLoader.load(missing)).getMessage()
                .contains("file not found"));
        Path empty = dir.resolve("empty.png");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(ImageLoadException.class, () -> ImageLoader.load(empty)).getMessage().contains("empty"));
    }

    @Test
    void listImagesIsRecursiveSortedAndFiltersByExtension() throws Exception {
        Files.createDirectories(dir.resolve("b/c"));
        for (String n : List.of("b/c/z.PNG", "b/a.jpg", "x.bmp", "notes.txt", ".hidden.png", "b/c/y.webp")) {
            Files.write(dir.resolve(n), new byte[] {1});
        }
        List<Path> found = ImageLoader.listImages(List.of(dir));
        assertEquals(List.of("b/a.jpg", "b/c/y.webp", "b/c/z.PNG", "x.bmp"),
                found.stream().map(p -> dir.toAbsolutePath().relativize(p).toString().replace('\\', '/')).toList());
        assertTrue(ImageLoader.isImageFile(Path.of("a.TIFF")));
        assertTrue(!ImageLoader.isImageFile(Path.of("a.gif")));
        assertThrows(IOException.class, () -> ImageLoader.listImages(List.of(dir.resolve("nope"))));
    }

    @Test
    void bmp16BitAndGreyBmpDecode() throws Exception {
        BufferedImage g = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(0, 0, 0, 30);
        g.getRaster().setSample(1, 0, 0, 220);
        RgbImage img = ImageLoader.load(write(g, "bmp", "g.bmp"));
        assertPixel(img, 0, 0, 30, 30, 30);
        assertPixel(img, 1, 0, 220, 220, 220);
        BufferedImage s = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_565_RGB);
        s.setRGB(0, 0, 0xFF0000);
        assertPixel(ImageLoader.load(write(s, "bmp", "565.bmp")), 0, 0, 255, 0, 0);
    }

    @Test
    void typeSpecifierSanity() {
        // guard: ImageIO has writers for the formats the tests above create
        assertTrue(ImageIO.getImageWriters(ImageTypeSpecifier.createFromRenderedImage(pattern(1, 1)), "png").hasNext());
    }
}
