import java.lang.reflect.Method;
import java.util.Random;

/**
 * The k-NN graph behind UMAP: Smile's LinearSearch (what smile.manifold.UMAP.of(double[][]) runs: one Euclidean
 * distance call per pair, parallel over candidates) against rali's NeighbourTable (blocked exact search), on the same
 * seeded Gaussian rows; checks both find the same neighbours. Run after a build:
 *   java -cp "engine/target/classes:engine/target/lib/*" bench/KnnBench.java [n] [d] [k]
 */
public class KnnBench {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Random r = new Random(1);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian();
            }
        }
        Class<?> ctxType = Class.forName("dev.rali.engine.task.TaskContext");
        Object silent = ctxType.getMethod("silent").invoke(null);
        Method of = Class.forName("dev.rali.engine.analysis.NeighbourTable")
                .getDeclaredMethod("of", double[][].class, int.class, ctxType);
        of.setAccessible(true);
        long t0 = System.nanoTime();
        Object table = of.invoke(null, x, k, silent);
        double ours = (System.nanoTime() - t0) / 1e9;
        var field = table.getClass().getDeclaredField("index");
        field.setAccessible(true);
        int[][] idx = (int[][]) field.get(table);

        var search = smile.neighbor.LinearSearch.of(x, new smile.math.distance.EuclideanDistance());
        t0 = System.nanoTime();
        int same = 0;
        for (int i = 0; i < n; i++) {
            var nb = search.search(x[i], k);
            java.util.Set<Integer> a = new java.util.HashSet<>();
            for (var e : nb) {
                a.add(e.index);
            }
            java.util.Set<Integer> b = new java.util.HashSet<>();
            for (int j : idx[i]) {
                b.add(j);
            }
            same += a.equals(b) ? 1 : 0;
        }
        double smile = (System.nanoTime() - t0) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "{\"n\": %d, \"d\": %d, \"k\": %d, \"ours_seconds\": %.2f, "
                + "\"smile_linear_search_seconds\": %.2f, \"rows_with_identical_neighbours\": %d, \"cpus\": %d}%n",
                n, d, k, ours, smile, same, Runtime.getRuntime().availableProcessors());
    }
}
