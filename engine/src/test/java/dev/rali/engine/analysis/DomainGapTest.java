package dev.rali.engine.analysis;

import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainGapTest {

    /** n rows per group, group g shifted by g × shift along the first axis; score = 1 + second coordinate. */
    static EmbeddingSpace clusters(int groups, int n, int d, double shift, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[groups * n][d];
        String[] g = new String[groups * n];
        double[] s = new double[groups * n];
        for (int i = 0; i < x.length; i++) {
            int grp = i / n;
            for (int j = 0; j < d; j++) {
                x[i][j] = r.nextGaussian() + (j == 0 ? grp * shift : 0) + (j == 1 ? 3 : 0);
            }
            g[i] = "set" + (char) ('A' + grp);
            s[i] = x[i][2];
        }
        return new EmbeddingSpace("synthetic", x, g, s, null);
    }

    static DomainGapParams fast(MapProjection.Method m) {
        return DomainGapParams.defaults().withMethod(m).withMap(10, 10, 250, 42, 2000);
    }

    @Test
    void separatedDatasetsGiveAHighAccuracySmallPValueAndAFaithfulMap() {
        DomainGapResult r = new DomainGap().analyze(clusters(2, 80, 8, 8, 1), fast(MapProjection.Method.TSNE),
                TaskContext.silent());
        assertTrue(r.classifier().accuracy() > 0.97, "accuracy " + r.classifier().accuracy());
        assertEquals(0.5, r.classifier().chance(), 1e-12);
        assertEquals(1, r.mmd().size());
        assertTrue(r.mmd().get(0).pValue() < 0.01);
        assertEquals(160, r.map().coordinates().length);
        // 8-D isotropic clusters cannot be flattened perfectly; the map must still beat a random placement clearly
        double[][] shuffled = r.map().coordinates().clone();
        java.util.Collections.shuffle(Arrays.asList(shuffled), new Random(9));
        double random = GapStatistics.trustworthiness(clusters(2, 80, 8, 8, 1).x(), shuffled, 5);
        assertTrue(r.map().trustworthiness() > random + 0.15,
                "trustworthiness " + r.map().trustworthiness() + " vs random " + random);
        assertTrue(r.knn().within().get("setA") > 0.5, "quality is the third axis: kNN finds it");
    }

    @Test
    void everyPhaseEndsFinishedAndTheSummaryPrintsEachKnnNumberOnce() {
        java.util.Map<String, long[]> last = new java.util.LinkedHashMap<>();
        TaskContext record = new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) {
                last.put(phase, new long[] {done, total});
            }
            @Override public void log(String line) { }
            @Override public boolean isCancelled() { return false; }
        };
        DomainGapResult r = new DomainGap().analyze(clusters(2, 40, 6, 4, 5), fast(MapProjection.Method.TSNE), record);
        assertTrue(last.keySet().containsAll(java.util.List.of("trustworthiness", "MMD²", "kNN SRCC")), last.keySet()
                .toString());
        // an unfinished phase leaves a terminal's progress line standing (it read as a second kNN line)
        last.forEach((phase, dt) -> assertEquals(dt[1], dt[0], phase + " ends at " + dt[0] + "/" + dt[1]));
        String summary = DomainGapReport.summary(r);
        assertEquals(4, summary.lines().filter(l -> l.startsWith("kNN SRCC")).count(), summary);
        assertEquals(1, summary.lines().filter(l -> l.startsWith("kNN SRCC within setA")).count(), summary);
        assertEquals(1, summary.lines().filter(l -> l.startsWith("kNN SRCC setA → setB")).count(), summary);
    }

    @Test
    void smilesExactTsneIsAMethodTooAndTheBarnesHutMapIsAsFaithful() {
        EmbeddingSpace s = clusters(2, 80, 8, 8, 1);
        assertEquals(MapProjection.Method.TSNE_EXACT, MapProjection.Method.parse("tsne-exact"));
        // 1,000 iterations (sklearn's default): Smile's exaggeration phase alone takes the first 250
        DomainGapResult exact = new DomainGap().analyze(s, DomainGapParams.defaults()
                .withMethod(MapProjection.Method.TSNE_EXACT).withMap(10, 10, 1000, 42, 2000), TaskContext.silent());
        DomainGapResult bh = new DomainGap().analyze(s, DomainGapParams.defaults()
                .withMethod(MapProjection.Method.TSNE).withMap(10, 10, 1000, 42, 2000), TaskContext.silent());
        assertEquals(160, exact.map().coordinates().length);
        String json = DomainGapReport.toJson(exact);
        assertTrue(json.contains("\"method\" : \"tsne-exact\""), json);
        assertTrue(exact.map().trustworthiness() > 0.8, "exact " + exact.map().trustworthiness());
        assertTrue(bh.map().trustworthiness() > exact.map().trustworthiness() - 0.02,
                "Barnes-Hut " + bh.map().trustworthiness() + " vs exact " + exact.map().trustworthiness());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MapProjection.tsneExact(
                new double[MapProjection.TSNE_EXACT_MAX_POINTS + 1][2], 30, 10, 1, TaskContext.silent()));
        assertTrue(e.getMessage().contains("--method tsne"), e.getMessage());
    }

    @Test
    void theMapIsReproducibleForASeed() {
        EmbeddingSpace s = clusters(2, 60, 6, 3, 2);
        double[][] a = new DomainGap().analyze(s, fast(MapProjection.Method.TSNE), TaskContext.silent())
                .map().coordinates();
        double[][] b = new DomainGap().analyze(s, fast(MapProjection.Method.TSNE), TaskContext.silent())
                .map().coordinates();
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0.0);
        }
    }

    @Test
    void umapPlacesEveryPointEvenWhenTheDatasetsAreDisconnected() {
        EmbeddingSpace s = clusters(2, 60, 6, 50, 3);
        DomainGapResult r = new DomainGap().analyze(s, fast(MapProjection.Method.UMAP), TaskContext.silent());
        double[][] xy = r.map().coordinates();
        assertEquals(120, xy.length);
        double maxA = Double.NEGATIVE_INFINITY, minB = Double.POSITIVE_INFINITY;
        for (int i = 0; i < xy.length; i++) {
            assertTrue(Double.isFinite(xy[i][0]) && Double.isFinite(xy[i][1]), "row " + i + " placed");
            if (i < 60) {
                maxA = Math.max(maxA, xy[i][0]);
            } else {
                minB = Math.min(minB, xy[i][0]);
            }
        }
        assertTrue(maxA < minB, "the two components side by side, A left of B along the main axis");
    }

    @Test
    void oneDatasetStillGetsAMapButNoGapNumbers() {
        DomainGapResult r = new DomainGap().analyze(clusters(1, 80, 5, 0, 4), fast(MapProjection.Method.TSNE),
                TaskContext.silent());
        assertNull(r.classifier());
        assertTrue(r.mmd().isEmpty());
        assertEquals(80, r.map().coordinates().length);
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("need two datasets") && n.contains("setA")),
                r.notes().toString());
    }

    @Test
    void tooFewPointsForThePerplexityIsAClearError() {
        EmbeddingSpace s = clusters(2, 10, 4, 1, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DomainGap().analyze(s,
                DomainGapParams.defaults(), TaskContext.silent()));
        assertTrue(e.getMessage().contains("perplexity 30") && e.getMessage().contains("needs at least 92 points")
                && e.getMessage().contains("got 20"), e.getMessage());
    }

    @Test
    void aLargeSpaceIsSubsampledPerDatasetAndSaysSo() {
        EmbeddingSpace s = clusters(2, 300, 4, 2, 6);
        DomainGapParams p = DomainGapParams.defaults().withMap(10, 10, 100, 1, 100);
        DomainGapResult r = new DomainGap().analyze(s, p, TaskContext.silent());
        int[] rows = r.map().rows();
        assertEquals(100, rows.length);
        assertEquals(50, Arrays.stream(rows).filter(i -> i < 300).count());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("subsample of 100 of 600")), r.notes().toString());
    }

    @Test
    void nanRowsAreRefusedNamingTheRow() {
        double[][] x = {{1, 2}, {3, Double.NaN}, {4, 5}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EmbeddingSpace("E", x, new String[] {"a", "a", "b"}, null, null));
        assertTrue(e.getMessage().contains("row 1") && e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void cancellingStopsTheAnalysis() {
        TaskContext cancelled = new TaskContext() {
            @Override public void progress(String phase, long done, long total, String message) { }
            @Override public void log(String line) { }
            @Override public boolean isCancelled() {
                return true;
            }
        };
        assertThrows(CancelledException.class, () -> new DomainGap().analyze(clusters(2, 60, 4, 1, 7),
                fast(MapProjection.Method.TSNE), cancelled));
    }

    @Test
    void stratifiedSubsampleKeepsEachGroupsShare() {
        int[] y = new int[1000];
        for (int i = 900; i < 1000; i++) {
            y[i] = 1;
        }
        int[] rows = Subsample.stratified(y, 100, 3);
        assertEquals(100, rows.length);
        assertEquals(10, Arrays.stream(rows).filter(i -> i >= 900).count());
        assertArrayEquals(rows, Subsample.stratified(y, 100, 3));
    }
}
