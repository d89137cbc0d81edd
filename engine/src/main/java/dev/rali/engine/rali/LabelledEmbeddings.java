package dev.rali.engine.rali;

import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Embeddings with their ground-truth scores, as a file: safetensors with {@code embeddings [n,D]} (any float type)
 * and {@code scores [n]}. The exchange format of {@code rali train-head}, so the head stages can be trained from
 * embeddings made anywhere (our encoder, a Python script).
 */
public record LabelledEmbeddings(float[][] embeddings, double[] scores) {

    public LabelledEmbeddings {
        Checks.matrix("labelled embeddings", embeddings);
        Checks.scores("labelled embeddings", scores, embeddings.length);
    }

    public int size() {
        return scores.length;
    }

    public int dim() {
        return embeddings[0].length;
    }

    public void write(Path file) throws IOException {
        Safetensors.Writer w = new Safetensors.Writer();
        w.putFloats("embeddings", HeadParams.flatten(embeddings), embeddings.length, dim());
        w.putDoubles("scores", scores, scores.length);
        w.write(file);
    }

    /** Reads and checks the file; every problem names the file. */
    public static LabelledEmbeddings read(Path file) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            if (!r.has("embeddings") || !r.has("scores")) {
                throw new IOException(file + ": needs tensors 'embeddings' [n, D] and 'scores' [n], found "
                        + r.tensors().keySet());
            }
            long[] es = r.info("embeddings").shape();
            long[] ss = r.info("scores").shape();
            if (es.length != 2 || ss.length != 1 || ss[0] != es[0]) {
                throw new IOException(file + ": embeddings has shape " + r.info("embeddings").shapeString()
                        + " and scores " + r.info("scores").shapeString() + ", expected [n, D] and [n]");
            }
            int n = (int) es[0];
            int d = (int) es[1];
            float[] flat = r.floats("embeddings");
            float[][] x = new float[n][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * d, x[i], 0, d);
            }
            double[] s = r.doubles("scores");
            try {
                return new LabelledEmbeddings(x, s);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }
}
