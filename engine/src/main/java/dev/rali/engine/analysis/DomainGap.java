package dev.rali.engine.analysis;

import dev.rali.engine.task.TaskContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The domain-gap analysis ({@link DomainGapService}): map + classifier accuracy + MMD² + kNN SRCC + trustworthiness. */
public final class DomainGap implements DomainGapService {

    @Override
    public DomainGapResult analyze(EmbeddingSpace space, DomainGapParams p, TaskContext ctx) {
        List<String> names = space.groupNames();
        int[] y = space.groupIndex();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (String g : names) {
            sizes.put(g, 0);
        }
        for (String g : space.groups()) {
            sizes.merge(g, 1, Integer::sum);
        }
        List<String> notes = new ArrayList<>();

        // the map (checked first: a perplexity the data cannot carry fails before minutes of other work)
        long t0 = System.nanoTime();
        int[] mapRows = Subsample.stratified(y, p.mapCap(), p.seed());
        if (mapRows.length < space.size()) {
            notes.add(String.format(Locale.ROOT, "map: stratified subsample of %d of %d points (cap %d, seed %d)",
                    mapRows.length, space.size(), p.mapCap(), p.seed()));
        }
        double[][] mx = rows(space.x(), mapRows);
        double[][] coords = MapProjection.project(mx, p.method(), p.perplexity(), p.neighbours(), p.iterations(),
                p.seed(), ctx);
        double trust = Double.NaN;
        if (p.trustK() < mx.length / 2.0) {
            ctx.progress("trustworthiness", 0, 1, "");
            trust = GapStatistics.trustworthiness(mx, coords, p.trustK());
            ctx.progress("trustworthiness", 1, 1, "done");
        } else {
            notes.add("trustworthiness: " + mx.length + " points are too few for " + p.trustK() + " neighbours");
        }
        DomainGapResult.MapResult map = new DomainGapResult.MapResult(p.method(), p.perplexity(), p.neighbours(),
                p.iterations(), p.seed(), p.mapCap(), mapRows, coords, trust, p.trustK());

        long t1 = System.nanoTime();
        // the numbers, on a stratified subsample of at most numbersCap rows
        int[] numRows = Subsample.stratified(y, p.numbersCap(), p.seed());
        if (numRows.length < space.size()) {
            notes.add(String.format(Locale.ROOT, "numbers: stratified subsample of %d of %d points (cap %d)",
                    numRows.length, space.size(), p.numbersCap()));
        }
        EmbeddingSpace ns = space.subset(numRows);
        int[] ny = ns.groupIndex();
        GapStatistics.ClassifierScore cls = null;
        List<DomainGapResult.PairMmd> mmd = new ArrayList<>();
        // each number's own time, so the benchmark can put one beside scikit-learn's same computation
        Map<String, Double> parts = new java.util.LinkedHashMap<>();
        if (names.size() < 2) {
            notes.add("gap numbers (domain classifier, MMD²) need two datasets; only '" + names.get(0)
                    + "' was given — the map is still drawn");
        } else {
            ctx.checkCancelled();
            long c0 = System.nanoTime();
            try {
                cls = GapStatistics.domainClassifier(ns.x(), ny, p.folds(), p.seed(), ctx);
            } catch (IllegalArgumentException e) {
                notes.add("domain classifier: " + e.getMessage());
            }
            long c1 = System.nanoTime();
            mmd = pairwiseMmd(ns, p, notes, ctx);
            parts.put("classifier", (c1 - c0) / 1e9);
            parts.put("mmd", (System.nanoTime() - c1) / 1e9);
        }
        DomainGapResult.KnnResult knn = null;
        if (ns.hasScores()) {
            long k0 = System.nanoTime();
            knn = knn(ns, p.knnK(), notes, ctx);
            parts.put("knn", (System.nanoTime() - k0) / 1e9);
        } else {
            notes.add("kNN score regression: no scores given");
        }
        long t2 = System.nanoTime();
        return new DomainGapResult(space.name(), space.size(), space.dim(), sizes, map, cls, mmd, knn, notes,
                (t1 - t0) / 1e9, (t2 - t1) / 1e9, Map.copyOf(parts));
    }

