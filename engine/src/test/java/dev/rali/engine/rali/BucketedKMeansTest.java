package dev.rali.engine.rali;

import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class BucketedKMeansTest {

    /** n samples in d dims; score uniform in [1,5]; embedding = weak score direction + strong unrelated structure. */
    static float[][] data(int n, int d, long seed, double[] scoresOut) {
        Random r = new Random(seed);
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            double s = 1 + 4 * r.nextDouble();
            scoresOut[i] = s;
            int blob = r.nextInt(4); // content clusters unrelated to quality
            for (int j = 0; j < d; j++) {
                x[i][j] = (float) (r.nextGaussian() * 0.3 + (j == blob ? 4 : 0));
            }
            x[i][d - 1] += (float) (0.15 * (s - 3));
        }
        return x;
    }

    @Test
    void bucketEdgesAreEqualWidthOverTheRange() {
        assertEquals(0, BucketedKMeans.bucketOf(1.0, 1, 5, 240));
        assertEquals(239, BucketedKMeans.bucketOf(5.0, 1, 5, 240));
        assertEquals(1, BucketedKMeans.bucketOf(1 + 4.0 / 240 + 1e-9, 1, 5, 240));
        assertEquals(0, BucketedKMeans.bucketOf(0.2, 1, 5, 240));
        assertEquals(239, BucketedKMeans.bucketOf(7, 1, 5, 240));
        assertEquals(120, BucketedKMeans.bucketOf(3.0, 1, 5, 240));
    }

    @Test
    void proportionalAllocationFollowsPopulationWithOnePerBucket() {
        assertArrayEquals(new int[] {1, 3, 6}, BucketedKMeans.allocate(new int[] {10, 30, 60}, 10,
                RaliParams.Allocation.PROPORTIONAL));
        // a tiny bucket still gets one; the others share the rest by size
        assertArrayEquals(new int[] {1, 4, 5}, BucketedKMeans.allocate(new int[] {1, 45, 54}, 10,
                RaliParams.Allocation.PROPORTIONAL));
        // capped at the bucket size
        assertArrayEquals(new int[] {1, 9}, BucketedKMeans.allocate(new int[] {1, 100}, 10,
                RaliParams.Allocation.PROPORTIONAL));
        assertArrayEquals(new int[] {2, 2, 2}, BucketedKMeans.allocate(new int[] {10, 30, 60}, 6,
                RaliParams.Allocation.UNIFORM));
        assertArrayEquals(new int[] {1, 3, 3}, BucketedKMeans.allocate(new int[] {1, 30, 60}, 7,
                RaliParams.Allocation.UNIFORM));
    }

    @Test
    void mergesTheSmallestAdjacentBucketsWhenThereAreMoreBucketsThanBases() {
        List<List<Integer>> g = new ArrayList<>();
        int[] sizes = {5, 1, 1, 7, 2};
        int id = 0;
        for (int s : sizes) {
            List<Integer> m = new ArrayList<>();
            for (int i = 0; i < s; i++) {
                m.add(id++);
            }
            g.add(m);
        }
        BucketedKMeans.mergeAdjacent(g, 3);
        // pair sums 6, 2, 8, 9 → merge the two singletons; then 7, 9, 9 → merge 5 with the new 2
        assertEquals(List.of(7, 7, 2), g.stream().map(List::size).toList());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), g.get(0));
    }

    @Test
    void kmeansRecoversSeparatedClustersDeterministically() {
        Random r = new Random(5);
        float[][] x = new float[300][2];
        for (int i = 0; i < 300; i++) {
            int c = i % 3;
            x[i][0] = (float) (c * 10 + r.nextGaussian() * 0.1);
            x[i][1] = (float) (r.nextGaussian() * 0.1);
        }
        var a = BucketedKMeans.kmeans(x, 3, 100, 1e-6, 1, TaskContext.silent());
        var b = BucketedKMeans.kmeans(x, 3, 100, 1e-6, 1, TaskContext.silent());
        assertArrayEquals(a.assignment(), b.assignment());
        double[] xs = Arrays.stream(a.centroids()).mapToDouble(c -> c[0]).sorted().toArray();
        assertArrayEquals(new double[] {0, 10, 20}, xs, 0.05);
        for (int i = 0; i < 300; i++) {
            assertEquals(a.assignment()[i], a.assignment()[i % 3]);
        }
    }

    @Test
    void bucketedBasesSpanTheScoreRangePlainKmeansConcentrates() {
        int n = 2000;
        double[] s = new double[n];
        float[][] x = data(n, 8, 11, s);
        RaliParams.BasesParams p = new RaliParams().bases;
        p.count = 50;
        p.buckets = 40;
        BucketedKMeans.Fit bucketed = BucketedKMeans.fit(x, s, p, 1, TaskContext.silent());
        p.bucketed = false;
        BucketedKMeans.Fit plain = BucketedKMeans.fit(x, s, p, 1, TaskContext.silent());
        assertEquals(50, bucketed.bases().count());
        assertEquals(50, plain.bases().count());
        assertEquals(40, bucketed.nonEmptyBuckets());
        assertEquals(n, Arrays.stream(bucketed.bases().clusterSizes()).sum());
        double[] fb = toD(bucketed.bases().f());
        double[] fp = toD(plain.bases().f());
        assertTrue(min(fb) < 1.1 && max(fb) > 4.9, "bucketed f range " + min(fb) + ".." + max(fb));
        assertTrue(max(fp) - min(fp) < 0.6 * (max(fb) - min(fb)),
                "plain f range " + min(fp) + ".." + max(fp) + " vs bucketed " + min(fb) + ".." + max(fb));
        // each basis score is the mean of its members' scores, so it lies inside its bucket (width 0.1 here)
        p.bucketed = true;
        p.count = 40;
        BucketedKMeans.Fit one = BucketedKMeans.fit(x, s, p, 1, TaskContext.silent());
        for (int i = 0; i < 40; i++) {
            assertEquals(1 + 0.1 * i + 0.05, one.bases().f()[i], 0.05 + 1e-6);
        }
    }

    @Test
    void sameSeedSameBasesAndRoundTripThroughSafetensors(@TempDir Path tmp) throws Exception {
        int n = 500;
        double[] s = new double[n];
        float[][] x = data(n, 6, 3, s);
        RaliParams.BasesParams p = new RaliParams().bases;
        p.count = 30;
        p.buckets = 20;
        Bases a = BucketedKMeans.fit(x, s, p, 9, TaskContext.silent()).bases();
        Bases b = BucketedKMeans.fit(x, s, p, 9, TaskContext.silent()).bases();
        assertArrayEquals(a.f(), b.f());
        assertArrayEquals(a.mu(), b.mu());
        Path f = tmp.resolve("bases.safetensors");
        a.save(f);
        Bases c = Bases.load(f);
        assertArrayEquals(a.mu(), c.mu());
        assertArrayEquals(a.f(), c.f());
        assertArrayEquals(a.clusterSizes(), c.clusterSizes());
    }

    @Test
    void fewerSamplesThanBasesGivesOneBasisPerSample() {
        float[][] x = {{0, 1}, {1, 0}, {2, 2}};
        double[] s = {1.5, 3, 4.5};
        BucketedKMeans.Fit fit = BucketedKMeans.fit(x, s, new RaliParams().bases, 1, TaskContext.silent());
        assertEquals(3, fit.bases().count());
        assertArrayEquals(new float[] {1.5f, 3f, 4.5f}, fit.bases().f());
    }

    @Test
    void rejectsNanScoresAndRaggedEmbeddings() {
        var e = assertThrows(IllegalArgumentException.class, () -> BucketedKMeans.fit(
                new float[][] {{0, 1}, {1, 0}}, new double[] {2, Double.NaN}, new RaliParams().bases, 1,
                TaskContext.silent()));
        assertTrue(e.getMessage().contains("score 1 is NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BucketedKMeans.fit(
                new float[][] {{0, 1}, {1}}, new double[] {2, 3}, new RaliParams().bases, 1, TaskContext.silent()));
        assertThrows(IllegalArgumentException.class, () -> BucketedKMeans.fit(
                new float[][] {{0, 1}, {1, 2}}, new double[] {2}, new RaliParams().bases, 1, TaskContext.silent()));
    }

    private static double[] toD(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElseThrow();
    }

    private static double max(double[] a) {
        return Arrays.stream(a).max().orElseThrow();
    }
}
