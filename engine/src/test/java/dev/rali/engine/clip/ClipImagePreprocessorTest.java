package dev.rali.engine.clip;

import dev.rali.engine.TestPaths;
import dev.rali.engine.data.RgbImage;
import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Against shared/fixtures/preprocess (transformers CLIPImageProcessor, PIL 9.4.0; see its README.txt). */
class ClipImagePreprocessorTest {
    private static final Path FIX = TestPaths.shared("fixtures/preprocess");
    private static final ClipImagePreprocessor P336 = ClipImagePreprocessor.of(336);

    private static void assertBitExact(float[] expected, float[] got, String what) {
        assertEquals(expected.length, got.length, what);
        int diff = 0;
        float maxAbs = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(got[i])) {
                diff++;
                maxAbs = Math.max(maxAbs, Math.abs(expected[i] - got[i]));
            }
        }
        assertEquals(0, diff, what + ": " + diff + " values differ, max |diff| " + maxAbs);
    }

    @Test
    void pngPhotosMatchTheReferenceTensorsBitForBit() throws IOException {
        try (Safetensors.Reader exp = Safetensors.open(FIX.resolve("expected.safetensors"));
             Safetensors.Reader mid = Safetensors.open(FIX.resolve("intermediate.safetensors"))) {
            for (String stem : List.of("coffee", "chelsea", "astronaut", "camera")) {
                RgbImage img = TestImages.read(FIX.resolve(stem + ".png"));
                assertArrayEquals(mid.bytes(stem + ".crop_u8"), P336.resizeAndCrop(img).rgb(), stem + " uint8 crop");
                assertBitExact(exp.floats(stem), P336.preprocess(img), stem);
            }
        }
    }

    /** JPEG decoders differ by a grey level; the fixture's PIL-decoded pixels isolate the resize/normalise steps. */
    @Test
    void jpegPhotoMatchesFromPilDecodedPixels() throws IOException {
        try (Safetensors.Reader exp = Safetensors.open(FIX.resolve("expected.safetensors"));
             Safetensors.Reader mid = Safetensors.open(FIX.resolve("intermediate.safetensors"))) {
            RgbImage decoded = new RgbImage(640, 427, mid.bytes("rocket.decoded_u8"));
            assertArrayEquals(mid.bytes("rocket.crop_u8"), P336.resizeAndCrop(decoded).rgb());
            assertBitExact(exp.floats("rocket"), P336.preprocess(decoded), "rocket");
        }
    }

    @Test
    void jpegFileMatchesWhenDecodedWithoutColourManagement() throws IOException {
        RgbImage img = TestImages.readJpegIgnoringIcc(FIX.resolve("rocket.jpg"));
        try (Safetensors.Reader exp = Safetensors.open(FIX.resolve("expected.safetensors"));
             Safetensors.Reader mid = Safetensors.open(FIX.resolve("intermediate.safetensors"))) {
            assertArrayEquals(mid.bytes("rocket.decoded_u8"), img.rgb(), "ImageIO (TwelveMonkeys) vs libjpeg");
            assertBitExact(exp.floats("rocket"), P336.preprocess(img), "rocket from file");
        }
    }

    /** The product path: the project's ImageLoader (PIL-like decoding) then this preprocessor, for every photo. */
    @Test
    void imageLoaderPlusPreprocessorMatchesEveryReferencePhoto() throws IOException {
        try (Safetensors.Reader exp = Safetensors.open(FIX.resolve("expected.safetensors"))) {
            for (String file : List.of("coffee.png", "chelsea.png", "astronaut.png", "camera.png", "rocket.jpg")) {
                RgbImage img = dev.rali.engine.image.ImageLoader.load(FIX.resolve(file));
                assertBitExact(exp.floats(file.substring(0, file.indexOf('.'))), P336.preprocess(img), file);
            }
        }
    }

    @Test
    void resizedSizesFollowTransformersShortestEdgeRule() {
        assertArrayEquals(new int[] {504, 336}, P336.resizedSize(600, 400));
        assertArrayEquals(new int[] {505, 336}, P336.resizedSize(451, 300));
        assertArrayEquals(new int[] {503, 336}, P336.resizedSize(640, 427));
        assertArrayEquals(new int[] {336, 504}, P336.resizedSize(400, 600));
    }

    @Test
    void batchIsImagesBackToBack() throws IOException {
        RgbImage a = TestImages.read(FIX.resolve("coffee.png"));
        RgbImage b = TestImages.read(FIX.resolve("camera.png"));
        ClipImagePreprocessor p = ClipImagePreprocessor.of(56);
        float[] batch = new float[2 * 3 * 56 * 56 + 5];
        p.preprocessBatchInto(List.of(a, b), batch);
        float[] one = p.preprocess(b);
        for (int i = 0; i < one.length; i++) {
            assertEquals(one[i], batch[3 * 56 * 56 + i]);
        }
        assertThrows(IllegalArgumentException.class, () -> p.preprocessBatchInto(List.of(a, b), new float[10]));
    }

    @Test
    void smallerThanCropIsZeroPaddedLikeTransformers(@TempDir Path dir) throws IOException {
        // transformers center_crop of a 1x2 (h x w) image to 4x4: pads to 4x4 with the image at rows 2, columns 1-2
        // (top_pad = ceil(3/2) = 2, left_pad = ceil(2/2) = 1), worked through from image_transforms.center_crop
        Files.writeString(dir.resolve("preprocessor_config.json"),
                "{\"do_resize\": false, \"crop_size\": 4, \"do_rescale\": false, \"do_normalize\": false}");
        ClipImagePreprocessor p = ClipImagePreprocessor.forModel(dir, tinyConfig());
        RgbImage tiny = new RgbImage(2, 1, new byte[] {1, 2, 3, 4, 5, 6});
        RgbImage c = p.resizeAndCrop(tiny);
        assertEquals(4, c.width());
        assertEquals(4, c.height());
        int nonZero = 0;
        for (byte v : c.rgb()) {
            nonZero += v != 0 ? 1 : 0;
        }
        assertEquals(6, nonZero);
        assertEquals(1, c.get(1, 2, 0));
        assertEquals(6, c.get(2, 2, 2));
        float[] t = p.preprocess(tiny);
        assertEquals(4.0f, t[2 * 4 + 2]); // channel 0, row 2, column 2: raw value (no rescale/normalise)
    }

    @Test
    void readsPreprocessorConfigAndRejectsBadOnes(@TempDir Path dir) throws IOException {
        ClipConfig cfg = tinyConfig();
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"crop_size": {"height": 336, "width": 336}, "do_center_crop": true, "do_normalize": true,
                 "do_resize": true, "image_mean": [0.48145466, 0.4578275, 0.40821073],
                 "image_processor_type": "CLIPImageProcessor", "image_std": [0.26862954, 0.26130258, 0.27577711],
                 "resample": 3, "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 336}}""");
        ClipImagePreprocessor p = ClipImagePreprocessor.forModel(dir, cfg);
        assertEquals(336, p.imageSize());
        RgbImage img = TestImages.read(FIX.resolve("chelsea.png"));
        assertArrayEquals(P336.preprocess(img), p.preprocess(img));

        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"size\": 224, \"crop_size\": 224, \"image_std\": [1, 2]}");
        IOException e = assertThrows(IOException.class, () -> ClipImagePreprocessor.forModel(dir, cfg));
        assertTrue(e.getMessage().contains("preprocessor_config.json") && e.getMessage().contains("image_std"), e.getMessage());

        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"resample\": 0}");
        e = assertThrows(IOException.class, () -> ClipImagePreprocessor.forModel(dir, cfg));
        assertTrue(e.getMessage().contains("resample"), e.getMessage());

        Files.writeString(dir.resolve("preprocessor_config.json"), "{oops");
        e = assertThrows(IOException.class, () -> ClipImagePreprocessor.forModel(dir, cfg));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void withoutPreprocessorConfigUsesTheVisionImageSize() throws IOException {
        Path tiny = TestPaths.shared("fixtures/tiny-clip-a");
        ClipImagePreprocessor p = ClipImagePreprocessor.forModel(tiny, ClipConfig.read(tiny.resolve("config.json")));
        assertEquals(56, p.imageSize());
    }

    /** tiny-clip-a's config (vision image size 56): the fallback when a folder has no preprocessor_config.json. */
    private static ClipConfig tinyConfig() throws IOException {
        return ClipConfig.read(TestPaths.shared("fixtures/tiny-clip-a/config.json"));
    }
}
