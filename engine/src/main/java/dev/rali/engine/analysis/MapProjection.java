package dev.rali.engine.analysis;

import dev.rali.engine.task.TaskContext;
import smile.manifold.UMAP;
import smile.math.MathEx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * 2-D maps of an embedding space, seeded, in the background with progress and cancel: t-SNE by our Barnes-Hut
 * implementation ({@link BarnesHutTsne}, O(n log n) per iteration; the default), Smile's exact O(n²) t-SNE
 * ({@code tsne-exact}, up to {@link #TSNE_EXACT_MAX_POINTS} points: the reference the faster one is checked against,
 * and the one users of Smile know), and UMAP by Smile's.
 */
public final class MapProjection {
    private MapProjection() { }

    /** The map method. */
    public enum Method {
        TSNE("tsne", "t-SNE"), TSNE_EXACT("tsne-exact", "t-SNE (exact, Smile)"), UMAP("umap", "UMAP");

        private final String key;
        private final String label;

        Method(String key, String label) {
            this.key = key;
            this.label = label;
        }

        /** As the CLI and the JSON write it: tsne, tsne-exact, umap. */
        public String key() {
            return key;
        }

        /** As the views show it. */
        public String label() {
            return label;
        }

        /** Either t-SNE (the perplexity applies). */
        public boolean isTsne() {
            return this != UMAP;
        }

        public static Method parse(String s) {
            String k = s.strip().toLowerCase(Locale.ROOT).replace('_', '-');
            for (Method m : values()) {
                if (m.key.equals(k)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown map method '" + s + "' (tsne, tsne-exact or umap)");
        }

        /** The method a view label names ({@link #label}). */
        public static Method ofLabel(String label) {
            for (Method m : values()) {
                if (m.label.equals(label)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown map method '" + label + "'");
        }
    }

    /** Smile's exact t-SNE keeps n × n matrices: above this many points use tsne (Barnes-Hut) or lower the cap. */
    public static final int TSNE_EXACT_MAX_POINTS = 5000;

    /** Iterations per progress report and cancellation check of Smile's t-SNE. */
    static final int TSNE_EXACT_CHUNK = 50;

    /** Barnes-Hut accuracy of t-SNE: scikit-learn's default angle. */
    static final double TSNE_THETA = 0.5;

    /**
     * The map of {@code x}.
     *
     * @param perplexity t-SNE perplexity (needs more than 3 × perplexity points)
     * @param neighbours UMAP neighbours (k of the k-NN graph)
     * @param iterations optimisation iterations (t-SNE default 1000, UMAP 200 for 10k+ points, else 500)
     * @return coordinates [n][2], one row per input row (see {@link #umap} for disconnected neighbourhoods)
     */
    public static double[][] project(double[][] x, Method method, double perplexity, int neighbours, int iterations,
                                     long seed, TaskContext ctx) {
        return switch (method) {
            case TSNE -> tsne(x, perplexity, iterations, seed, ctx);
            case TSNE_EXACT -> tsneExact(x, perplexity, iterations, seed, ctx);
            case UMAP -> umap(x, neighbours, iterations, seed, ctx);
        };
    }

    /** Smallest map input t-SNE accepts for a perplexity (each point needs 3 × perplexity neighbours). */
    public static int tsneMinPoints(double perplexity) {
        return (int) Math.floor(3 * perplexity) + 2;
    }

    /**
     * Smile's exact t-SNE (smile.manifold.TSNE: O(n²) affinities and gradient, learning rate 200, its own
     * early exaggeration and momentum schedule), run in chunks for progress and cancel.
     */
    static double[][] tsneExact(double[][] x, double perplexity, int iterations, long seed, TaskContext ctx) {
        checkTsneInput(x, perplexity);
        if (x.length > TSNE_EXACT_MAX_POINTS) {
            throw new IllegalArgumentException("exact t-SNE keeps " + x.length + " × " + x.length + " matrices; it "
                    + "takes at most " + TSNE_EXACT_MAX_POINTS + " points (use --method tsne, the Barnes-Hut one, or "
                    + "a lower --cap)");
        }
        int total = iterations > 0 ? iterations : 1000;
        ctx.checkCancelled();
        MathEx.setSeed(seed); // Smile draws the initial layout from this thread's generator
        int first = Math.min(TSNE_EXACT_CHUNK, total);
        smile.manifold.TSNE t = new smile.manifold.TSNE(x, 2, perplexity, 200, first);
        int done = first;
        while (done < total) {
            ctx.progress("t-SNE (exact)", done, total, String.format(Locale.ROOT, "KL %.4f", t.cost()));
            ctx.checkCancelled();
            int step = Math.min(TSNE_EXACT_CHUNK, total - done);
            t.update(step);
            done += step;
        }
        ctx.progress("t-SNE (exact)", total, total, String.format(Locale.ROOT, "KL %.4f", t.cost()));
        return t.coordinates;
    }

    private static void checkTsneInput(double[][] x, double perplexity) {
        if (perplexity <= 0) {
            throw new IllegalArgumentException("t-SNE perplexity must be positive, got " + perplexity);
        }
        if (x.length < tsneMinPoints(perplexity)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "t-SNE with perplexity %.3g needs at least %d points, got %d (lower --perplexity to at most %.3g)",
                    perplexity, tsneMinPoints(perplexity), x.length, Math.max(0, (x.length - 2) / 3.0)));
        }
    }

    static double[][] tsne(double[][] x, double perplexity, int iterations, long seed, TaskContext ctx) {
        checkTsneInput(x, perplexity);
        int total = iterations > 0 ? iterations : 1000;
        ctx.checkCancelled();
        return BarnesHutTsne.embed(x, perplexity, total, TSNE_THETA, BarnesHutTsne.defaultLearningRate(x.length),
                seed, ctx);
    }

    /**
     * UMAP. Smile lays out only the largest connected component of the k-NN graph; separated datasets are exactly
     * what a domain-gap map must show, so the remaining points are laid out component by component (each by its own
     * UMAP, as umap-learn does for disconnected graphs) and the components placed side by side along x, ordered by
     * the first coordinate of their centroid's projection onto the main axis of the data. Components smaller than
     * {@code neighbours + 1} points are too small for a k-NN graph and placed by their nearest laid-out point;
     * with fewer than {@code neighbours + 1} points in total the map fails.
     */
    static double[][] umap(double[][] x, int neighbours, int iterations, long seed, TaskContext ctx) {
        int n = x.length;
        if (neighbours < 2) {
            throw new IllegalArgumentException("UMAP needs at least 2 neighbours, got " + neighbours);
        }
        if (n <= neighbours + 1) {
            throw new IllegalArgumentException("UMAP with " + neighbours + " neighbours needs more than "
                    + (neighbours + 1) + " points, got " + n + " (lower --neighbors)");
        }
        int iters = iterations > 0 ? iterations : (n > 10000 ? 200 : 500);
        double[][] out = new double[n][];
        List<int[]> components = new ArrayList<>();
        List<double[][]> layouts = new ArrayList<>();
        int[] remaining = new int[n];
        for (int i = 0; i < n; i++) {
            remaining[i] = i;
        }
        int placed = 0;
        while (remaining.length > neighbours + 1) {
            ctx.checkCancelled();
            ctx.progress("UMAP", placed, n, "component " + (components.size() + 1));
            double[][] sub = new double[remaining.length][];
            for (int i = 0; i < sub.length; i++) {
                sub[i] = x[remaining[i]];
            }
            // the exact k-NN graph from our blocked search; Smile's own would compute every pair's distance
            NeighbourTable knn = NeighbourTable.of(sub, neighbours, ctx);
            Integer[] keys = new Integer[sub.length];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i;
            }
            MathEx.setSeed(seed + components.size());
            UMAP u = UMAP.of(keys, knn.asDistance(), neighbours, 2, iters, 1.0, 0.1, 1.0, 5, 1.0);
            int[] comp = new int[u.index.length];
            boolean[] taken = new boolean[sub.length];
            for (int i = 0; i < comp.length; i++) {
                comp[i] = remaining[u.index[i]];
                taken[u.index[i]] = true;
            }
            components.add(comp);
            layouts.add(u.coordinates);
            placed += comp.length;
            int[] rest = new int[sub.length - comp.length];
            int r = 0;
            for (int i = 0; i < sub.length; i++) {
                if (!taken[i]) {
                    rest[r++] = remaining[i];
                }
            }
            remaining = rest;
        }
        arrangeSideBySide(x, components, layouts, out);
        // leftovers too small for their own graph: beside their nearest laid-out point
        for (int i : remaining) {
            int best = -1;
            double bd = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (out[j] != null && j != i) {
                    double d = GapStatistics.sq(x[i], x[j]);
                    if (d < bd) {
                        bd = d;
                        best = j;
                    }
                }
            }
            out[i] = new double[] {out[best][0] + 0.1, out[best][1] + 0.1};
        }
        ctx.progress("UMAP", n, n, components.size() + " component(s)");
        return out;
    }

    private static void arrangeSideBySide(double[][] x, List<int[]> components, List<double[][]> layouts,
                                          double[][] out) {
        int c = components.size();
        // order components along the data's main axis (power iteration on the centroid cloud is enough here)
        double[][] centroids = new double[c][];
        for (int k = 0; k < c; k++) {
            double[] m = new double[x[0].length];
            for (int i : components.get(k)) {
                for (int j = 0; j < m.length; j++) {
                    m[j] += x[i][j] / components.get(k).length;
                }
            }
            centroids[k] = m;
        }
        double[] axis = mainAxis(centroids);
        Integer[] order = new Integer[c];
        double[] pos = new double[c];
        for (int k = 0; k < c; k++) {
            order[k] = k;
            for (int j = 0; j < axis.length; j++) {
                pos[k] += centroids[k][j] * axis[j];
            }
        }
        Arrays.sort(order, (p, q) -> Double.compare(pos[p], pos[q]));
        double offset = 0;
        for (int k : order) {
            double[][] lay = layouts.get(k);
            double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
            for (double[] p : lay) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
            }
            int[] comp = components.get(k);
            for (int i = 0; i < comp.length; i++) {
                out[comp[i]] = new double[] {lay[i][0] - minX + offset, lay[i][1]};
            }
            offset += (maxX - minX) + 2.0; // a visible gap between components
        }
    }

    private static double[] mainAxis(double[][] pts) {
        int d = pts[0].length;
        double[] mean = new double[d];
        for (double[] p : pts) {
            for (int j = 0; j < d; j++) {
                mean[j] += p[j] / pts.length;
            }
        }
        double[] v = new double[d];
        Arrays.fill(v, 1.0 / Math.sqrt(d));
        for (int it = 0; it < 50; it++) {
            double[] w = new double[d];
            for (double[] p : pts) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += (p[j] - mean[j]) * v[j];
                }
                for (int j = 0; j < d; j++) {
                    w[j] += s * (p[j] - mean[j]);
                }
            }
            double norm = Math.sqrt(Arrays.stream(w).map(a -> a * a).sum());
            if (norm == 0) {
                return v;
            }
            for (int j = 0; j < d; j++) {
                v[j] = w[j] / norm;
            }
        }
        return v;
    }
}
