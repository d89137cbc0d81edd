package dev.rali.engine.clip;

import java.util.Locale;

/**
 * How to load a {@link ClipModel}: where it runs and what it returns besides the embeddings.
 *
 * @param device             "cpu", "gpu" or "auto" (a GPU when the PyTorch engine sees one, else the CPU)
 * @param dtype              compute type of the weights; only "f32" (bf16/f16 checkpoints are widened on load)
 * @param outputHiddenStates also return every layer's hidden states (HF output_hidden_states)
 * @param outputAttentions   also return every layer's attention probabilities (HF output_attentions)
 */
public record ClipLoadOptions(String device, String dtype, boolean outputHiddenStates, boolean outputAttentions) {

    public ClipLoadOptions {
        device = device == null ? "auto" : device.toLowerCase(Locale.ROOT);
        dtype = dtype == null ? "f32" : dtype.toLowerCase(Locale.ROOT);
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) {
            throw new IllegalArgumentException("device must be cpu, gpu or auto, not '" + device + "'");
        }
        if (!dtype.equals("f32")) {
            throw new IllegalArgumentException("dtype must be f32, not '" + dtype
                    + "' (half-precision checkpoints are widened to f32 on load)");
        }
    }

    /** Auto device, f32, embeddings only. */
    public static ClipLoadOptions defaults() {
        return new ClipLoadOptions("auto", "f32", false, false);
    }

    public static ClipLoadOptions cpu() {
        return new ClipLoadOptions("cpu", "f32", false, false);
    }

    public ClipLoadOptions withDevice(String d) {
        return new ClipLoadOptions(d, dtype, outputHiddenStates, outputAttentions);
    }

    public ClipLoadOptions withOutputs(boolean hiddenStates, boolean attentions) {
        return new ClipLoadOptions(device, dtype, hiddenStates, attentions);
    }
}
