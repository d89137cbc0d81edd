package dev.rali.engine.clip;

import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a model folder against a reference file of inputs and outputs (the layout of
 * shared/fixtures/tiny-clip-a/expected.safetensors): runs pixel_values and input_ids through {@link ClipModel}
 * and reports the largest absolute difference of every reference tensor it knows how to produce.
 *
 * <p>Known names: image_embeds, text_embeds, logits_per_image, logits_per_text, vision_/text_ embeddings,
 * hidden_states_k, attentions_k, last_hidden_state, pooled.
 */
public final class ClipConformance {

    private ClipConformance() { }

    /** One compared tensor. */
    public record TensorResult(String name, long[] shape, double maxAbsError, boolean ok) { }

    /** The outcome; {@link #passed()} is false if any tensor is off by more than the tolerance or mis-shaped. */
    public record Report(Path model, Path expected, double tolerance, List<TensorResult> results,
                         List<String> notChecked) {
        public boolean passed() {
            return !results.isEmpty() && results.stream().allMatch(TensorResult::ok);
        }

        public double maxError() {
            return results.stream().mapToDouble(TensorResult::maxAbsError).max().orElse(Double.NaN);
        }
    }

    public static Report verify(Path modelDir, Path expectedFile, double tolerance) throws IOException {
        return verify(modelDir, expectedFile, tolerance, ClipLoadOptions.cpu());
    }

    public static Report verify(Path modelDir, Path expectedFile, double tolerance, ClipLoadOptions options)
            throws IOException {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, not " + tolerance);
        }
        try (Safetensors.Reader ref = Safetensors.open(expectedFile);
             ClipModel model = ClipModel.load(modelDir, options.withOutputs(true, true))) {
            Map<String, FloatTensor> got = new LinkedHashMap<>();
            TowerOutput vision = null;
            TowerOutput text = null;
            if (ref.has("pixel_values")) {
                Safetensors.TensorInfo info = ref.info("pixel_values");
                if (info.shape().length != 4) {
                    throw new IOException(expectedFile + ": pixel_values must be [N, C, H, W], found "
                            + info.shapeString());
                }
                vision = model.encodeImages(ref.floats("pixel_values"), (int) info.shape()[0], true, true);
                put(got, "vision", vision);
                got.put("image_embeds", vision.embeds());
            }
            if (ref.has("input_ids")) {
                Safetensors.TensorInfo info = ref.info("input_ids");
                if (info.shape().length != 2) {
                    throw new IOException(expectedFile + ": input_ids must be [B, L], found " + info.shapeString());
                }
                long[] flat = ref.longs("input_ids");
                int b = (int) info.shape()[0];
                int l = (int) info.shape()[1];
                long[][] ids = new long[b][];
                for (int i = 0; i < b; i++) {
                    ids[i] = Arrays.copyOfRange(flat, i * l, (i + 1) * l);
                }
                text = model.encodeTexts(ids, true, true);
                put(got, "text", text);
                got.put("text_embeds", text.embeds());
            }
            if (vision == null && text == null) {
                throw new IOException(expectedFile + ": holds neither pixel_values nor input_ids (nothing to run)");
            }
            if (vision != null && text != null) {
                float[][] logits = model.logitsPerImage(vision.embeds().rows(), text.embeds().rows());
                got.put("logits_per_image", flatten(logits));
                got.put("logits_per_text", flatten(transpose(logits)));
            }
            List<TensorResult> results = new ArrayList<>();
            List<String> notChecked = new ArrayList<>();
            for (Safetensors.TensorInfo info : ref.tensors().values()) {
                String name = info.name();
                if (name.equals("pixel_values") || name.equals("input_ids")) {
                    continue;
                }
                FloatTensor mine = got.get(name);
                if (mine == null || !info.dtype().isFloat()) {
                    notChecked.add(name);
                    continue;
                }
                if (!Arrays.equals(mine.shape(), info.shape())) {
                    results.add(new TensorResult(name, info.shape(), Double.POSITIVE_INFINITY, false));
                    continue;
                }
                float[] want = ref.floats(name);
                double max = 0;
                for (int i = 0; i < want.length; i++) {
                    double d = Math.abs((double) want[i] - mine.data()[i]);
                    if (!(d <= max)) {
                        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    }
                }
                results.add(new TensorResult(name, info.shape(), max, max <= tolerance));
            }
            return new Report(modelDir, expectedFile, tolerance, results, notChecked);
        }
    }

    private static void put(Map<String, FloatTensor> got, String tower, TowerOutput o) {
        got.put(tower + "_pooled", o.pooled());
        got.put(tower + "_last_hidden_state", o.lastHiddenState());
        if (!o.hiddenStates().isEmpty()) {
            got.put(tower + "_embeddings", o.hiddenStates().get(0));
        }
        for (int k = 1; k < o.hiddenStates().size(); k++) {
            got.put(tower + "_hidden_states_" + k, o.hiddenStates().get(k));
        }
        for (int k = 0; k < o.attentions().size(); k++) {
            got.put(tower + "_attentions_" + (k + 1), o.attentions().get(k));
        }
    }

    private static FloatTensor flatten(float[][] m) {
        int r = m.length;
        int c = r == 0 ? 0 : m[0].length;
        float[] out = new float[r * c];
        for (int i = 0; i < r; i++) {
            System.arraycopy(m[i], 0, out, i * c, c);
        }
        return new FloatTensor(out, new long[] {r, c});
    }

    private static float[][] transpose(float[][] m) {
        int r = m.length;
        int c = r == 0 ? 0 : m[0].length;
        float[][] out = new float[c][r];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j][i] = m[i][j];
            }
        }
        return out;
    }
}
