package dev.rali.engine.analysis;

import dev.rali.engine.io.CsvTable;
import dev.rali.engine.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A plain embeddings file with its groups, so the analyses can be checked on data with a known answer:
 * {@code E.safetensors} (tensor {@code embeddings}, float [N, D]) and {@code G.csv} (header {@code group[,score]},
 * one row per embedding row, in order). Every problem names the file (and the row).
 */
public final class EmbeddingFiles {
    private EmbeddingFiles() { }

    public static EmbeddingSpace read(Path embeddings, Path groupsCsv) throws IOException {
        double[][] x = readEmbeddings(embeddings);
        CsvTable t = CsvTable.readStrict(groupsCsv);
        int g = t.column("group");
        int s = t.column("score");
        if (g < 0) {
            throw new IOException(groupsCsv + ": needs a 'group' column (header group[,score]), found " + t.header());
        }
        List<CsvTable.Row> rows = t.rows();
        if (rows.size() != x.length) {
            throw new IOException(groupsCsv + ": " + rows.size() + " rows, but " + embeddings + " has "
                    + x.length + " embeddings (one group row per embedding row, in order)");
        }
        String[] groups = new String[rows.size()];
        double[] scores = s < 0 ? null : new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            CsvTable.Row r = rows.get(i);
            groups[i] = r.cells().get(g);
            if (groups[i].isEmpty()) {
                throw new IOException(groupsCsv + ": line " + r.line() + ": empty group");
            }
            if (scores != null) {
                String v = r.cells().get(s);
                try {
                    scores[i] = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw new IOException(groupsCsv + ": line " + r.line() + ": score '" + v + "' is not a number");
                }
            }
        }
        String name = embeddings.getFileName().toString();
        try {
            return new EmbeddingSpace(name, x, groups, scores, null);
        } catch (IllegalArgumentException e) {
            throw new IOException(embeddings + ": " + e.getMessage(), e);
        }
    }

    static double[][] readEmbeddings(Path file) throws IOException {
        try (Safetensors.Reader r = Safetensors.open(file)) {
            if (!r.has("embeddings")) {
                throw new IOException(file + ": needs a tensor 'embeddings' [N, D], found " + r.tensors().keySet());
            }
            long[] shape = r.info("embeddings").shape();
            if (shape.length != 2 || shape[0] == 0 || shape[1] == 0) {
                throw new IOException(file + ": 'embeddings' has shape " + r.info("embeddings").shapeString()
                        + ", expected [N, D] with N, D > 0");
            }
            int n = (int) shape[0];
            int d = (int) shape[1];
            float[] flat = r.floats("embeddings");
            double[][] x = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    x[i][j] = flat[i * d + j];
                }
            }
            return x;
        }
    }
}
