package dev.rali.engine.image;

import dev.rali.engine.data.RgbImage;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The one image loader: any supported file to 8-bit RGB the way PIL's {@code Image.open(p).convert("RGB")} gives
 * it, after {@code ImageOps.exif_transpose}. Differences from a plain {@code ImageIO.read} that matter for
 * fidelity with the Python pipeline the paper used:
 * <ul>
 *   <li>Pixels come from the raw raster, never through Java2D colour management: embedded ICC profiles are
 *       ignored (PIL ignores them in convert), grey stays grey (ImageIO's linear-grey getRGB brightens it).</li>
 *   <li>Baseline/progressive YCbCr JPEGs are decoded to raw YCbCr by the JDK's libjpeg and converted with
 *       libjpeg's integer tables, as PIL's libjpeg does; CMYK/YCCK JPEGs use PIL's Adobe-inverted CMYK and
 *       its cmyk2rgb formula.</li>
 *   <li>Alpha is dropped, not composited; 16-bit samples keep their high byte (PIL's ";16B" raw modes), except
 *       16-bit single-channel images, which PIL opens as mode "I" and clips to 0..255 on convert.</li>
 * </ul>
 * A decompression-bomb guard reads the header size before decoding. Errors are {@link ImageLoadException}s naming
 * the file and the reason.
 */
public final class ImageLoader {
    /** PIL raises DecompressionBombError above twice its MAX_IMAGE_PIXELS (89,478,485). */
    public static final long MAX_PIXELS = 178_956_970L;
    /** Any side longer than this is refused even if the pixel count passes. */
    public static final int MAX_SIDE = 30_000;

    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "jpe", "jfif", "png", "bmp", "dib",
            "tif", "tiff", "webp");

    static {
        ImageIO.setUseCache(false); // decode from memory; no temp files
        ImageIO.scanForPlugins();
    }

    private ImageLoader() { }

    /** True when the file name has an image extension this loader reads (case-insensitive). */
    public static boolean isImageFile(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * The image files among the given files and folders (folders searched recursively, hidden files skipped),
     * sorted by path, without duplicates. A missing path is an error naming it.
     */
    public static List<Path> listImages(List<Path> filesOrFolders) throws IOException {
        java.util.TreeSet<Path> out = new java.util.TreeSet<>();
        for (Path p : filesOrFolders) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile)
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .filter(ImageLoader::isImageFile)
                            .forEach(f -> out.add(f.toAbsolutePath().normalize()));
                }
            } else if (Files.isRegularFile(p)) {
                if (isImageFile(p)) {
                    out.add(p.toAbsolutePath().normalize());
                }
            } else {
                throw new NoSuchFileException(p.toString(), null, "no such file or folder");
            }
        }
        return new ArrayList<>(out);
    }

    /** Size and format from the header only (cheap: streams the file lazily; no pixel decoding, no bomb guard). */
    public static ImageInfo probe(Path file) throws ImageLoadException {
        if (!Files.isRegularFile(file)) {
            throw new ImageLoadException(file, Files.exists(file) ? "not a regular file" : "file not found");
        }
        ImageReader reader = null;
        try (InputStream raw = Files.newInputStream(file);
             ImageInputStream in = new MemoryCacheImageInputStream(new BufferedInputStream(raw, 8192))) {
            byte[] magic = new byte[8];
            in.mark();
            int n = in.read(magic);
            in.reset();
            if (n <= 0) {
                throw new ImageLoadException(file, "file is empty");
            }
            reader = firstReader(file, in, Arrays.copyOf(magic, n));
            reader.setInput(in, true, true);
            return new ImageInfo(reader.getWidth(0), reader.getHeight(0),
                    reader.getFormatName().toLowerCase(Locale.ROOT));
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(file, "cannot read image header: " + reason(e), e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /** Decodes the file to 8-bit RGB (PIL convert("RGB") semantics, EXIF orientation applied). */
    public static RgbImage load(Path file) throws ImageLoadException {
        byte[] bytes = readBytes(file);
        RgbImage img;
        try {
            img = decode(file, bytes);
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageLoadException(file, "cannot decode image: " + reason(e), e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(file, "not enough memory to decode image", e);
        }
        return ExifOrientation.apply(img, ExifOrientation.read(bytes));
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static byte[] readBytes(Path file) throws ImageLoadException {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ImageLoadException(file, Files.exists(file) ? "not a regular file" : "file not found");
            }
            byte[] b = Files.readAllBytes(file);
            if (b.length == 0) {
                throw new ImageLoadException(file, "file is empty");
            }
            return b;
        } catch (ImageLoadException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageLoadException(file, "cannot read file: " + reason(e), e);
        }
    }

    private static ImageReader firstReader(Path file, ImageInputStream in, byte[] bytes) throws ImageLoadException {
        Iterator<ImageReader> it = ImageIO.getImageReaders(in);
        if (!it.hasNext()) {
            // never echo the file's bytes: a path pointing at a secret must not leak its first bytes into logs
            throw new ImageLoadException(file, "unsupported or unrecognised image format (not JPEG, PNG, BMP, TIFF "
                    + "or WebP)");
        }
        return it.next();
    }

    private static void guard(Path file, int w, int h) throws ImageLoadException {
        if (w <= 0 || h <= 0) {
            throw new ImageLoadException(file, "invalid image size " + w + "x" + h);
        }
        // name the limit actually hit: a 100000x1 strip is refused for its side, not its pixel count
        if (w > MAX_SIDE || h > MAX_SIDE) {
            throw new ImageLoadException(file, "image is " + w + "x" + h + ": its " + (w > MAX_SIDE ? "width " + w
                    : "height " + h) + " exceeds the decompression-bomb limit of " + MAX_SIDE
                    + " pixels per side; refusing to decode");
        }
        if ((long) w * h > MAX_PIXELS) {
            throw new ImageLoadException(file, "image is " + w + "x" + h + " = " + (long) w * h
                    + " pixels, above the decompression-bomb limit of " + MAX_PIXELS + " pixels; refusing to decode");
        }
    }

    private static RgbImage decode(Path file, byte[] bytes) throws IOException {
        boolean jpeg = bytes.length > 3 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8;
        if (jpeg) {
            JpegHeader header = JpegHeader.parse(bytes);
            if (header.baselineOrProgressiveHuffman && header.colorSpace() != JpegHeader.ColorSpace.UNKNOWN) {
                RgbImage raw = decodeJpegRaw(file, bytes, header);
                if (raw != null) {
                    return raw;
                }
            }
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = firstReader(file, in, bytes);
            try {
                reader.setInput(in, true, false);
                guard(file, reader.getWidth(0), reader.getHeight(0));
                List<String> warnings = watchWarnings(reader);
                BufferedImage bi = reader.read(0);
                failOnTruncation(file, warnings);
                return toRgb(bi.getRaster(), bi.getColorModel());
            } finally {
                reader.dispose();
            }
        }
    }

    private static List<String> watchWarnings(ImageReader reader) {
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
        return warnings;
    }

    /** PIL refuses truncated files (LOAD_TRUNCATED_IMAGES is off); libjpeg only warns and pads with grey. */
    private static void failOnTruncation(Path file, List<String> warnings) throws ImageLoadException {
        for (String w : warnings) {
            String l = w.toLowerCase(Locale.ROOT);
            if (l.contains("premature end") || l.contains("truncated")) {
                throw new ImageLoadException(file, "image file is truncated (" + w + ")");
            }
        }
    }

    /**
     * Decodes a Huffman JPEG with the JDK's libjpeg into raw components (upsampled, no colour conversion) and
     * converts them as libjpeg + PIL do. Returns null when the JDK reader is unavailable or refuses the file, so
     * the caller falls back to the general path.
     */
    private static RgbImage decodeJpegRaw(Path file, byte[] bytes, JpegHeader header) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = null;
            for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
                ImageReader r = it.next();
                if (r.getClass().getName().startsWith("com.sun.imageio.plugins.jpeg.")) {
                    reader = r;
                    break;
                }
                r.dispose();
            }
            if (reader == null) {
                return null;
            }
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                guard(file, w, h);
                List<String> warnings = watchWarnings(reader);
                Raster raster;
                try {
                    raster = reader.readRaster(0, null);
                } catch (IIOException e) {
                    String m = reason(e).toLowerCase(Locale.ROOT);
                    if (m.contains("unsupported") || m.contains("not supported")) {
                        return null;
                    }
                    throw e;
                }
                failOnTruncation(file, warnings);
                return JpegColor.convert(raster, header.colorSpace());
            } finally {
                reader.dispose();
            }
        }
    }

    /** Raster + colour model to 8-bit RGB without colour management (see class comment). */
    static RgbImage toRgb(Raster raster, ColorModel cm) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        byte[] out = new byte[w * h * 3];
        if (cm instanceof IndexColorModel icm) {
            int[] idxRow = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, idxRow);
                for (int x = 0; x < w; x++) {
                    int idx = idxRow[x];
                    int o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(idx);
                    out[o + 1] = (byte) icm.getGreen(idx);
                    out[o + 2] = (byte) icm.getBlue(idx);
                }
            }
            return new RgbImage(w, h, out);
        }
        int csType = cm == null ? (bands >= 3 ? ColorSpace.TYPE_RGB : ColorSpace.TYPE_GRAY) : cm.getColorSpace().getType();
        int[] sizes = new int[bands];
        for (int b = 0; b < bands; b++) {
            sizes[b] = cm != null && b < cm.getNumComponents() ? cm.getComponentSize(b) : raster.getSampleModel().getSampleSize(b);
        }
        int dataType = raster.getDataBuffer().getDataType();
        boolean floating = dataType == DataBuffer.TYPE_FLOAT || dataType == DataBuffer.TYPE_DOUBLE;
        boolean grey = csType == ColorSpace.TYPE_GRAY || bands <= 2;
        boolean cmyk = csType == ColorSpace.TYPE_CMYK && bands >= 4;
        // PIL opens single-channel 16/32-bit images as mode "I" and convert clips to 0..255
        boolean clipInsteadOfShift = grey && bands == 1;
        int[] v = new int[bands];
        int[] row = new int[w * bands];
        int x0 = raster.getMinX();
        int y0 = raster.getMinY();
        for (int y = 0; y < h; y++) {
            if (!floating) {
                raster.getPixels(x0, y0 + y, w, 1, row); // one call per row: much faster than per pixel
            }
            for (int x = 0; x < w; x++) {
                if (floating) {
                    for (int b = 0; b < bands; b++) {
                        double d = raster.getSampleDouble(x0 + x, y0 + y, b);
                        v[b] = (int) Math.max(0, Math.min(255, Math.round(d)));
                    }
                } else {
                    for (int b = 0; b < bands; b++) {
                        v[b] = to8(row[x * bands + b], sizes[b], clipInsteadOfShift);
                    }
                }
                int o = (y * w + x) * 3;
                if (cmyk) {
                    JpegColor.cmykToRgb(v[0], v[1], v[2], v[3], out, o);
                } else if (grey) {
                    out[o] = out[o + 1] = out[o + 2] = (byte) v[0];
                } else {
                    out[o] = (byte) v[0];
                    out[o + 1] = (byte) v[1];
                    out[o + 2] = (byte) v[2];
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static int to8(int sample, int bits, boolean clip) {
        if (bits == 8) {
            return sample & 0xff;
        }
        if (bits > 8) {
            return clip ? Math.min(255, Math.max(0, sample)) : (sample >>> (bits - 8)) & 0xff;
        }
        int max = (1 << bits) - 1;
        return max <= 0 ? 0 : sample * 255 / max; // 1/2/4-bit grey, 5/6-bit BMP channels: PIL's scale-up
    }
}
