package dev.rali.engine.rali;

import dev.rali.engine.task.TaskContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Stage C.3 (paper §4, Eq. 1–2): bucketed k-means. The score range [scoreMin, scoreMax] is cut into N equal-width
 * buckets (METHOD.md §8.2); I_n = training samples whose ground-truth score falls into bucket n (scores outside the
 * range go to the edge buckets). Inside each bucket, k-means with k_n clusters on the compressed embeddings ẑ,
 * Euclidean distance, un-normalised (Eq. 1; §8.4). Each cluster gives μ = mean of its members' ẑ and f = mean of
 * their scores (Eq. 2). Bases are ordered by bucket, then cluster.
 * <p>
 * <b>Allocation of K over buckets</b> (paper silent, METHOD.md §8.3): K' = min(K, n). If there are more non-empty
 * buckets than K', adjacent non-empty buckets are merged (always the adjacent pair with the fewest samples
 * together) until there are K'. Every (merged) bucket then gets one cluster and the rest are handed out one at a
 * time: PROPORTIONAL gives the next cluster to the bucket furthest below its proportional share K'·n_b/n (this is
 * the largest-remainder rule), UNIFORM to the bucket with the fewest clusters; a bucket never gets more clusters
 * than samples. Empty buckets yield no basis.
 * <p>
 * <b>k-means</b>: k-means++ seeding from a {@link Random} seeded with (seed, bucket), Lloyd iterations until no
 * assignment changes (or the centroid shift is below tolerance, or the iteration cap); an emptied cluster is moved
 * to the point furthest from its centroid. Deterministic for a given seed; the assignment step runs in parallel
 * but each point's result is independent of the others.
 * <p>
 * {@code bucketed = false} is the plain k-means ablation (Table 4 case 3): one k-means with K' clusters over all.
 */
public final class BucketedKMeans {

    private BucketedKMeans() { }

    /** Bases plus diagnostics of the clustering. */
    public record Fit(Bases bases, int nonEmptyBuckets, int groups, int[] clustersPerGroup, double inertia) { }

    /** Fits bases to compressed embeddings z [n][M] and ground-truth scores. */
    public static Fit fit(float[][] z, double[] scores, RaliParams.BasesParams p, long seed, TaskContext ctx) {
        Checks.matrix("bases input", z);
        Checks.scores("bases input", scores, z.length);
        int n = z.length;
        int kTotal = Math.min(p.count, n);
        List<int[]> groups = new ArrayList<>();
        int nonEmpty;
        if (p.bucketed) {
            int[] bucket = new int[n];
            int[] counts = new int[p.buckets];
            for (int i = 0; i < n; i++) {
                bucket[i] = bucketOf(scores[i], p.scoreMin, p.scoreMax, p.buckets);
                counts[bucket[i]]++;
            }
            List<List<Integer>> members = new ArrayList<>();
            for (int b = 0; b < p.buckets; b++) {
                if (counts[b] > 0) {
                    members.add(new ArrayList<>());
                }
            }
            nonEmpty = members.size();
            int[] slot = new int[p.buckets];
            int s = 0;
            for (int b = 0; b < p.buckets; b++) {
                slot[b] = counts[b] > 0 ? s++ : -1;
            }
            for (int i = 0; i < n; i++) {
                members.get(slot[bucket[i]]).add(i);
            }
            mergeAdjacent(members, kTotal);
            for (List<Integer> m : members) {
                groups.add(m.stream().mapToInt(Integer::intValue).toArray());
            }
        } else {
            nonEmpty = 1;
            groups.add(IntStream.range(0, n).toArray());
        }
        int[] sizes = groups.stream().mapToInt(g -> g.length).toArray();
        int[] k = allocate(sizes, kTotal, p.allocation);

        List<float[]> mu = new ArrayList<>();
        List<Float> f = new ArrayList<>();
        List<Long> clusterSizes = new ArrayList<>();
        double inertia = 0;
        for (int g = 0; g < groups.size(); g++) {
            ctx.checkCancelled();
            ctx.progress("bases", g, groups.size(), "k-means with " + k[g] + " clusters on " + sizes[g] + " samples");
            int[] idx = groups.get(g);
            float[][] x = new float[idx.length][];
            for (int i = 0; i < idx.length; i++) {
                x[i] = z[idx[i]];
            }
            KMeans km = kmeans(x, k[g], p.kmeansIterations, p.kmeansTolerance, seed * 1_000_003L + g, ctx);
            inertia += km.inertia;
            for (int c = 0; c < k[g]; c++) {
                double fs = 0;
                int cnt = 0;
                for (int i = 0; i < idx.length; i++) {
                    if (km.assignment[i] == c) {
                        fs += scores[idx[i]];
                        cnt++;
                    }
                }
                mu.add(km.centroids[c]);
                f.add((float) (fs / cnt));
                clusterSizes.add((long) cnt);
            }
        }
        ctx.progress("bases", groups.size(), groups.size(), mu.size() + " bases");
        float[] fa = new float[f.size()];
        long[] cs = new long[f.size()];
        for (int i = 0; i < fa.length; i++) {
            fa[i] = f.get(i);
            cs[i] = clusterSizes.get(i);
        }
        return new Fit(new Bases(mu.toArray(new float[0][]), fa, cs), nonEmpty, groups.size(), k, inertia);
    }