    private static List<DomainGapResult.PairMmd> pairwiseMmd(EmbeddingSpace s, DomainGapParams p, List<String> notes,
                                                            TaskContext ctx) {
        List<String> names = s.groupNames();
        int[] y = s.groupIndex();
        List<double[][]> perGroup = new ArrayList<>();
        boolean capped = false;
        for (int g = 0; g < names.size(); g++) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                if (y[i] == g) {
                    idx.add(i);
                }
            }
            int[] gy = new int[idx.size()];
            int[] pick = Subsample.stratified(gy, p.mmdCap(), p.seed() + g);
            capped |= pick.length < idx.size();
            double[][] rows = new double[pick.length][];
            for (int k = 0; k < pick.length; k++) {
                rows[k] = s.x()[idx.get(pick[k])];
            }
            perGroup.add(rows);
        }
        if (capped) {
            notes.add("MMD²: at most " + p.mmdCap() + " random rows per dataset");
        }
        List<DomainGapResult.PairMmd> out = new ArrayList<>();
        int pairs = names.size() * (names.size() - 1) / 2;
        int done = 0;
        for (int a = 0; a < names.size(); a++) {
            for (int b = a + 1; b < names.size(); b++) {
                ctx.checkCancelled();
                ctx.progress("MMD²", done++, pairs, names.get(a) + " vs " + names.get(b));
                double[][] xa = perGroup.get(a);
                double[][] xb = perGroup.get(b);
                if (xa.length < 2 || xb.length < 2) {
                    notes.add("MMD² " + names.get(a) + " vs " + names.get(b) + ": needs two rows in each");
                    continue;
                }
                GapStatistics.Mmd m = GapStatistics.mmd(xa, xb, p.permutations(), p.seed() + 1000L * a + b);
                out.add(new DomainGapResult.PairMmd(names.get(a), names.get(b), xa.length, xb.length, m.mmd2(),
                        m.bandwidth(), m.pValue(), m.permutations()));
            }
        }
        ctx.progress("MMD²", pairs, pairs, "done");
        return out;
    }

    private static DomainGapResult.KnnResult knn(EmbeddingSpace s, int k, List<String> notes, TaskContext ctx) {
        List<String> names = s.groupNames();
        int[] y = s.groupIndex();
        List<double[][]> xs = new ArrayList<>();
        List<double[]> ss = new ArrayList<>();
        for (int g = 0; g < names.size(); g++) {
            List<double[]> rx = new ArrayList<>();
            List<Double> rs = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                if (y[i] == g && Double.isFinite(s.scores()[i])) {
                    rx.add(s.x()[i]);
                    rs.add(s.scores()[i]);
                }
            }
            xs.add(rx.toArray(new double[0][]));
            ss.add(rs.stream().mapToDouble(Double::doubleValue).toArray());
        }
        Map<String, Double> within = new LinkedHashMap<>();
        List<DomainGapResult.Cross> across = new ArrayList<>();
        for (int a = 0; a < names.size(); a++) {
            ctx.checkCancelled();
            ctx.progress("kNN SRCC", a, names.size(), names.get(a));
            if (xs.get(a).length <= k) {
                notes.add("kNN SRCC: " + names.get(a) + " has " + xs.get(a).length + " scored rows, needs more than "
                        + k);
                within.put(names.get(a), Double.NaN);
                continue;
            }
            within.put(names.get(a), GapStatistics.knnSrcc(xs.get(a), ss.get(a), xs.get(a), ss.get(a), k, true));
            for (int b = 0; b < names.size(); b++) {
                if (b != a && xs.get(b).length >= 3) {
                    across.add(new DomainGapResult.Cross(names.get(a), names.get(b), xs.get(b).length,
                            GapStatistics.knnSrcc(xs.get(a), ss.get(a), xs.get(b), ss.get(b), k, false)));
                }
            }
        }
        // finished explicitly: a terminal's progress line left at "0/1" sat right above the summary's kNN line
        ctx.progress("kNN SRCC", names.size(), names.size(), "done");
        return new DomainGapResult.KnnResult(k, within, across);
    }

    private static double[][] rows(double[][] x, int[] idx) {
        double[][] o = new double[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            o[i] = x[idx[i]];
        }
        return o;
    }
}
