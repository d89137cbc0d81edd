package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.data.RgbImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face CLIPImageProcessor (the PIL-based processor), reproduced bit for bit: resize so the shorter edge is
 * {@code size.shortest_edge} with PIL's resampler ({@link PilResize}), centre crop {@code crop_size} at
 * {@code ((h - ch) // 2, (w - cw) // 2)} (zero padding if the image is smaller), rescale
 * {@code float32(v * rescale_factor)} and normalise {@code (x - mean) / std} in float32, CHW layout.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClipImagePreprocessor {
    /** OpenAI CLIP's normalisation constants (transformers' OPENAI_CLIP_MEAN / OPENAI_CLIP_STD). */
    public static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    public static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private final boolean doResize;
    private final int shortestEdge; // > 0: shortest-edge mode
    private final int resizeHeight; // exact-size mode when shortestEdge <= 0
    private final int resizeWidth;
    private final PilResize.Filter filter;
    private final boolean doCrop;
    private final int cropHeight;
    private final int cropWidth;
    /** value of each 8-bit level per channel after rescale + normalise: [3][256]. */
    private final float[][] lut;
    private final float[] mean;
    private final float[] std;

    private ClipImagePreprocessor(boolean doResize, int shortestEdge, int resizeHeight, int resizeWidth,
                                  PilResize.Filter filter, boolean doCrop, int cropHeight, int cropWidth,
                                  boolean doRescale, double rescaleFactor, boolean doNormalize, double[] mean, double[] std) {
        this.doResize = doResize;
        this.shortestEdge = shortestEdge;
        this.resizeHeight = resizeHeight;
        this.resizeWidth = resizeWidth;
        this.filter = filter;
        this.doCrop = doCrop;
        this.cropHeight = cropHeight;
        this.cropWidth = cropWidth;
        this.mean = new float[3];
        this.std = new float[3];
        this.lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            this.mean[c] = (float) mean[c];
            this.std[c] = (float) std[c];
            for (int v = 0; v < 256; v++) {
                // rescale: product in double, stored as float32; normalise in float32 (numpy float32 semantics)
                float x = doRescale ? (float) (v * rescaleFactor) : (float) v;
                lut[c][v] = doNormalize ? (x - this.mean[c]) / this.std[c] : x;
            }
        }
    }

    /** CLIP's standard processing for a square input size: shortest edge = crop = imageSize, bicubic, OpenAI mean/std. */
    public static ClipImagePreprocessor of(int imageSize) {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + imageSize);
        }
        return new ClipImagePreprocessor(true, imageSize, 0, 0, PilResize.Filter.BICUBIC, true, imageSize, imageSize,
                true, 1.0 / 255, true, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD);
    }

    /**
     * For a model loaded from {@code dir}: its {@code preprocessor_config.json} if present, else {@link #of(int)}
     * with the vision image size of the already-read {@code config} (the folder's config.json is not read again).
     *
     * @throws IOException naming the file when the preprocessor config is present but malformed
     */
    public static ClipImagePreprocessor forModel(Path dir, ClipConfig config) throws IOException {
        Path pc = dir.resolve("preprocessor_config.json");
        return Files.isRegularFile(pc) ? fromConfig(pc) : of(config.vision().imageSize());
    }

    /** From a Hugging Face {@code preprocessor_config.json} (CLIPImageProcessor keys; absent keys take its defaults). */
    public static ClipImagePreprocessor fromConfig(Path json) throws IOException {
        JsonNode r = readJson(json);
        try {
            boolean doResize = r.path("do_resize").asBoolean(true);
            int shortest = 224, rh = 0, rw = 0;
            JsonNode size = r.path("size");
            if (size.canConvertToInt()) {
                shortest = size.asInt();
            } else if (size.has("shortest_edge")) {
                shortest = positive(size.get("shortest_edge"), "size.shortest_edge");
            } else if (size.has("height") && size.has("width")) {
                shortest = 0;
                rh = positive(size.get("height"), "size.height");
                rw = positive(size.get("width"), "size.width");
            } else if (!size.isMissingNode() && !size.isNull()) {
                throw new IllegalArgumentException("size must be a number, {shortest_edge} or {height, width}: " + size);
            }
            int ch = 224, cw = 224;
            JsonNode crop = r.path("crop_size");
            if (crop.canConvertToInt()) {
                ch = cw = positive(crop, "crop_size");
            } else if (crop.has("height") && crop.has("width")) {
                ch = positive(crop.get("height"), "crop_size.height");
                cw = positive(crop.get("width"), "crop_size.width");
            } else if (!crop.isMissingNode() && !crop.isNull()) {
                throw new IllegalArgumentException("crop_size must be a number or {height, width}: " + crop);
            }
            PilResize.Filter filter = PilResize.Filter.fromPilCode(r.path("resample").asInt(3));
            double factor = r.has("rescale_factor") ? r.get("rescale_factor").asDouble() : 1.0 / 255;
            double[] mean = triple(r.get("image_mean"), OPENAI_CLIP_MEAN, "image_mean");
            double[] std = triple(r.get("image_std"), OPENAI_CLIP_STD, "image_std");
            for (double s : std) {
                if (!(s > 0)) {
                    throw new IllegalArgumentException("image_std must be positive: " + s);
                }
            }
            return new ClipImagePreprocessor(doResize, shortest, rh, rw, filter, r.path("do_center_crop").asBoolean(true),
                    ch, cw, r.path("do_rescale").asBoolean(true), factor, r.path("do_normalize").asBoolean(true), mean, std);
        } catch (IllegalArgumentException e) {
            throw new IOException(json + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path p) throws IOException {
        try {
            JsonNode n = new ObjectMapper().readTree(Files.readString(p));
            if (n == null || !n.isObject()) {
                throw new IOException(p + ": expected a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(p + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static int positive(JsonNode n, String what) {
        if (!n.canConvertToInt() || n.asInt() <= 0) {
            throw new IllegalArgumentException(what + " must be a positive integer, got " + n);
        }
        return n.asInt();
    }

    private static double[] triple(JsonNode n, double[] dflt, String what) {
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (n.isNumber()) {
            return new double[] {n.asDouble(), n.asDouble(), n.asDouble()};
        }
        if (!n.isArray() || n.size() != 3) {
            throw new IllegalArgumentException(what + " must be a list of 3 numbers, got " + n);
        }
        return new double[] {n.get(0).asDouble(), n.get(1).asDouble(), n.get(2).asDouble()};
    }

    /** Side of the square model input (the crop size). */
    public int imageSize() {
        if (cropHeight != cropWidth) {
            throw new IllegalStateException("crop size is not square: " + cropWidth + "x" + cropHeight);
        }
        return outputHeight();
    }

    /** Height of the tensor {@link #preprocess} writes. */
    public int outputHeight() {
        return doCrop ? cropHeight : (shortestEdge > 0 ? -1 : resizeHeight);
    }

    /** Width of the tensor {@link #preprocess} writes. */
    public int outputWidth() {
        return doCrop ? cropWidth : (shortestEdge > 0 ? -1 : resizeWidth);
    }

    /** Normalisation mean per channel (as float32). */
    public float[] mean() {
        return mean.clone();
    }

    /** Normalisation std per channel (as float32). */
    public float[] std() {
        return std.clone();
    }

    /** Floats per image: 3 * height * width. */
    public int pixelsPerImage() {
        checkFixedOutput();
        return 3 * outputHeight() * outputWidth();
    }

    private void checkFixedOutput() {
        if (outputHeight() <= 0) {
            throw new IllegalStateException("output size depends on the image (no centre crop configured)");
        }
    }

    /** Size after the resize step for an input of w x h: {width, height}. */
    public int[] resizedSize(int w, int h) {
        if (!doResize) {
            return new int[] {w, h};
        }
        if (shortestEdge <= 0) {
            return new int[] {resizeWidth, resizeHeight};
        }
        // transformers get_resize_output_image_size(default_to_square=False): int(size * long / short)
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        int newLong = (int) ((double) ((long) shortestEdge * longSide) / shortSide);
        return w <= h ? new int[] {shortestEdge, newLong} : new int[] {newLong, shortestEdge};
    }

    /** Steps 1-3: the uint8 image after resize and centre crop (what the model sees, before normalisation). */
    public RgbImage resizeAndCrop(RgbImage img) {
        Objects.requireNonNull(img, "img");
        int[] s = resizedSize(img.width(), img.height());
        RgbImage r = doResize && (s[0] != img.width() || s[1] != img.height())
                ? PilResize.resize(img, s[0], s[1], filter) : img;
        if (!doCrop || (r.width() == cropWidth && r.height() == cropHeight)) {
            return r;
        }
        // transformers center_crop: offset floor((h - ch) / 2); outside the image (smaller than the crop) is 0
        int top = Math.floorDiv(r.height() - cropHeight, 2), left = Math.floorDiv(r.width() - cropWidth, 2);
        byte[] out = new byte[cropWidth * cropHeight * 3];
        byte[] src = r.rgb();
        for (int y = 0; y < cropHeight; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= r.height()) {
                continue;
            }
            for (int x = 0; x < cropWidth; x++) {
                int sx = x + left;
                if (sx < 0 || sx >= r.width()) {
                    continue;
                }
                System.arraycopy(src, (sy * r.width() + sx) * 3, out, (y * cropWidth + x) * 3, 3);
            }
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    /** The model input of one image: float32 CHW, normalised. */
    public float[] preprocess(RgbImage img) {
        RgbImage c = resizeAndCrop(img);
        float[] out = new float[3 * c.width() * c.height()];
        writeChw(c, out, 0);
        return out;
    }

    /**
     * Training augmentation: the same resize, then a random crop of the configured crop size (instead of the centre
     * crop) and, if {@code flip}, a random horizontal flip; normalised like {@link #preprocess}.
     */
    public float[] preprocessAugmented(RgbImage img, java.util.Random rng, boolean flip) {
        checkFixedOutput();
        int[] s = resizedSize(img.width(), img.height());
        RgbImage r = doResize && (s[0] != img.width() || s[1] != img.height())
                ? PilResize.resize(img, s[0], s[1], filter) : img;
        int cw = Math.min(cropWidth, r.width()), ch = Math.min(cropHeight, r.height());
        int left = rng.nextInt(r.width() - cw + 1), top = rng.nextInt(r.height() - ch + 1);
        boolean mirror = flip && rng.nextBoolean();
        byte[] src = r.rgb();
        byte[] out = new byte[cropWidth * cropHeight * 3];
        for (int y = 0; y < ch; y++) {
            for (int x = 0; x < cw; x++) {
                int sx = left + (mirror ? cw - 1 - x : x);
                System.arraycopy(src, ((top + y) * r.width() + sx) * 3, out, (y * cropWidth + x) * 3, 3);
            }
        }
        RgbImage c = new RgbImage(cropWidth, cropHeight, out);
        float[] dst = new float[3 * cropWidth * cropHeight];
        writeChw(c, dst, 0);
        return dst;
    }

    /** Writes n images back to back ([n, 3, H, W]) into {@code dst}, which must hold at least n * 3 * H * W floats. */
    public void preprocessBatchInto(List<RgbImage> images, float[] dst) {
        checkFixedOutput();
        int per = pixelsPerImage();
        if ((long) per * images.size() > dst.length) {
            throw new IllegalArgumentException("destination holds " + dst.length + " floats, " + images.size()
                    + " images need " + (long) per * images.size());
        }
        for (int i = 0; i < images.size(); i++) {
            writeChw(resizeAndCrop(images.get(i)), dst, i * per);
        }
    }

    /** A new [n, 3, H, W] array for the images. */
    public float[] preprocessBatch(List<RgbImage> images) {
        float[] dst = new float[pixelsPerImage() * images.size()];
        preprocessBatchInto(images, dst);
        return dst;
    }

    private void writeChw(RgbImage c, float[] dst, int offset) {
        int hw = c.width() * c.height();
        byte[] rgb = c.rgb();
        float[] l0 = lut[0], l1 = lut[1], l2 = lut[2];
        for (int i = 0; i < hw; i++) {
            dst[offset + i] = l0[rgb[i * 3] & 0xff];
            dst[offset + hw + i] = l1[rgb[i * 3 + 1] & 0xff];
            dst[offset + 2 * hw + i] = l2[rgb[i * 3 + 2] & 0xff];
        }
    }
}
