package dev.rali.engine.analysis.attention;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One generated answer's attention dump (docs/ATTENTION_FORMAT.md), validated: roles match tokens, the tensor's
 * key axis matches tokens, its query axis matches {@code queryPositions}, the image tokens fill {@code imageGrid}
 * in row-major order, every value is finite and in [0, 1].
 *
 * @param folder         where it was read from (null for a dump built in memory and not yet written)
 * @param tokens         one string per position
 * @param roles          one role per position
 * @param imageRows      rows of the image-token grid (0 when the dump has no image tokens)
 * @param imageCols      columns of the image-token grid (0 when none)
 * @param queryPositions positions whose attention rows were recorded (the score tokens)
 * @param image          the image file as meta.json names it (relative to the folder or absolute); null if none
 * @param model          who made it (an HF model id, or "synthetic (rule: …)"); null if not said
 * @param layers         the model's layer index of each slice of the layer axis
 * @param heads          size of the head axis
 * @param attn           float32 [layers, heads, queries, keys], row-major
 */
public record AttentionDump(Path folder, List<String> tokens, List<Role> roles, int imageRows, int imageCols,
                            int[] queryPositions, String image, String model, int[] layers, int heads, float[] attn) {

    public int numTokens() {
        return tokens.size();
    }

    public int numLayers() {
        return layers.length;
    }

    public int numQueries() {
        return queryPositions.length;
    }

    /** attn[layer slice l, head h, query q, key k]. */
    public float at(int l, int h, int q, int k) {
        return attn[((l * heads + h) * queryPositions.length + q) * tokens.size() + k];
    }

    /** Offset of row (l, h, q) in {@link #attn}. */
    int rowOffset(int l, int h, int q) {
        return ((l * heads + h) * queryPositions.length + q) * tokens.size();
    }

    /** Positions of the image tokens in order (row-major over the grid). */
    public int[] imagePositions() {
        return java.util.stream.IntStream.range(0, roles.size()).filter(i -> roles.get(i) == Role.IMAGE).toArray();
    }

    /** A name for reports: the folder's name, or "(in memory)". */
    public String name() {
        return folder == null ? "(in memory)" : folder.getFileName().toString();
    }

    /** The image file when meta.json names one and it exists (relative names resolve against the folder). */
    public Optional<Path> imageFile() {
        if (image == null || image.isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(image);
        if (!p.isAbsolute() && folder != null) {
            p = folder.resolve(p);
        }
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * The dump restricted to one layer and/or one head: {@code layer} is the model's layer index (one of
     * {@link #layers()}), {@code head} a head index; null keeps them all. Analysing the slice gives the figures "for
     * this layer/head"; with null both ways it is the dump itself ("mean over heads and layers", every row weighing
     * the same, as {@link AttentionAnalysis} averages).
     *
     * @throws IllegalArgumentException when the layer or head is not in the dump
     */
    public AttentionDump slice(Integer layer, Integer head) {
        int[] ls = layer == null ? java.util.stream.IntStream.range(0, layers.length).toArray() : new int[] {slot(layer)};
        if (head != null && (head < 0 || head >= heads)) {
            throw new IllegalArgumentException(name() + ": no head " + head + " (the dump has " + heads + ")");
        }
        int[] hs = head == null ? java.util.stream.IntStream.range(0, heads).toArray() : new int[] {head};
        int row = queryPositions.length * tokens.size();
        float[] out = new float[ls.length * hs.length * row];
        int o = 0;
        for (int l : ls) {
            for (int h : hs) {
                System.arraycopy(attn, rowOffset(l, h, 0), out, o, row);
                o += row;
            }
        }
        int[] keptLayers = java.util.Arrays.stream(ls).map(l -> layers[l]).toArray();
        return new AttentionDump(folder, tokens, roles, imageRows, imageCols, queryPositions, image, model, keptLayers,
                hs.length, out);
    }

    private int slot(int layer) {
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == layer) {
                return i;
            }
        }
        throw new IllegalArgumentException(name() + ": no layer " + layer + " (the dump has "
                + java.util.Arrays.toString(layers) + ")");
    }
}
