package dev.rali.engine.image;

import dev.rali.engine.data.RgbImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Small files written by Pillow 9.4.0 (/usr/bin/python3, 2026-11-27) from one 48x40 noisy colour pattern, in the
 * modes and encodings the datasets use; expected values are PIL's own decoding,
 * {@code a = np.asarray(ImageOps.exif_transpose(im) if exif else im).convert("RGB")}: width, height,
 * {@code a.sum()}, {@code sha256(a.tobytes())[:16]}. Bit-exact equality is the bar (same libjpeg arithmetic).
 */
class ImageLoaderPilSyntheticTest {

    @ParameterizedTest
    @CsvSource({
            "cmyk.jpg, 48, 40, 703870, 0c7f2cbd1bb6f4af",            // CMYK, Adobe-inverted
            "exif6.jpg, 40, 48, 703855, 01b547ba20f7108e",           // EXIF orientation 6, rotated
            "grey.jpg, 48, 40, 693303, 563e7ab8d5fb5734",            // L
            "grey16.png, 48, 40, 1319949, 532c355be227c03a",         // I (16-bit grey): clipped
            "la.png, 48, 40, 693246, ba8790dbf3a81826",              // LA
            "palette.png, 48, 40, 702630, 53fd9a0f1c6cf7ab",         // P
            "progressive.jpg, 48, 40, 704035, 41975ead7097cd31",     // progressive 4:2:0
            "q90_420.jpg, 48, 40, 703855, 0c9e01f4d2bf06d9",
            "q90_422.jpg, 48, 40, 703970, b5e4b49d39597a8d",
            "q90_444.jpg, 48, 40, 703891, c0f3d83ac80f3f4b",
            "rgba.png, 48, 40, 703796, 44216fa1e8c1f5f7",            // RGBA: alpha dropped
            "tiff_lzw.tif, 48, 40, 703796, 44216fa1e8c1f5f7",
            "webp_lossless.webp, 48, 40, 703796, 44216fa1e8c1f5f7",
            // YCCK (Adobe transform 2), written by the JDK's JPEG writer, reference decoded by Pillow 9.4.0
            "ycck.jpg, 24, 16, 51194, 911e54316062f138",
    })
    void decodesLikePil(String file, int w, int h, long sum, String sha16) throws Exception {
        Path p = Path.of(getClass().getResource("pil/" + file).toURI());
        RgbImage img = ImageLoader.load(p);
        assertEquals(w, img.width(), "width");
        assertEquals(h, img.height(), "height");
        long s = 0;
        for (byte v : img.rgb()) {
            s += v & 0xff;
        }
        assertEquals(sum, s, "pixel sum");
        assertEquals(sha16, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.rgb())).substring(0, 16));
    }
}
