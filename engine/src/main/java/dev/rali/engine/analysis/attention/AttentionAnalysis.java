package dev.rali.engine.analysis.attention;

import dev.rali.engine.task.TaskContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a reasoning model's score tokens look (the paper's Fig. 3 on the user's data): for every recorded attention
 * row (layer, head, query token) the attention mass on each role's keys.
 *
 * <p><b>Rows that do not sum to 1.</b> A dump may store truncated rows (top-k kept, half precision, keys cut off).
 * Each row is divided by its own recorded sum, so a share is "of the attention this row recorded" and every row
 * weighs the same; a row whose recorded sum is 0 cannot be shared out and is counted in {@code rowsSkipped}.
 * Keys after a query position (causally masked) are simply 0; a query token's attention to itself counts for its
 * own role (reasoning or answer). <b>Paper convention</b>: system and prompt keys are dropped and the image,
 * reasoning and answer masses renormalised to 1 per row (a row with none of those is skipped for that convention).
 *
 * <p>Averages: per (layer, head) and per layer over their rows, "averaged" over all rows of the dump; aggregated
 * over dumps, each dump weighs the same (mean of the per-dump figures; a layer or head is averaged over the dumps
 * that have it).
 */
public final class AttentionAnalysis {

    private static final List<Role> ALL = List.of(Role.values());
    private static final int R = Role.values().length;

    private final int top;
    private final List<Acc> dumps = new ArrayList<>();

    /** @param top how many reasoning tokens to list */
    public AttentionAnalysis(int top) {
        this.top = Math.max(0, top);
    }

    /** Per-dump reports and the aggregate over all of them. */
    public record Result(List<AttentionReport> perDump, AttentionReport aggregate) { }

    /** Reads, analyses and aggregates dump folders one at a time (one tensor in memory at once). */
    public static Result run(List<Path> folders, int top, TaskContext ctx) throws IOException {
        AttentionAnalysis a = new AttentionAnalysis(top);
        List<AttentionReport> reports = new ArrayList<>();
        int i = 0;
        ctx.progress("attention", 0, folders.size(), "");
        for (Path f : folders) {
            ctx.checkCancelled();
            reports.add(a.add(AttentionDumps.read(f)));
            ctx.progress("attention", ++i, folders.size(), f.getFileName().toString());
        }
        return new Result(reports, a.aggregate());
    }

    /** One dump's accumulated figures (kept small: no tensor). */
    private static final class Acc {
        String name;
        String model;
        long rows;
        long skipped;
        int[] layers;
        int heads;
        double[] all = new double[R];
        double[] paper = new double[R];
        long paperRows;
        double[][] layerAll;
        double[][] layerPaper;
        long[] layerRows;
        long[] layerPaperRows;
        double[][][] headAll;
        double[][][] headPaper;
        long[][] headRows;
        long[][] headPaperRows;
        double[] received;
        int imageRows;
        int imageCols;
        int[] imagePositions;
        List<String> tokens;
        List<Role> roles;
    }

    /** Analyses one dump, remembers it for {@link #aggregate()}, and returns its report. */
    public AttentionReport add(AttentionDump d) {
        Acc a = new Acc();
        a.name = d.name();
        a.model = d.model();
        a.layers = d.layers().clone();
        a.heads = d.heads();
        int nl = d.numLayers();
        int nh = d.heads();
        int nq = d.numQueries();
        int t = d.numTokens();
        a.layerAll = new double[nl][R];
        a.layerPaper = new double[nl][R];
        a.layerRows = new long[nl];
        a.layerPaperRows = new long[nl];
        a.headAll = new double[nl][nh][R];
        a.headPaper = new double[nl][nh][R];
        a.headRows = new long[nl][nh];
        a.headPaperRows = new long[nl][nh];
        a.received = new double[t];
        int[] roleOf = d.roles().stream().mapToInt(Enum::ordinal).toArray();
        float[] attn = d.attn();
        double[] mass = new double[R];
        for (int l = 0; l < nl; l++) {
            for (int h = 0; h < nh; h++) {
                for (int q = 0; q < nq; q++) {
                    int off = d.rowOffset(l, h, q);
                    Arrays.fill(mass, 0);
                    for (int k = 0; k < t; k++) {
                        mass[roleOf[k]] += attn[off + k];
                    }
                    double total = Arrays.stream(mass).sum();
                    a.rows++;
                    if (!(total > 0)) {
                        a.skipped++;
                        continue;
                    }
                    for (int r = 0; r < R; r++) {
                        double s = mass[r] / total;
                        a.all[r] += s;
                        a.layerAll[l][r] += s;
                        a.headAll[l][h][r] += s;
                    }
                    a.layerRows[l]++;
                    a.headRows[l][h]++;
                    for (int k = 0; k < t; k++) {
                        a.received[k] += attn[off + k] / total;
                    }
                    double paperTotal = 0;
                    for (Role r : Role.PAPER) {
                        paperTotal += mass[r.ordinal()];
                    }
                    if (paperTotal > 0) {
                        for (Role r : Role.PAPER) {
                            double s = mass[r.ordinal()] / paperTotal;
                            a.paper[r.ordinal()] += s;
                            a.layerPaper[l][r.ordinal()] += s;
                            a.headPaper[l][h][r.ordinal()] += s;
                        }
                        a.paperRows++;
                        a.layerPaperRows[l]++;
                        a.headPaperRows[l][h]++;
                    }
                }
            }
        }
        long used = a.rows - a.skipped;
        for (int k = 0; k < t; k++) {
            a.received[k] = used == 0 ? Double.NaN : a.received[k] / used;
        }
        a.imageRows = d.imageRows();
        a.imageCols = d.imageCols();
        a.imagePositions = d.imagePositions();
        a.tokens = d.tokens();
        a.roles = d.roles();
        dumps.add(a);
        return report(a);
    }

