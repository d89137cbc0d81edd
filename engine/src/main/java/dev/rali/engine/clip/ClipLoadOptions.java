package dev.rali.engine.clip;

import java.util.Locale;

/**
 * How to load a {@link ClipModel}: where it runs, in which precision, and what it returns besides the embeddings.
 *
 * @param device             "cpu", "gpu" or "auto" (a GPU when the PyTorch engine sees one, else the CPU)
 * @param precision          image-tower inference precision: "fp32", "bf16" or "auto" (see {@link Precision});
 *                           "f32" is read as fp32. Weights are stored in fp32 either way (bf16/f16 checkpoints are
 *                           widened on load), so training is unaffected
 * @param outputHiddenStates also return every layer's hidden states (HF output_hidden_states)
 * @param outputAttentions   also return every layer's attention probabilities (HF output_attentions)
 */
public record ClipLoadOptions(String device, String precision, boolean outputHiddenStates, boolean outputAttentions) {

    public ClipLoadOptions {
        device = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        precision = precision == null ? "fp32" : Precision.checkChoice(precision);
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) {
            throw new IllegalArgumentException("device must be cpu, gpu or auto, not '" + device + "'");
        }
    }

    /** Auto device, fp32, embeddings only (the library default: exact; the CLI and the GUI default to auto). */
    public static ClipLoadOptions defaults() {
        return new ClipLoadOptions("auto", "fp32", false, false);
    }

    public static ClipLoadOptions cpu() {
        return new ClipLoadOptions("cpu", "fp32", false, false);
    }

    public ClipLoadOptions withDevice(String d) {
        return new ClipLoadOptions(d, precision, outputHiddenStates, outputAttentions);
    }

    public ClipLoadOptions withPrecision(String p) {
        return new ClipLoadOptions(device, p, outputHiddenStates, outputAttentions);
    }

    public ClipLoadOptions withOutputs(boolean hiddenStates, boolean attentions) {
        return new ClipLoadOptions(device, precision, hiddenStates, attentions);
    }
}
