package dev.rali.engine.analysis;

import dev.rali.engine.task.TaskContext;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Barnes-Hut t-SNE (van der Maaten 2014), with scikit-learn 1.2's optimiser so that maps and their trustworthiness
 * compare: P from the exact ⌊3·perplexity⌋ + 1 nearest neighbours ({@link NeighbourTable}, squared Euclidean
 * distances, per-point binary search for the perplexity), symmetrised and normalised; Student-t map affinities with
 * the repulsive forces summarised by a quadtree (cell width / distance &lt; θ); early exaggeration 12 for the first
 * 250 iterations (a quarter of a run shorter than 1,000), momentum 0.5 then 0.8, per-coordinate gains (+0.2 / ×0.8, at least 0.01), initial layout
 * 10⁻⁴ · N(0, 1) from the seed.
 *
 * <p>Each point's forces are computed independently (parallel over points) into its own slots and the normaliser Z
 * is summed in point order afterwards, so the coordinates depend only on the input and the seed, not on the number
 * of threads. θ = 0 makes every cell a leaf, which is the exact gradient (used by the test).
 */
final class BarnesHutTsne {
    static final double EARLY_EXAGGERATION = 12;
    static final int EXPLORATION_ITERATIONS = 250;
    private static final double MIN_GAIN = 0.01;
    /** Progress and the KL cost are reported every this many iterations; cancel is checked every iteration. */
    private static final int REPORT_EVERY = 50;
    /** Points closer than a 2^-48 share of the map keep sharing one leaf (duplicates would split forever). */
    private static final int MAX_DEPTH = 48;

    private BarnesHutTsne() { }

    /**
     * The symmetric joint probabilities P in compressed rows: row i holds the j with p_ij &gt; 0 (columns ascending),
     * summing to 1 over all rows.
     */
    record Affinities(int[] rowStart, int[] col, double[] p) {
        int n() {
            return rowStart.length - 1;
        }
    }

