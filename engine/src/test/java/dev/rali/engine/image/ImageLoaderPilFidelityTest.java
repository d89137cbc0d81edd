package dev.rali.engine.image;

import dev.rali.engine.TestPaths;
import dev.rali.engine.data.RgbImage;
import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decoding of the shared photos equals PIL's {@code np.asarray(Image.open(f).convert("RGB"))}.
 * Reference values made 2026-11-27 with /usr/bin/python3, Pillow 9.4.0 (libjpeg-turbo):
 * {@code int(a.astype(np.int64).sum())}, {@code hashlib.sha256(a.tobytes()).hexdigest()[:16]}, {@code a[10,20]}.
 * Several of these files carry ICC profiles, which PIL ignores and ImageIO's colour-managed path would apply.
 */
class ImageLoaderPilFidelityTest {

    @ParameterizedTest
    @CsvSource({
            "camera.png, 512, 512, 101497485, 13e2b4aa92cb1649, 200, 200, 200",
            "coffee.png, 600, 400, 71003487, 0ce2b51640b9c95f, 30, 20, 11",
            "chelsea.png, 451, 300, 46802357, 416b729128bfb2c3, 151, 129, 115",
            "hubble_deep_field.jpg, 1000, 872, 50108051, 9a3ea9548188f81e, 15, 17, 14",
            "retina.jpg, 1411, 1411, 535744832, 3670e389d0dae9f7, 2, 0, 1",
            "rocket.jpg, 640, 427, 53516744, 3d4435cc745752b7, 20, 36, 62",
            "microaneurysms.png, 102, 102, 3100596, 857ad8a4f0ea47c5, 86, 86, 86",
    })
    void photoDecodesExactlyLikePil(String name, int w, int h, long sum, String sha16, int r, int g, int b) throws Exception {
        RgbImage img = ImageLoader.load(TestPaths.shared("fixtures/photos/" + name));
        assertEquals(w, img.width());
        assertEquals(h, img.height());
        assertEquals(r, img.get(20, 10, 0));
        assertEquals(g, img.get(20, 10, 1));
        assertEquals(b, img.get(20, 10, 2));
        long s = 0;
        for (byte v : img.rgb()) {
            s += v & 0xff;
        }
        assertEquals(sum, s, "pixel sum of " + name);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.rgb())).substring(0, 16);
        assertEquals(sha16, hash, "sha256 of RGB bytes of " + name);
    }

    @Test
    void rocketJpegMatchesPilDecodedTensor() throws Exception {
        RgbImage img = ImageLoader.load(TestPaths.shared("fixtures/preprocess/rocket.jpg"));
        byte[] expected;
        try (Safetensors.Reader r = Safetensors.open(TestPaths.shared("fixtures/preprocess/intermediate.safetensors"))) {
            expected = r.bytes("rocket.decoded_u8");
        }
        assertArrayEquals(expected, img.rgb());
    }

    static Path photo(String name) {
        return TestPaths.shared("fixtures/photos/" + name);
    }
}
