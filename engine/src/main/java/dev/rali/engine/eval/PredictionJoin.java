package dev.rali.engine.eval;

import dev.rali.engine.io.CsvTable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pairs a predictions CSV with a MOS CSV by image name: exact name first (path separators normalised), then, for
 * names that did not match, a unique case-insensitive base-name match (so "1024x768/826373.jpg" pairs with
 * "826373.jpg", and TID2013's "I01_01_1.BMP" with "i01_01_1.bmp"). Rows on either side without a partner are
 * reported, not silently dropped.
 */
public final class PredictionJoin {
    /** Column names tried, in order, for the image name. */
    public static final List<String> NAME_COLUMNS = List.of("image", "image_name", "img_name", "name", "file",
            "filename", "path", "dist_img", "dist_name", "image name", "id");
    /** Column names tried for predictions. */
    public static final List<String> PRED_COLUMNS = List.of("score", "pred", "prediction", "predicted", "rali_score",
            "quality", "mos_pred");
    /** Column names tried for MOS. */
    public static final List<String> MOS_COLUMNS = List.of("mos", "gt_score_norm", "gt_score", "score", "dmos",
            "mos_quality", "elo_score");

    /**
     * The paired data.
     *
     * @param names         image names (as in the predictions file), in prediction-file order
     * @param pred          predictions
     * @param mos           MOS
     * @param basenameMatches how many pairs were joined by base name
     * @param unmatchedPred prediction rows without MOS
     * @param unmatchedMos  MOS rows without prediction
     * @param predColumn    the prediction column used
     * @param mosColumn     the MOS column used
     * @param failedPred    prediction rows skipped because their {@code status} column says scoring failed (the
     *                      {@code rali score --out} format: file,score,status)
     * @param predLines     the predictions file's line of each pair, for messages
     */
    public record Result(List<String> names, double[] pred, double[] mos, int basenameMatches,
                         List<String> unmatchedPred, List<String> unmatchedMos, String predColumn, String mosColumn,
                         int failedPred, int[] predLines) { }

    /** The status column of {@code rali score --out}; rows whose status is not "ok" carry no score. */
    public static final String STATUS_COLUMN = "status";

    private PredictionJoin() { }

    /**
     * Joins the two files.
     *
     * @param predColumn prediction column name, or null to pick from {@link #PRED_COLUMNS}
     * @param mosColumn  MOS column name, or null to pick from {@link #MOS_COLUMNS}
     * @throws IOException with a message naming the file and the problem (missing column, bad number, duplicate name)
     */
    public static Result join(Path predFile, String predColumn, Path mosFile, String mosColumn) throws IOException {
        CsvTable p = CsvTable.readStrict(predFile);
        CsvTable m = CsvTable.readStrict(mosFile);
        requireHeader(p);
        requireHeader(m);
        int pName = nameColumn(p);
        int mName = nameColumn(m);
        int pVal = valueColumn(p, predColumn, PRED_COLUMNS, pName, "prediction", "--pred-column");
        int mVal = valueColumn(m, mosColumn, MOS_COLUMNS, mName, "MOS", "--mos-column");

        Map<String, Integer> mosByName = new LinkedHashMap<>();
        Map<String, List<Integer>> mosByBase = new HashMap<>();
        for (int r = 0; r < m.rows().size(); r++) {
            String key = norm(m.cell(r, mName));
            if (mosByName.putIfAbsent(key, r) != null) {
                throw new IOException(mosFile + ": line " + m.line(r) + ": image '" + key + "' is listed twice");
            }
            mosByBase.computeIfAbsent(base(key), k -> new ArrayList<>()).add(r);
        }
        boolean[] used = new boolean[m.rows().size()];
        List<String> names = new ArrayList<>();
        List<double[]> pairs = new ArrayList<>();
        List<String> unmatchedPred = new ArrayList<>();
        List<Integer> pending = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        int status = p.column(STATUS_COLUMN);
        boolean[] failed = new boolean[p.rows().size()];
        int failedPred = 0;
        for (int r = 0; r < p.rows().size(); r++) {
            String key = norm(p.cell(r, pName));
            if (status >= 0 && status != pVal && !p.cell(r, status).equalsIgnoreCase("ok")) {
                failed[r] = true; // an image the scorer could not read: no score to compare
                failedPred++;
                pending.add(-1);
                continue;
            }
            if (seen.putIfAbsent(key, r) != null) {
                throw new IOException(predFile + ": line " + p.line(r) + ": image '" + key + "' is listed twice");
            }
            Integer mr = mosByName.get(key);
            if (mr != null) {
                used[mr] = true;
            }
            pending.add(mr == null ? -1 : mr);
        }
        // base-name fallback for the rest, only where it is unambiguous
        int basenameMatches = 0;
        for (int r = 0; r < p.rows().size(); r++) {
            if (pending.get(r) >= 0 || failed[r]) {
                continue;
            }
            List<Integer> cands = mosByBase.getOrDefault(base(norm(p.cell(r, pName))), List.of());
            List<Integer> free = cands.stream().filter(i -> !used[i]).toList();
            if (free.size() == 1) {
                pending.set(r, free.get(0));
                used[free.get(0)] = true;
                basenameMatches++;
            }
        }
        List<Integer> lines = new ArrayList<>();
        for (int r = 0; r < p.rows().size(); r++) {
            String name = p.cell(r, pName);
            int mr = pending.get(r);
            if (failed[r]) {
                continue;
            }
            if (mr < 0) {
                unmatchedPred.add(name);
                continue;
            }
            names.add(name);
            lines.add(p.line(r));
            pairs.add(new double[] {p.number(r, pVal), m.number(mr, mVal)});
        }
        List<String> unmatchedMos = new ArrayList<>();
        for (int r = 0; r < used.length; r++) {
            if (!used[r]) {
                unmatchedMos.add(m.cell(r, mName));
            }
        }
        double[] pred = new double[pairs.size()], mos = new double[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            pred[i] = pairs.get(i)[0];
            mos[i] = pairs.get(i)[1];
        }
        return new Result(List.copyOf(names), pred, mos, basenameMatches, List.copyOf(unmatchedPred),
                List.copyOf(unmatchedMos), p.header().get(pVal), m.header().get(mVal), failedPred,
                lines.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * A file without a header line would have its first row taken as column names and silently lost; a header
     * cell that is a number (a score) gives that away.
     */
    private static void requireHeader(CsvTable t) throws IOException {
        for (int c = 0; c < t.header().size(); c++) {
            String h = t.header().get(c);
            if (isNumber(h)) {
                throw new IOException(t.file() + ": the first line looks like data, not a header (column " + (c + 1)
                        + " is the number " + h + "); add a header line such as image,score");
            }
        }
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s.strip());
            return !s.isBlank();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int nameColumn(CsvTable t) throws IOException {
        int i = t.firstColumn(NAME_COLUMNS);
        if (i >= 0) {
            return i;
        }
        if (t.header().size() >= 2) {
            return 0; // convention: the name comes first
        }
        throw new IOException(t.file() + ": needs an image-name column and a value column; header is: " + t.headerList());
    }

    private static int valueColumn(CsvTable t, String explicit, List<String> candidates, int nameCol, String what,
                                   String option) throws IOException {
        if (explicit != null) {
            int i = t.column(explicit);
            if (i < 0) {
                throw new IOException(t.file() + ": no column '" + explicit + "' (columns: " + t.headerList() + ")");
            }
            return i;
        }
        int i = t.firstColumn(candidates);
        if (i >= 0 && i != nameCol) {
            return i;
        }
        if (t.header().size() == 2) {
            return 1 - nameCol;
        }
        throw new IOException(t.file() + ": cannot tell which column holds the " + what + " (columns: " + t.headerList()
                + "); name it with " + option);
    }

    private static String norm(String name) {
        String s = name.trim().replace('\\', '/');
        while (s.startsWith("./")) {
            s = s.substring(2);
        }
        return s;
    }

    private static String base(String name) {
        int slash = name.lastIndexOf('/');
        return (slash < 0 ? name : name.substring(slash + 1)).toLowerCase(Locale.ROOT);
    }
}