    /**
     * The map of {@code x}.
     *
     * @param perplexity   effective number of neighbours (needs n &gt; ⌊3·perplexity⌋ + 1)
     * @param iterations   total iterations including the exaggerated ones ({@value #EXPLORATION_ITERATIONS}, or a quarter)
     * @param theta        Barnes-Hut accuracy (0 = exact, sklearn's default 0.5)
     * @param learningRate step size; see {@link #defaultLearningRate}
     */
    static double[][] embed(double[][] x, double perplexity, int iterations, double theta, double learningRate,
                            long seed, TaskContext ctx) {
        Affinities p = affinities(x, perplexity, ctx);
        double[] y = initialLayout(x.length, seed);
        optimise(p, y, iterations, theta, learningRate, ctx);
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new double[] {y[2 * i], y[2 * i + 1]};
        }
        return out;
    }

    /**
     * scikit-learn 1.2's default ('auto', Belkina et al. 2019): n / early exaggeration / 4, at least 50. A fixed 200
     * (the old default) diverges on small maps during exaggeration (200 · 12 ≫ n) and spreads large ones too slowly;
     * on the 2,000 × 512 benchmark both give the same trustworthiness.
     */
    static double defaultLearningRate(int n) {
        return Math.max(50.0, n / EARLY_EXAGGERATION / 4.0);
    }

    static double[] initialLayout(int n, long seed) {
        Random r = new Random(seed);
        double[] y = new double[2 * n];
        for (int i = 0; i < y.length; i++) {
            y[i] = 1e-4 * r.nextGaussian();
        }
        return y;
    }

    // ---------------------------------------------------------------- P

    static Affinities affinities(double[][] x, double perplexity, TaskContext ctx) {
        int n = x.length;
        int k = (int) Math.floor(3 * perplexity) + 1;
        NeighbourTable nn = NeighbourTable.of(x, k, ctx);
        double target = Math.log(perplexity);
        double[][] cond = new double[n][];
        IntStream.range(0, n).parallel().forEach(i -> cond[i] = conditional(nn.distance[i], target));
        ctx.checkCancelled();
        // p_ij = (p_j|i + p_i|j) / (2n) after normalisation: scatter both directions, then merge per row
        int[] count = new int[n + 1];
        for (int i = 0; i < n; i++) {
            count[i + 1] += k;
            for (int j : nn.index[i]) {
                count[j + 1]++;
            }
        }
        for (int i = 0; i < n; i++) {
            count[i + 1] += count[i];
        }
        int[] fill = Arrays.copyOf(count, n);
        int[] cols = new int[count[n]];
        double[] vals = new double[count[n]];
        for (int i = 0; i < n; i++) {
            for (int m = 0; m < k; m++) {
                int j = nn.index[i][m];
                cols[fill[i]] = j;
                vals[fill[i]++] = cond[i][m];
                cols[fill[j]] = i;
                vals[fill[j]++] = cond[i][m];
            }
        }
        int[] rowStart = new int[n + 1];
        int[] outCol = new int[count[n]];
        double[] outP = new double[count[n]];
        int w = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = w;
            int a = count[i], b = count[i + 1];
            long[] keys = new long[b - a];
            for (int e = a; e < b; e++) {
                keys[e - a] = ((long) cols[e] << 32) | (e - a);
            }
            Arrays.sort(keys);
            for (int t = 0; t < keys.length; t++) {
                int j = (int) (keys[t] >>> 32);
                double v = vals[a + (int) keys[t]];
                if (w > rowStart[i] && outCol[w - 1] == j) {
                    outP[w - 1] += v;
                } else {
                    outCol[w] = j;
                    outP[w++] = v;
                }
                total += v;
            }
        }
        rowStart[n] = w;
        double norm = Math.max(total, Double.MIN_NORMAL);
        for (int e = 0; e < w; e++) {
            outP[e] /= norm;
        }
        return new Affinities(rowStart, Arrays.copyOf(outCol, w), Arrays.copyOf(outP, w));
    }

    /**
     * p_j|i ∝ exp(−β d²_ij) over the neighbours with β found by bisection so that the entropy is log(perplexity)
     * (sklearn's search: β from 1, doubling/halving until bracketed, tolerance 1e-5, at most 100 steps). Distances
     * are shifted by the nearest one before exponentiating, which leaves p unchanged and keeps it from underflowing
     * in high dimensions.
     */
    static double[] conditional(double[] dist, double targetEntropy) {
        int k = dist.length;
        double[] d2 = new double[k];
        double d0 = Double.POSITIVE_INFINITY;
        for (int m = 0; m < k; m++) {
            d2[m] = dist[m] * dist[m];
            d0 = Math.min(d0, d2[m]);
        }
        double[] p = new double[k];
        double beta = 1, lo = Double.NEGATIVE_INFINITY, hi = Double.POSITIVE_INFINITY;
        for (int step = 0; step < 100; step++) {
            double sum = 0;
            for (int m = 0; m < k; m++) {
                p[m] = Math.exp(-(d2[m] - d0) * beta);
                sum += p[m];
            }
            double weighted = 0;
            for (int m = 0; m < k; m++) {
                p[m] /= sum;
                weighted += (d2[m] - d0) * p[m];
            }
            double diff = Math.log(sum) + beta * weighted - targetEntropy;
            if (Math.abs(diff) <= 1e-5) {
                break;
            }
            if (diff > 0) {
                lo = beta;
                beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
            } else {
                hi = beta;
                beta = lo == Double.NEGATIVE_INFINITY ? beta / 2 : (beta + lo) / 2;
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- optimisation

    static void optimise(Affinities p, double[] y, int iterations, double theta, double learningRate,
                         TaskContext ctx) {
        int n = p.n();
        double[] update = new double[2 * n];
        double[] gains = new double[2 * n];
        Arrays.fill(gains, 1.0);
        double[] grad = new double[2 * n];
        double pLogP = 0;
        for (double v : p.p()) {
            pLogP += v * Math.log(v);
        }
        // sklearn's 250 exaggerated iterations of 1000; a shorter run keeps the same quarter, so that it still ends
        // with a map past its exaggeration phase (sklearn refuses fewer than 250 iterations)
        int exploration = Math.min(EXPLORATION_ITERATIONS, iterations / 4);
        for (int it = 0; it < iterations; it++) {
            ctx.checkCancelled();
            boolean explore = it < exploration;
            double exaggeration = explore ? EARLY_EXAGGERATION : 1.0;
            double momentum = explore ? 0.5 : 0.8;
            boolean report = it % REPORT_EVERY == 0;
            double pLogQ = gradient(p, y, theta, exaggeration, grad, report);
            for (int c = 0; c < grad.length; c++) {
                gains[c] = update[c] * grad[c] < 0 ? gains[c] + 0.2 : Math.max(gains[c] * 0.8, MIN_GAIN);
                update[c] = momentum * update[c] - learningRate * gains[c] * grad[c];
                y[c] += update[c];
            }
            if (report) {
                ctx.progress("t-SNE", it, iterations, String.format(Locale.ROOT, "KL %.4f", pLogP - pLogQ));
            }
        }
        ctx.progress("t-SNE", iterations, iterations, "");
    }

    /**
     * The KL gradient at y into {@code grad}: 4 (exaggeration · Σ_j p_ij q_ij (y_i − y_j) − Σ_j q_ij² (y_i − y_j) / Z)
     * with q_ij = 1 / (1 + |y_i − y_j|²) and Z = Σ_{i≠j} q_ij, the second sum by Barnes-Hut.
     *
     * @return Σ p_ij log(q_ij / Z) when {@code withCost} (so KL = Σ p log p minus it), else 0
     */
    static double gradient(Affinities p, double[] y, double theta, double exaggeration, double[] grad,
                           boolean withCost) {
        int n = p.n();
        QuadTree tree = new QuadTree(y, n);
        double[] zPart = new double[n];
        double[] rep = new double[2 * n];
        double[] pLogQ = new double[n];
        double theta2 = theta * theta;
        int block = 64;
        IntStream.range(0, (n + block - 1) / block).parallel().forEach(b -> {
            int[] stack = new int[4 * MAX_DEPTH + 8];
            for (int i = b * block, end = Math.min(n, i + block); i < end; i++) {
                double yi0 = y[2 * i], yi1 = y[2 * i + 1];
                zPart[i] = tree.repulsion(yi0, yi1, theta2, rep, 2 * i, stack);
                double a0 = 0, a1 = 0, lq = 0;
                for (int e = p.rowStart()[i]; e < p.rowStart()[i + 1]; e++) {
                    int j = p.col()[e];
                    double d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
                    double q = 1.0 / (1.0 + d0 * d0 + d1 * d1);
                    double f = p.p()[e] * q;
                    a0 += f * d0;
                    a1 += f * d1;
                    if (withCost) {
                        lq += p.p()[e] * Math.log(q);
                    }
                }
                grad[2 * i] = a0;
                grad[2 * i + 1] = a1;
                pLogQ[i] = lq;
            }
        });
        double z = 0, lq = 0;
        for (int i = 0; i < n; i++) {
            z += zPart[i];
            lq += pLogQ[i];
        }
        double zSafe = Math.max(z, Double.MIN_NORMAL);
        for (int c = 0; c < grad.length; c++) {
            grad[c] = 4 * (exaggeration * grad[c] - rep[c] / zSafe);
        }
        return withCost ? lq - Math.log(zSafe) : 0;
    }

    /**
     * A point quadtree over the map, rebuilt every iteration (O(n log n)), in flat arrays. Each cell keeps its
     * centre, half width, point count and centre of mass; a leaf holds one point, or several that coincide (or
     * that are still together at {@link #MAX_DEPTH}).
     */
    static final class QuadTree {
        private double[] cx, cy, half, mx, my;
        private int[] count, child;
        private int size;

        QuadTree(double[] y, int n) {
            double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
            double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                minX = Math.min(minX, y[2 * i]);
                maxX = Math.max(maxX, y[2 * i]);
                minY = Math.min(minY, y[2 * i + 1]);
                maxY = Math.max(maxY, y[2 * i + 1]);
            }
            int cap = Math.max(16, 2 * n);
            cx = new double[cap];
            cy = new double[cap];
            half = new double[cap];
            mx = new double[cap];
            my = new double[cap];
            count = new int[cap];
            child = new int[cap];
            double h = Math.max(maxX - minX, maxY - minY) / 2;
            newCell((minX + maxX) / 2, (minY + maxY) / 2, h * (1 + 1e-9) + 1e-12);
            for (int i = 0; i < n; i++) {
                insert(y[2 * i], y[2 * i + 1]);
            }
            for (int c = 0; c < size; c++) {
                mx[c] /= count[c];
                my[c] /= count[c];
            }
        }

        private int newCell(double x, double yy, double h) {
            if (size + 4 > cx.length) {
                int cap = cx.length * 2;
                cx = Arrays.copyOf(cx, cap);
                cy = Arrays.copyOf(cy, cap);
                half = Arrays.copyOf(half, cap);
                mx = Arrays.copyOf(mx, cap);
                my = Arrays.copyOf(my, cap);
                count = Arrays.copyOf(count, cap);
                child = Arrays.copyOf(child, cap);
            }
            cx[size] = x;
            cy[size] = yy;
            half[size] = h;
            child[size] = -1;
            return size++;
        }

        /** Quadrant of (x, y) in cell c: bit 0 = right, bit 1 = top. */
        private int quadrant(int c, double x, double yy) {
            return (x > cx[c] ? 1 : 0) | (yy > cy[c] ? 2 : 0);
        }

        private void insert(double x, double yy) {
            int c = 0;
            for (int depth = 0; ; depth++) {
                int before = count[c];
                if (child[c] < 0) {
                    // a leaf: empty, the same place (or too deep to tell apart), or split it and go on below
                    if (before == 0 || (mx[c] / before == x && my[c] / before == yy) || depth >= MAX_DEPTH) {
                        count[c]++;
                        mx[c] += x;
                        my[c] += yy;
                        return;
                    }
                    double ox = mx[c] / before, oy = my[c] / before;
                    int first = -1;
                    double h = half[c] / 2;
                    for (int q = 0; q < 4; q++) {
                        int nc = newCell(cx[c] + ((q & 1) != 0 ? h : -h), cy[c] + ((q & 2) != 0 ? h : -h), h);
                        if (q == 0) {
                            first = nc;
                        }
                    }
                    child[c] = first;
                    int oc = first + quadrant(c, ox, oy);
                    count[oc] = before;
                    mx[oc] = mx[c];
                    my[oc] = my[c];
                }
                count[c]++;
                mx[c] += x;
                my[c] += yy;
                c = child[c] + quadrant(c, x, yy);
            }
        }

        /**
         * Adds Σ_j q_ij² (y_i − y_j) over all other points to rep[at], rep[at + 1] and returns Σ_j q_ij, summarising
         * a cell by its centre of mass when its width² / distance² &lt; θ². The point's own leaf is at distance 0
         * and contributes its other coinciding points (q = 1, no force).
         */
        double repulsion(double x, double yy, double theta2, double[] rep, int at, int[] stack) {
            double z = 0, f0 = 0, f1 = 0;
            int top = 0;
            stack[top++] = 0;
            while (top > 0) {
                int c = stack[--top];
                int cnt = count[c];
                if (cnt == 0) {
                    continue;
                }
                double d0 = x - mx[c], d1 = yy - my[c];
                double d2 = d0 * d0 + d1 * d1;
                boolean leaf = child[c] < 0;
                if (leaf && d2 == 0) {
                    z += cnt - 1;
                } else if (leaf || 4 * half[c] * half[c] < theta2 * d2) {
                    double q = 1.0 / (1.0 + d2);
                    double m = cnt * q;
                    z += m;
                    m *= q;
                    f0 += m * d0;
                    f1 += m * d1;
                } else {
                    int ch = child[c];
                    stack[top++] = ch;
                    stack[top++] = ch + 1;
                    stack[top++] = ch + 2;
                    stack[top++] = ch + 3;
                }
            }
            rep[at] = f0;
            rep[at + 1] = f1;
            return z;
        }
    }
}