    private AttentionReport report(Acc a) {
        List<AttentionReport.LayerShares> layersAll = new ArrayList<>();
        List<AttentionReport.LayerShares> layersPaper = new ArrayList<>();
        List<AttentionReport.HeadShares> headsAll = new ArrayList<>();
        List<AttentionReport.HeadShares> headsPaper = new ArrayList<>();
        for (int l = 0; l < a.layers.length; l++) {
            layersAll.add(new AttentionReport.LayerShares(a.layers[l],
                    AttentionReport.roleMap(ALL, div(a.layerAll[l], a.layerRows[l]))));
            layersPaper.add(new AttentionReport.LayerShares(a.layers[l],
                    AttentionReport.roleMap(Role.PAPER, div(a.layerPaper[l], a.layerPaperRows[l]))));
            for (int h = 0; h < a.heads; h++) {
                headsAll.add(new AttentionReport.HeadShares(a.layers[l], h,
                        AttentionReport.roleMap(ALL, div(a.headAll[l][h], a.headRows[l][h]))));
                headsPaper.add(new AttentionReport.HeadShares(a.layers[l], h,
                        AttentionReport.roleMap(Role.PAPER, div(a.headPaper[l][h], a.headPaperRows[l][h]))));
            }
        }
        List<AttentionReport.TokenWeight> tokens = new ArrayList<>();
        for (int k = 0; k < a.tokens.size(); k++) {
            if (a.roles.get(k) == Role.REASONING && !Double.isNaN(a.received[k])) {
                tokens.add(new AttentionReport.TokenWeight(k, a.tokens.get(k), a.received[k], 1));
            }
        }
        tokens.sort(Comparator.comparingDouble(AttentionReport.TokenWeight::attention).reversed()
                .thenComparingInt(AttentionReport.TokenWeight::position));
        AttentionReport.ImageMap map = null;
        if (a.imagePositions.length > 0 && a.rows > a.skipped) {
            double[][] v = new double[a.imageRows][a.imageCols];
            for (int i = 0; i < a.imagePositions.length; i++) {
                v[i / a.imageCols][i % a.imageCols] = a.received[a.imagePositions[i]];
            }
            map = new AttentionReport.ImageMap(a.imageRows, a.imageCols, v);
        }
        return new AttentionReport(a.name, a.model, 1, a.rows, a.skipped,
                new AttentionReport.Shares(AttentionReport.roleMap(ALL, div(a.all, a.rows - a.skipped)), layersAll, headsAll),
                new AttentionReport.Shares(AttentionReport.roleMap(Role.PAPER, div(a.paper, a.paperRows)), layersPaper,
                        headsPaper),
                List.copyOf(tokens.subList(0, Math.min(top, tokens.size()))), map);
    }