    /** Bucket index of a score: N equal-width buckets over [min, max], values outside clamped to the edges. */
    static int bucketOf(double s, double min, double max, int buckets) {
        int b = (int) Math.floor((s - min) / (max - min) * buckets);
        return Math.max(0, Math.min(buckets - 1, b));
    }

    /** Merges adjacent groups (the adjacent pair with the smallest combined size first) until at most k remain. */
    static void mergeAdjacent(List<List<Integer>> groups, int k) {
        while (groups.size() > k) {
            int best = 0;
            int bestSize = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < groups.size(); i++) {
                int sz = groups.get(i).size() + groups.get(i + 1).size();
                if (sz < bestSize) {
                    bestSize = sz;
                    best = i;
                }
            }
            groups.get(best).addAll(groups.remove(best + 1));
        }
    }

    /** Clusters per group: one each, then the rest by the allocation rule, never more than a group's size. */
    static int[] allocate(int[] sizes, int kTotal, RaliParams.Allocation rule) {
        int g = sizes.length;
        long n = 0;
        for (int s : sizes) {
            n += s;
        }
        if (g > kTotal || kTotal > n) {
            throw new IllegalArgumentException("cannot spread " + kTotal + " clusters over " + g + " groups of " + n
                    + " samples");
        }
        int[] k = new int[g];
        Arrays.fill(k, 1);
        for (int left = kTotal - g; left > 0; left--) {
            int best = -1;
            double bestKey = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < g; i++) {
                if (k[i] >= sizes[i]) {
                    continue;
                }
                double key = rule == RaliParams.Allocation.PROPORTIONAL
                        ? (double) kTotal * sizes[i] / n - k[i]
                        : -k[i] + sizes[i] * 1e-9; // fewest clusters first, ties to the larger bucket
                if (key > bestKey) {
                    bestKey = key;
                    best = i;
                }
            }
            k[best]++;
        }
        return k;
    }

    /** Result of one k-means run. */
    record KMeans(float[][] centroids, int[] assignment, double inertia, int iterations) { }

    /** Seeded k-means++ then Lloyd. k ≤ x.length. */
    static KMeans kmeans(float[][] x, int k, int maxIter, double tol, long seed, TaskContext ctx) {
        int n = x.length;
        int d = x[0].length;
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("k-means with " + k + " clusters on " + n + " points");
        }
        if (k == n) { // every point its own cluster
            float[][] c = new float[n][];
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                c[i] = x[i].clone();
                a[i] = i;
            }
            return new KMeans(c, a, 0, 0);
        }
        Random rnd = new Random(seed);
        double[][] c = new double[k][];
        // k-means++: first centre uniform, then each next with probability ∝ squared distance to the nearest one.
        double[] dist = new double[n];
        c[0] = toDouble(x[rnd.nextInt(n)]);
        for (int i = 0; i < n; i++) {
            dist[i] = sq(x[i], c[0]);
        }
        for (int j = 1; j < k; j++) {
            double total = 0;
            for (double v : dist) {
                total += v;
            }
            int pick;
            if (total <= 0) { // all remaining points coincide with centres: take the first not yet chosen
                pick = j;
            } else {
                double r = rnd.nextDouble() * total;
                pick = n - 1;
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += dist[i];
                    if (acc > r) {
                        pick = i;
                        break;
                    }
                }
            }
            c[j] = toDouble(x[pick]);
            double[] cj = c[j];
            for (int i = 0; i < n; i++) {
                dist[i] = Math.min(dist[i], sq(x[i], cj));
            }
        }
        int[] assign = new int[n];
        Arrays.fill(assign, -1);
        double[] best = new double[n];
        int iter = 0;
        for (; iter < maxIter; iter++) {
            if (ctx != null) {
                ctx.checkCancelled();
                if (k >= 50) { // only the large (plain k-means) runs take long enough to be worth reporting
                    ctx.progress("k-means", iter, maxIter, "Lloyd iteration " + (iter + 1) + ", " + k + " clusters");
                }
            }
            int[] next = new int[n];
            assignNearest(x, c, k, next, best);
            boolean changed = !Arrays.equals(next, assign);
            assign = next;
            double[][] nc = new double[k][d];
            int[] cnt = new int[k];
            for (int i = 0; i < n; i++) {
                double[] t = nc[assign[i]];
                for (int q = 0; q < d; q++) {
                    t[q] += x[i][q];
                }
                cnt[assign[i]]++;
            }
            for (int j = 0; j < k; j++) {
                if (cnt[j] == 0) { // re-seed an emptied cluster at the point worst served by its centroid
                    int far = 0;
                    for (int i = 1; i < n; i++) {
                        if (best[i] > best[far]) {
                            far = i;
                        }
                    }
                    nc[j] = toDouble(x[far]);
                    best[far] = 0;
                    assign[far] = j;
                    changed = true;
                    continue;
                }
                for (int q = 0; q < d; q++) {
                    nc[j][q] /= cnt[j];
                }
            }
            double shift = 0;
            double scale = 0;
            for (int j = 0; j < k; j++) {
                shift += sq(nc[j], c[j]);
                for (double v : c[j]) {
                    scale += v * v;
                }
            }
            c = nc;
            if (!changed || shift <= tol * tol * Math.max(scale, 1e-30)) {
                iter++;
                break;
            }
        }
        // Final assignment and centroids consistent with each other (Eq. 2: μ = mean of its members).
        int[] fin = new int[n];
        double[] fd = new double[n];
        assignNearest(x, c, k, fin, fd);
        int[] cnt = new int[k];
        for (int a : fin) {
            cnt[a]++;
        }
        // A cluster left empty by the final assignment keeps the single point nearest to its centroid.
        for (int j = 0; j < k; j++) {
            if (cnt[j] == 0) {
                int near = -1;
                double nd = Double.POSITIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    if (cnt[fin[i]] > 1) {
                        double v = sq(x[i], c[j]);
                        if (v < nd) {
                            nd = v;
                            near = i;
                        }
                    }
                }
                cnt[fin[near]]--;
                fin[near] = j;
                cnt[j] = 1;
            }
        }
        float[][] out = new float[k][d];
        double[][] sum = new double[k][d];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < d; q++) {
                sum[fin[i]][q] += x[i][q];
            }
        }
        for (int j = 0; j < k; j++) {
            for (int q = 0; q < d; q++) {
                out[j][q] = (float) (sum[j][q] / cnt[j]);
            }
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) {
            inertia += sq(x[i], out[fin[i]]);
        }
        return new KMeans(out, fin, inertia, iter);
    }

    private static double[] toDouble(float[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = v[i];
        }
        return o;
    }

    /** For every point: the index of its nearest of the first k centroids (first on ties) and the squared distance. */
    private static void assignNearest(float[][] x, double[][] c, int k, int[] assign, double[] dist) {
        IntStream.range(0, x.length).parallel().forEach(i -> {
            int arg = 0;
            double bd = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double v = sq(x[i], c[j]);
                if (v < bd) {
                    bd = v;
                    arg = j;
                }
            }
            assign[i] = arg;
            dist[i] = bd;
        });
    }

    private static double sq(float[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    private static double sq(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = (double) a[i] - b[i];
            s += t * t;
        }
        return s;
    }

    private static double sq(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            s += t * t;
        }
        return s;
    }
}
