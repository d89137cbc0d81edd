package dev.rali.engine.analysis;

import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import smile.manifold.UMAP;
import smile.math.MathEx;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The blocked exact k-NN equals brute force, and UMAP on it is Smile's UMAP on the raw rows. */
class NeighbourTableTest {

    static double[][] data(int n, int d, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void theTableHoldsEachRowsKNearestOtherRowsNearestFirstWithExactDistances() {
        double[][] x = data(203, 37, 1); // not a multiple of the 4 × 4 tile, in rows or columns
        int k = 9;
        NeighbourTable t = NeighbourTable.of(x, k, TaskContext.silent());
        for (int i = 0; i < x.length; i++) {
            final int q = i;
            Integer[] all = new Integer[x.length];
            for (int j = 0; j < all.length; j++) {
                all[j] = j;
            }
            Integer[] brute = Arrays.stream(all).filter(j -> j != q)
                    .sorted(Comparator.comparingDouble(j -> GapStatistics.sq(x[q], x[j]))).limit(k)
                    .toArray(Integer[]::new);
            assertArrayEquals(Arrays.stream(brute).mapToInt(Integer::intValue).toArray(), t.index[i], "row " + i);
            for (int m = 0; m < k; m++) {
                assertEquals(Math.sqrt(GapStatistics.sq(x[i], x[brute[m]])), t.distance[i][m], 0.0);
            }
        }
        assertEquals(Double.MAX_VALUE, t.asDistance().d(0, otherThanNeighbours(t, 0)), 0.0);
        assertEquals(t.distance[5][2], t.asDistance().d(5, t.index[5][2]), 0.0);
    }

    private static int otherThanNeighbours(NeighbourTable t, int row) {
        for (int j = 0; ; j++) {
            final int c = j;
            if (j != row && Arrays.stream(t.index[row]).noneMatch(v -> v == c)) {
                return j;
            }
        }
    }

    @Test
    void umapOnTheTableBuildsSmilesGraphAndAMapAsFaithful() {
        double[][] x = data(240, 3, 7); // 3-d: one connected k-NN graph
        Integer[] keys = new Integer[x.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i;
        }
        MathEx.setSeed(3);
        UMAP direct = UMAP.of(x, 15, 2, 60, 1.0, 0.1, 1.0, 5, 1.0);
        MathEx.setSeed(3);
        UMAP viaTable = UMAP.of(keys, NeighbourTable.of(x, 15, TaskContext.silent()).asDistance(), 15, 2, 60, 1.0,
                0.1, 1.0, 5, 1.0);
        assertEquals(x.length, direct.index.length, "one connected component, as the test assumes");
        assertArrayEquals(direct.index, viaTable.index);
        for (int v = 0; v < x.length; v++) {
            // the fuzzy simplicial set (membership strengths of the k-NN graph) is the same, edge by edge
            java.util.Map<Integer, Double> a = new java.util.HashMap<>();
            direct.graph.getEdges(v).forEach(e -> a.put(e.v2, e.weight));
            java.util.Map<Integer, Double> b = new java.util.HashMap<>();
            viaTable.graph.getEdges(v).forEach(e -> b.put(e.v2, e.weight));
            assertEquals(a.keySet(), b.keySet(), "edges of " + v);
            for (int u : a.keySet()) {
                assertEquals(a.get(u), b.get(u), 1e-12, "weight " + v + "-" + u);
            }
        }
        // Smile's layout (parallel SGD) does not repeat bit for bit, so the maps are compared by what they keep:
        // ours at least as faithful, within the 0.02
        double[][] ours = MapProjection.umap(x, 15, 60, 3, TaskContext.silent());
        double[][] theirs = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            theirs[direct.index[i]] = direct.coordinates[i];
        }
        double t = GapStatistics.trustworthiness(x, theirs, 5);
        double o = GapStatistics.trustworthiness(x, ours, 5);
        org.junit.jupiter.api.Assertions.assertTrue(o >= t - 0.02, "ours " + o + ", Smile's " + t);
    }

    @Test
    void kMustBeBelowTheRowCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NeighbourTable.of(data(5, 3, 1), 5, TaskContext.silent()));
        assertEquals("k-NN needs 1 <= k < n, got k 5 for 5 rows", e.getMessage());
    }
}
