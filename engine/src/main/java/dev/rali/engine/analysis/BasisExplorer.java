package dev.rali.engine.analysis;

import dev.rali.engine.dataset.Datasets;
import dev.rali.engine.dataset.ImageRow;
import dev.rali.engine.params.ParamKeys;
import dev.rali.engine.params.PipelineParams;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.project.Runs;
import dev.rali.engine.rali.HeadParams;
import dev.rali.engine.rali.ScoreHead;
import dev.rali.engine.task.TaskContext;
import dev.rali.engine.traces.TraceStore;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The basis explorer: what each of a run's K bases (μ, f) stands for. For each basis: its score f, its size (the
 * training images whose nearest basis it is, by cosine in the compressed space — the basis with the largest softmax
 * weight), its nearest training images with their reasoning texts, the words that set its images' traces apart from
 * the other bases' (tf-idf), and its position on a t-SNE map of the training images (the mean map position of its
 * images; NaN for a basis without images). Returns plain records; the CLI and a view call it alike.
 */
public final class BasisExplorer {
    /** Words too common in reasoning texts to say anything about one basis. */
    static final Set<String> STOP = Set.of("the", "a", "an", "and", "or", "of", "to", "in", "on", "is", "are", "was",
            "were", "be", "been", "it", "its", "this", "that", "these", "those", "with", "as", "at", "by", "for",
            "from", "but", "not", "no", "there", "which", "image", "images", "photo", "picture", "has", "have", "had",
            "some", "so", "while", "also", "can", "could", "would", "should", "may", "might", "very", "more", "less",
            "than", "overall", "quality", "i", "we", "my", "our", "into", "such", "any", "all", "both", "each", "other",
            "their", "they", "them", "he", "she", "his", "her", "appears", "seems", "looks", "score");

    /**
     * The five ACR rating labels (ITU-T P.910; the levels Q-Insight and Q-Align verdicts use): a trace's closing
     * verdict restates its score, which the basis's f already shows, so they would only crowd out what it looks like.
     */
    static final Set<String> RATING_WORDS = Set.of("excellent", "good", "fair", "poor", "bad");
    /**
     * A word in more than this share of all the run's traces is a template word, not a distinguishing one (like
     * scikit-learn's {@code max_df}); it generalises the stop list to any reasoning model's phrasing.
     */
    static final double MAX_TRACE_SHARE = 0.5;
    /** Below this many traces a share says little, so the {@link #MAX_TRACE_SHARE} rule is not applied. */
    static final int MIN_TRACES_FOR_SHARE = 10;

    private BasisExplorer() { }

    /** One training image near a basis. */
    public record Member(long imageId, String path, String dataset, double mos, double cosine, String reasoning) { }

    /** One basis. */
    public record Basis(int index, double f, int size, List<Member> nearest, List<String> words, double mapX,
                        double mapY) { }

    /** All bases of a run, with the map the positions refer to. */
    public record Report(long runId, String dataset, String split, double tau, int trainingImages, List<Basis> bases,
                         double[][] mapCoordinates, int[] mapBasis) { }

