package dev.rali.engine.analysis;

import dev.rali.engine.task.TaskContext;
import smile.math.distance.Distance;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The exact k nearest neighbours (Euclidean) of every row, computed in register-tiled blocks of the Gram matrix on
 * all cores (d²(i, j) = |x_i|² + |x_j|² − 2 x_i·x_j; the k winners' distances are then recomputed directly, so no
 * cancellation error reaches them). Smile's UMAP finds the same neighbours with one distance call per pair
 * ({@code LinearSearch}); {@link #asDistance} hands it this table instead, so its k-NN graph is identical and the
 * O(n²·D) part runs about an order of magnitude faster (10,000 × 512 in seconds; see docs/PERFORMANCE.md).
 */
final class NeighbourTable {
    final int[][] index;
    final double[][] distance;

    private NeighbourTable(int[][] index, double[][] distance) {
        this.index = index;
        this.distance = distance;
    }

    /** The k nearest other rows of each row, nearest first (ties: lower index first). */
    static NeighbourTable of(double[][] x, int k, TaskContext ctx) {
        int n = x.length;
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("k-NN needs 1 <= k < n, got k " + k + " for " + n + " rows");
        }
        int d = x[0].length;
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += x[i][j] * x[i][j];
            }
            norm[i] = s;
        }
        int[][] idx = new int[n][];
        double[][] dist = new double[n][];
        int blocks = (n + 3) / 4;
        AtomicInteger done = new AtomicInteger();
        IntStream.range(0, blocks).parallel().forEach(b -> {
            if (ctx.isCancelled()) {
                return;
            }
            int i0 = 4 * b;
            int rows = Math.min(4, n - i0);
            int[][] heapIdx = new int[rows][k];
            double[][] heapD = new double[rows][k];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(heapD[r], Double.POSITIVE_INFINITY);
                java.util.Arrays.fill(heapIdx[r], Integer.MAX_VALUE);
            }
            double[] g = new double[16];
            for (int j0 = 0; j0 < n; j0 += 4) {
                int cols = Math.min(4, n - j0);
                gram(x, i0, rows, j0, cols, d, g);
                for (int r = 0; r < rows; r++) {
                    int i = i0 + r;
                    for (int c = 0; c < cols; c++) {
                        int j = j0 + c;
                        if (j != i) {
                            offer(heapIdx[r], heapD[r], j, norm[i] + norm[j] - 2 * g[4 * r + c]);
                        }
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                int i = i0 + r;
                double[] exact = new double[k];
                for (int m = 0; m < k; m++) {
                    exact[m] = Math.sqrt(GapStatistics.sq(x[i], x[heapIdx[r][m]]));
                }
                Integer[] order = new Integer[k];
                for (int m = 0; m < k; m++) {
                    order[m] = m;
                }
                int[] hi = heapIdx[r];
                java.util.Arrays.sort(order, (p, q) -> exact[p] != exact[q] ? Double.compare(exact[p], exact[q])
                        : Integer.compare(hi[p], hi[q]));
                idx[i] = new int[k];
                dist[i] = new double[k];
                for (int m = 0; m < k; m++) {
                    idx[i][m] = hi[order[m]];
                    dist[i][m] = exact[order[m]];
                }
            }
            int finished = done.incrementAndGet();
            if (finished % 64 == 0) {
                ctx.progress("k-NN graph", 4L * finished, n, "");
            }
        });
        ctx.checkCancelled();
        ctx.progress("k-NN graph", n, n, "done"); // the in-loop reports stop short of n: finish the line
        return new NeighbourTable(idx, dist);
    }

    /** g[4r + c] = x[i0 + r] · x[j0 + c] for a tile of up to 4 × 4 rows: 16 accumulators, 8 loads per step. */
    static void gram(double[][] x, int i0, int rows, int j0, int cols, int d, double[] g) {
        gram(x, i0, rows, x, j0, cols, d, g);
    }

    /**
     * g[4r + c] = a[i0 + r] · b[j0 + c]. Each product is summed over t in order, exactly as a plain dot product
     * loop would, so results are bit-identical to one; the tile only keeps 16 sums in registers at once.
     */
    static void gram(double[][] a, int i0, int rows, double[][] b, int j0, int cols, int d, double[] g) {
        if (rows == 4 && cols == 4) {
            double[] a0 = a[i0], a1 = a[i0 + 1], a2 = a[i0 + 2], a3 = a[i0 + 3];
            double[] b0 = b[j0], b1 = b[j0 + 1], b2 = b[j0 + 2], b3 = b[j0 + 3];
            double s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
            double s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
            for (int t = 0; t < d; t++) {
                double p0 = a0[t], p1 = a1[t], p2 = a2[t], p3 = a3[t];
                double q0 = b0[t], q1 = b1[t], q2 = b2[t], q3 = b3[t];
                s00 += p0 * q0; s01 += p0 * q1; s02 += p0 * q2; s03 += p0 * q3;
                s10 += p1 * q0; s11 += p1 * q1; s12 += p1 * q2; s13 += p1 * q3;
                s20 += p2 * q0; s21 += p2 * q1; s22 += p2 * q2; s23 += p2 * q3;
                s30 += p3 * q0; s31 += p3 * q1; s32 += p3 * q2; s33 += p3 * q3;
            }
            g[0] = s00; g[1] = s01; g[2] = s02; g[3] = s03;
            g[4] = s10; g[5] = s11; g[6] = s12; g[7] = s13;
            g[8] = s20; g[9] = s21; g[10] = s22; g[11] = s23;
            g[12] = s30; g[13] = s31; g[14] = s32; g[15] = s33;
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int t = 0; t < d; t++) {
                    s += a[i0 + r][t] * b[j0 + c][t];
                }
                g[4 * r + c] = s;
            }
        }
    }

    /** Keeps the k smallest (d, j) in an unordered array whose worst entry is found by a scan (k is small). */
    private static void offer(int[] idx, double[] dist, int j, double d) {
        int worst = 0;
        for (int m = 1; m < dist.length; m++) {
            if (dist[m] > dist[worst] || (dist[m] == dist[worst] && idx[m] > idx[worst])) {
                worst = m;
            }
        }
        if (d < dist[worst] || (d == dist[worst] && j < idx[worst])) {
            dist[worst] = d;
            idx[worst] = j;
        }
    }

    /**
     * A distance on row numbers that is the true distance between rows when either is among the other's k nearest,
     * and the largest double otherwise. Smile's k-NN search over it finds exactly this table: the candidates it sees
     * with a true distance include the query's k nearest, every other one is farther (it is a true distance too),
     * and the placeholders never enter (it keeps only candidates strictly nearer than its current k-th). Symmetric,
     * because Smile evaluates it as d(candidate, query).
     */
    Distance<Integer> asDistance() {
        return (a, b) -> {
            double d = lookup(a, b);
            return d < Double.MAX_VALUE ? d : lookup(b, a);
        };
    }

    private double lookup(int a, int b) {
        int[] ia = index[a];
        for (int m = 0; m < ia.length; m++) {
            if (ia[m] == b) {
                return distance[a][m];
            }
        }
        return Double.MAX_VALUE;
    }
}