    /** The aggregate over every dump added so far; each dump weighs the same. */
    public AttentionReport aggregate() {
        if (dumps.isEmpty()) {
            throw new IllegalStateException("no dumps to aggregate");
        }
        Mean all = new Mean();
        Mean paper = new Mean();
        Map<Integer, Mean> layerAll = new TreeMap<>();
        Map<Integer, Mean> layerPaper = new TreeMap<>();
        Map<Long, Mean> headAll = new TreeMap<>();
        Map<Long, Mean> headPaper = new TreeMap<>();
        Map<String, double[]> tokenSums = new LinkedHashMap<>(); // text -> {sum of per-dump mass, occurrences}
        long rows = 0;
        long skipped = 0;
        String model = dumps.get(0).model;
        int gridRows = -1;
        int gridCols = -1;
        boolean sameGrid = true;
        double[][] grid = null;
        int gridDumps = 0;
        for (Acc a : dumps) {
            rows += a.rows;
            skipped += a.skipped;
            if (!Objects.equals(model, a.model)) {
                model = null;
            }
            all.add(div(a.all, a.rows - a.skipped));
            paper.add(div(a.paper, a.paperRows));
            for (int l = 0; l < a.layers.length; l++) {
                layerAll.computeIfAbsent(a.layers[l], x -> new Mean()).add(div(a.layerAll[l], a.layerRows[l]));
                layerPaper.computeIfAbsent(a.layers[l], x -> new Mean()).add(div(a.layerPaper[l], a.layerPaperRows[l]));
                for (int h = 0; h < a.heads; h++) {
                    long key = ((long) a.layers[l] << 32) | h;
                    headAll.computeIfAbsent(key, x -> new Mean()).add(div(a.headAll[l][h], a.headRows[l][h]));
                    headPaper.computeIfAbsent(key, x -> new Mean()).add(div(a.headPaper[l][h], a.headPaperRows[l][h]));
                }
            }
            for (int k = 0; k < a.tokens.size(); k++) {
                if (a.roles.get(k) == Role.REASONING && !Double.isNaN(a.received[k])) {
                    double[] s = tokenSums.computeIfAbsent(a.tokens.get(k).strip(), x -> new double[2]);
                    s[0] += a.received[k];
                    s[1]++;
                }
            }
            if (a.imagePositions.length > 0 && a.rows > a.skipped) {
                if (grid == null) {
                    gridRows = a.imageRows;
                    gridCols = a.imageCols;
                    grid = new double[gridRows][gridCols];
                } else if (gridRows != a.imageRows || gridCols != a.imageCols) {
                    sameGrid = false;
                }
                if (sameGrid) {
                    for (int i = 0; i < a.imagePositions.length; i++) {
                        grid[i / gridCols][i % gridCols] += a.received[a.imagePositions[i]];
                    }
                    gridDumps++;
                }
            }
        }
        List<AttentionReport.LayerShares> la = new ArrayList<>();
        List<AttentionReport.LayerShares> lp = new ArrayList<>();
        layerAll.forEach((l, m) -> la.add(new AttentionReport.LayerShares(l, AttentionReport.roleMap(ALL, m.mean()))));
        layerPaper.forEach((l, m) -> lp.add(new AttentionReport.LayerShares(l, AttentionReport.roleMap(Role.PAPER, m.mean()))));
        List<AttentionReport.HeadShares> ha = new ArrayList<>();
        List<AttentionReport.HeadShares> hp = new ArrayList<>();
        headAll.forEach((k, m) -> ha.add(new AttentionReport.HeadShares((int) (k >>> 32), (int) (k & 0xffffffffL),
                AttentionReport.roleMap(ALL, m.mean()))));
        headPaper.forEach((k, m) -> hp.add(new AttentionReport.HeadShares((int) (k >>> 32), (int) (k & 0xffffffffL),
                AttentionReport.roleMap(Role.PAPER, m.mean()))));
        int n = dumps.size();
        List<AttentionReport.TokenWeight> tokens = new ArrayList<>();
        tokenSums.forEach((text, s) -> tokens.add(new AttentionReport.TokenWeight(-1, text, s[0] / n, (int) s[1])));
        tokens.sort(Comparator.comparingDouble(AttentionReport.TokenWeight::attention).reversed()
                .thenComparing(AttentionReport.TokenWeight::token));
        AttentionReport.ImageMap map = null;
        if (grid != null && sameGrid) {
            for (double[] r : grid) {
                for (int c = 0; c < r.length; c++) {
                    r[c] /= gridDumps;
                }
            }
            map = new AttentionReport.ImageMap(gridRows, gridCols, grid);
        }
        return new AttentionReport("aggregate", model, n, rows, skipped,
                new AttentionReport.Shares(AttentionReport.roleMap(ALL, all.mean()), la, ha),
                new AttentionReport.Shares(AttentionReport.roleMap(Role.PAPER, paper.mean()), lp, hp),
                List.copyOf(tokens.subList(0, Math.min(top, tokens.size()))), map);
    }

    private static double[] div(double[] sums, long count) {
        double[] out = new double[sums.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = count == 0 ? Double.NaN : sums[i] / count;
        }
        return out;
    }

    /** Per-role mean over dumps, ignoring NaN (a dump with no usable row for that figure). */
    private static final class Mean {
        final double[] sum = new double[R];
        final long[] n = new long[R];

        void add(double[] v) {
            for (int i = 0; i < R; i++) {
                if (!Double.isNaN(v[i])) {
                    sum[i] += v[i];
                    n[i]++;
                }
            }
        }

        double[] mean() {
            double[] out = new double[R];
            for (int i = 0; i < R; i++) {
                out[i] = n[i] == 0 ? Double.NaN : sum[i] / n[i];
            }
            return out;
        }
    }
}