    /**
     * Explains the bases of {@code runId}.
     *
     * @param nearest how many nearest training images per basis
     * @param words   how many distinguishing words per basis
     * @param mapCap  at most this many training images on the map (0 = no map)
     */
    public static Report bases(ProjectStore store, long runId, int nearest, int words, int mapCap, String device,
                               TaskContext ctx) throws IOException {
        try {
            return basesChecked(store, runId, nearest, words, mapCap, device, ctx);
        } catch (SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

    private static Report basesChecked(ProjectStore store, long runId, int nearest, int words, int mapCap,
                                       String device, TaskContext ctx) throws IOException, SQLException {
        Runs.RunItem run = new Runs(store).get(runId);
        HeadParams head = HeadParams.read(ProjectSpaces.runArtifact(store, runId, "head"));
        PipelineParams params = PipelineParams.fromJson(run.paramsJson());
        String dataset = params.get(ParamKeys.SCORE_DATASET);
        String split = params.get(ParamKeys.TRAIN_SPLIT);
        List<ImageRow> rows = new ArrayList<>(Datasets.images(store, dataset, split).stream()
                .filter(r -> r.mos() != null).toList());
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("run " + runId + ": dataset '" + dataset + "' has no labelled images in"
                    + " split '" + split + "'");
        }
        ScoreHead sh = head.toScoreHead();
        Map<Long, float[]> emb = ProjectSpaces.images(store,
                ProjectSpaces.runArtifact(store, runId, "encoder").getParent(), rows, device, ctx);
        rows.removeIf(r -> !emb.containsKey(r.id()));
        int k = head.numBases();
        float[][] mu = normalisedRows(head.mu());
        double[][] z = new double[rows.size()][];
        int[] owner = new int[rows.size()];
        double[][] cos = new double[rows.size()][k];
        for (int i = 0; i < rows.size(); i++) {
            float[] c = sh.compress(emb.get(rows.get(i).id()));
            z[i] = normalised(c);
            int best = 0;
            for (int b = 0; b < k; b++) {
                double s = 0;
                for (int j = 0; j < z[i].length; j++) {
                    s += z[i][j] * mu[b][j];
                }
                cos[i][b] = s;
                if (s > cos[i][best]) {
                    best = b;
                }
            }
            owner[i] = best;
        }
        Map<Long, List<String>> corpus = TraceStore.corpus(store, dataset, split, false);
        List<List<String>> tracesByBasis = new ArrayList<>();
        for (int b = 0; b < k; b++) {
            tracesByBasis.add(new ArrayList<>());
        }
        for (int i = 0; i < rows.size(); i++) {
            tracesByBasis.get(owner[i]).addAll(corpus.getOrDefault(rows.get(i).id(), List.of()));
        }
        List<List<String>> distinctive = distinctiveWords(tracesByBasis, words);

        double[][] coords = null;
        int[] mapRows = new int[0];
        if (mapCap > 0 && rows.size() >= MapProjection.tsneMinPoints(5)) {
            mapRows = Subsample.stratified(new int[rows.size()], mapCap, 42);
            double[][] mx = new double[mapRows.length][];
            for (int m = 0; m < mapRows.length; m++) {
                mx[m] = z[mapRows[m]];
            }
            double perplexity = Math.min(30, (mx.length - 2) / 3.0);
            coords = MapProjection.tsne(mx, perplexity, 0, 42, ctx);
        }
        double[][] pos = new double[k][2];
        int[] onMap = new int[k];
        for (int m = 0; m < mapRows.length; m++) {
            int b = owner[mapRows[m]];
            pos[b][0] += coords[m][0];
            pos[b][1] += coords[m][1];
            onMap[b]++;
        }
        List<Basis> bases = new ArrayList<>();
        for (int b = 0; b < k; b++) {
            ctx.checkCancelled();
            final int bb = b;
            Integer[] order = new Integer[rows.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> -cos[i][bb]));
            List<Member> near = new ArrayList<>();
            for (int n = 0; n < Math.min(nearest, order.length); n++) {
                ImageRow r = rows.get(order[n]);
                List<String> texts = corpus.getOrDefault(r.id(), List.of());
                near.add(new Member(r.id(), r.path().toString(), dataset, r.mos(), cos[order[n]][b],
                        texts.isEmpty() ? "" : texts.get(0)));
            }
            int size = 0;
            for (int o : owner) {
                if (o == b) {
                    size++;
                }
            }
            bases.add(new Basis(b, head.f()[b], size, near, distinctive.get(b),
                    onMap[b] == 0 ? Double.NaN : pos[b][0] / onMap[b], onMap[b] == 0 ? Double.NaN : pos[b][1] / onMap[b]));
        }
        int[] mapBasis = new int[mapRows.length];
        for (int m = 0; m < mapRows.length; m++) {
            mapBasis[m] = owner[mapRows[m]];
        }
        return new Report(runId, dataset, split, head.tau(), rows.size(), bases,
                coords == null ? new double[0][] : coords, mapBasis);
    }

    /**
     * The {@code k} words that set each basis's traces apart (tf-idf, one document per basis), after leaving out stop
     * words, the rating labels and words in more than {@link #MAX_TRACE_SHARE} of all traces (counted once per trace).
     */
    static List<List<String>> distinctiveWords(List<List<String>> tracesByBasis, int k) {
        List<List<List<String>>> tokenised = new ArrayList<>();
        Map<String, Integer> traceCount = new HashMap<>();
        int traces = 0;
        for (List<String> texts : tracesByBasis) {
            List<List<String>> doc = new ArrayList<>();
            for (String t : texts) {
                List<String> w = tokens(t);
                doc.add(w);
                for (String u : new java.util.HashSet<>(w)) {
                    traceCount.merge(u, 1, Integer::sum);
                }
                traces++;
            }
            tokenised.add(doc);
        }
        int max = traces >= MIN_TRACES_FOR_SHARE ? (int) Math.floor(MAX_TRACE_SHARE * traces) : traces;
        List<Map<String, Integer>> termCounts = new ArrayList<>();
        for (List<List<String>> doc : tokenised) {
            Map<String, Integer> counts = new HashMap<>();
            for (List<String> trace : doc) {
                for (String w : trace) {
                    if (traceCount.get(w) <= max && !RATING_WORDS.contains(w)) {
                        counts.merge(w, 1, Integer::sum);
                    }
                }
            }
            termCounts.add(counts);
        }
        return TfIdf.top(termCounts, k);
    }

    /** Lower-case alphabetic words of three letters or more, stop words left out. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^a-z]+")) {
            if (w.length() >= 3 && !STOP.contains(w)) {
                out.add(w);
            }
        }
        return out;
    }

    static float[][] normalisedRows(float[][] m) {
        float[][] o = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            double[] d = normalised(m[i]);
            o[i] = new float[d.length];
            for (int j = 0; j < d.length; j++) {
                o[i][j] = (float) d[j];
            }
        }
        return o;
    }

    static double[] normalised(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        n = Math.sqrt(n);
        double[] o = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            o[j] = n > 0 ? v[j] / n : 0;
        }
        return o;
    }
}
