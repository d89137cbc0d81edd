package dev.rali.engine.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One embedding space for the analyses: a row per image, the dataset (group) each row belongs to and, where known,
 * its score. Checked on construction: rows of one dimension, finite values (the message names the row), one group
 * and one score per row.
 *
 * @param name   what the space is ("base", "aligned", "pca", "text", or a file name)
 * @param x      embeddings [n][D]
 * @param groups dataset of each row
 * @param scores MOS of each row (NaN where unknown), or null when no row has one
 * @param ids    an identifier per row (image path or row number) for the coordinates file
 */
public record EmbeddingSpace(String name, double[][] x, String[] groups, double[] scores, String[] ids) {

    public EmbeddingSpace {
        if (x == null || x.length == 0) {
            throw new IllegalArgumentException(name + ": no embeddings");
        }
        int d = x[0] == null ? 0 : x[0].length;
        if (d == 0) {
            throw new IllegalArgumentException(name + ": embedding row 0 is empty");
        }
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != d) {
                throw new IllegalArgumentException(name + ": embedding row " + i + " has dimension "
                        + (x[i] == null ? 0 : x[i].length) + ", row 0 has " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(x[i][j])) {
                    throw new IllegalArgumentException(name + ": embedding row " + i + " holds " + x[i][j]
                            + " at column " + j + " (NaN/infinite rows cannot be analysed; drop or recompute them)");
                }
            }
        }
        if (groups == null || groups.length != x.length) {
            throw new IllegalArgumentException(name + ": " + (groups == null ? 0 : groups.length)
                    + " group labels for " + x.length + " embedding rows (one per row, in order)");
        }
        for (int i = 0; i < groups.length; i++) {
            if (groups[i] == null || groups[i].isBlank()) {
                throw new IllegalArgumentException(name + ": row " + i + " has no group");
            }
        }
        if (scores != null && scores.length != x.length) {
            throw new IllegalArgumentException(name + ": " + scores.length + " scores for " + x.length
                    + " embedding rows");
        }
        if (ids == null) {
            ids = new String[x.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Integer.toString(i);
            }
        } else if (ids.length != x.length) {
            throw new IllegalArgumentException(name + ": " + ids.length + " ids for " + x.length + " rows");
        }
    }

    public int size() {
        return x.length;
    }

    public int dim() {
        return x[0].length;
    }

    /** The groups in order of first appearance. */
    public List<String> groupNames() {
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (String g : groups) {
            seen.putIfAbsent(g, true);
        }
        return new ArrayList<>(seen.keySet());
    }

    /** Group index of each row, in the order of {@link #groupNames()}. */
    public int[] groupIndex() {
        List<String> names = groupNames();
        Map<String, Integer> idx = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            idx.put(names.get(i), i);
        }
        int[] y = new int[groups.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = idx.get(groups[i]);
        }
        return y;
    }

    /** Whether any row has a finite score. */
    public boolean hasScores() {
        if (scores == null) {
            return false;
        }
        for (double s : scores) {
            if (Double.isFinite(s)) {
                return true;
            }
        }
        return false;
    }

    /** The rows at {@code rows}, in that order. */
    public EmbeddingSpace subset(int[] rows) {
        double[][] sx = new double[rows.length][];
        String[] sg = new String[rows.length];
        double[] ss = scores == null ? null : new double[rows.length];
        String[] si = new String[rows.length];
        for (int k = 0; k < rows.length; k++) {
            sx[k] = x[rows[k]];
            sg[k] = groups[rows[k]];
            si[k] = ids[rows[k]];
            if (ss != null) {
                ss[k] = scores[rows[k]];
            }
        }
        return new EmbeddingSpace(name, sx, sg, ss, si);
    }
}
