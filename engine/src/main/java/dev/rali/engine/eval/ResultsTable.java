package dev.rali.engine.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Evaluation results of one method over several test sets: one row per dataset with PLCC, SRCC, KRCC, RMSE, raw
 * PLCC and n (and which images the row used, when known: "test split" or "all"), plus an "Average" row that is the
 * plain mean over the datasets (the paper's "AVG." column; n is the total).
 *
 * <p>PLCC follows the convention of the evaluation code the paper's tables compare with (DeQA-Score
 * {@code cal_plcc_srcc.py}): Pearson after the VQEG 4-parameter logistic ({@link MetricReport#plccFitted()}). The raw
 * Pearson is reported beside it as "PLCC (raw)"; the Markdown output states this in its footer ({@link #FOOTER}).
 *
 * <p>{@link #toMarkdown()}, {@link #toCsv()} and {@link #toJson()} write the row-per-dataset form;
 * {@link #toPaperCsv(String)} and {@link #toPaperMarkdown(String)} write the paper's Table 2 shape (datasets as
 * columns, one PLCC and one SRCC row, AVG last), comparable cell by cell with shared/paper/tables/table2.csv.
 * Figures are printed with three decimals like the paper.
 */
public final class ResultsTable {
    /** The test sets of the paper's single-domain Table 2, in its column order. */
    public static final List<String> PAPER_TABLE2_DATASETS = List.of("KonIQ", "SPAQ", "KADID", "PIPAL", "LiveW", "AGIQA", "CSIQ");

    /** The label of the average row. */
    public static final String AVERAGE = "Average";

    /** Which images a row used: the dataset's held-out split. */
    public static final String TEST_SPLIT = "test split";
    /** Which images a row used: every image of the dataset with MOS. */
    public static final String ALL = "all";

    /** The Markdown footer naming the PLCC convention (and the Images column). */
    /** What the "Images" column's values mean (the Markdown footer and the GUI's Results view). */
    public static final String IMAGES_NOTE = "Images: \"" + TEST_SPLIT + "\" = the dataset's held-out split, \""
            + ALL + "\" = every image with MOS (cross-dataset, as in the paper).";

    public static final String FOOTER = "PLCC: Pearson after the VQEG 4-parameter logistic fit, the convention of the "
            + "baselines' evaluation code the paper compares with (DeQA-Score cal_plcc_srcc.py); PLCC (raw): Pearson "
            + "on the raw scores.";

    /**
     * One dataset's figures.
     *
     * @param images which images it used ({@link #TEST_SPLIT}, {@link #ALL}, a split name) or null when not known
     */
    public record Row(String dataset, String images, MetricReport report) {
        public Row {
            Objects.requireNonNull(dataset, "dataset");
            Objects.requireNonNull(report, "report");
        }
    }

    /** Mean figures over the rows (n = total pairs); {@code plcc} is the headline (logistic) PLCC. */
    public record Average(double plcc, double srcc, double krcc, double rmse, double plccRaw, long n) { }

    private final List<Row> rows = new ArrayList<>();

    /** Adds a dataset's row (order kept), without saying which images it used. */
    public ResultsTable add(String dataset, MetricReport report) {
        return add(dataset, null, report);
    }

    /** Adds a dataset's row (order kept); {@code images} says which images it used (see {@link Row}). */
    public ResultsTable add(String dataset, String images, MetricReport report) {
        for (Row r : rows) {
            if (r.dataset().equals(dataset)) {
                throw new IllegalArgumentException("dataset already in the table: " + dataset);
            }
        }
        rows.add(new Row(dataset, images, report));
        return this;
    }

    public List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    /** Plain mean over datasets; NaN figures for an empty table. */
    public Average average() {
        double p = 0, s = 0, k = 0, e = 0, raw = 0;
        long n = 0;
        for (Row r : rows) {
            p += r.report().plccFitted();
            raw += r.report().plcc();
            s += r.report().srcc();
            k += r.report().krcc();
            e += r.report().rmse();
            n += r.report().n();
        }
        int m = rows.size();
        return new Average(p / m, s / m, k / m, e / m, raw / m, n);
    }

    private boolean hasCi() {
        return !rows.isEmpty() && rows.stream().allMatch(r -> r.report().plccCi() != null);
    }

    private boolean hasImages() {
        return rows.stream().anyMatch(r -> r.images() != null);
    }

    /**
     * Markdown: | Dataset | (Images |) PLCC | SRCC | KRCC | RMSE | PLCC (raw) | n |, with "[lo, hi]" after each figure
     * when bootstrapped, then the {@link #FOOTER} naming the PLCC convention.
     */
    public String toMarkdown() {
        boolean ci = hasCi();
        boolean images = hasImages();
        StringBuilder sb = new StringBuilder();
        sb.append(images ? "| Dataset | Images | PLCC | SRCC | KRCC | RMSE | PLCC (raw) | n |\n"
                : "| Dataset | PLCC | SRCC | KRCC | RMSE | PLCC (raw) | n |\n");
        sb.append(images ? "|---|---|---:|---:|---:|---:|---:|---:|\n" : "|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            MetricReport m = r.report();
            sb.append("| ").append(escapeMd(r.dataset()));
            if (images) {
                sb.append(" | ").append(r.images() == null ? "" : escapeMd(r.images()));
            }
            sb.append(" | ").append(cell(m.plccFitted(), ci ? m.plccFittedCi() : null))
                    .append(" | ").append(cell(m.srcc(), ci ? m.srccCi() : null))
                    .append(" | ").append(cell(m.krcc(), ci ? m.krccCi() : null))
                    .append(" | ").append(cell(m.rmse(), ci ? m.rmseCi() : null))
                    .append(" | ").append(cell(m.plcc(), ci ? m.plccCi() : null))
                    .append(" | ").append(m.n()).append(" |\n");
        }
        if (!rows.isEmpty()) {
            Average a = average();
            sb.append("| **").append(AVERAGE).append("** |").append(images ? " |" : "").append(' ')
                    .append(fmt(a.plcc())).append(" | ").append(fmt(a.srcc()))
                    .append(" | ").append(fmt(a.krcc())).append(" | ").append(fmt(a.rmse())).append(" | ")
                    .append(fmt(a.plccRaw())).append(" | ").append(a.n()).append(" |\n");
        }
        sb.append('\n').append(FOOTER).append(images ? " " + IMAGES_NOTE : "").append('\n');
        return sb.toString();
    }

    /**
     * CSV (RFC 4180): dataset,images,PLCC,SRCC,KRCC,RMSE,n,PLCC_raw (PLCC = logistic-fitted, the headline) and, when
     * bootstrapped, lo/hi columns per metric. The last row is the average (its raw PLCC is the mean too).
     */
    public String toCsv() {
        boolean ci = hasCi();
        StringBuilder sb = new StringBuilder("dataset,images,PLCC,SRCC,KRCC,RMSE,n,PLCC_raw");
        if (ci) {
            sb.append(",PLCC_lo,PLCC_hi,SRCC_lo,SRCC_hi,KRCC_lo,KRCC_hi,RMSE_lo,RMSE_hi,PLCC_raw_lo,PLCC_raw_hi");
        }
        sb.append('\n');
        for (Row r : rows) {
            MetricReport m = r.report();
            sb.append(csvField(r.dataset())).append(',').append(r.images() == null ? "" : csvField(r.images()))
                    .append(',').append(fmt(m.plccFitted())).append(',').append(fmt(m.srcc()))
                    .append(',').append(fmt(m.krcc())).append(',').append(fmt(m.rmse())).append(',').append(m.n())
                    .append(',').append(fmt(m.plcc()));
            if (ci) {
                for (MetricReport.Interval in : List.of(m.plccFittedCi(), m.srccCi(), m.krccCi(), m.rmseCi(),
                        m.plccCi())) {
                    sb.append(',').append(fmt(in.lo())).append(',').append(fmt(in.hi()));
                }
            }
            sb.append('\n');
        }
        if (!rows.isEmpty()) {
            Average a = average();
            sb.append(AVERAGE).append(",,").append(fmt(a.plcc())).append(',').append(fmt(a.srcc())).append(',')
                    .append(fmt(a.krcc())).append(',').append(fmt(a.rmse())).append(',').append(a.n()).append(',')
                    .append(fmt(a.plccRaw()));
            if (ci) {
                sb.append(",,,,,,,,,,");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * JSON with full precision: {"plcc_convention":..., "datasets":[{dataset,images,n,plcc,plcc_raw,...,ci95:{...},
     * logistic:{...}}], "average":{...}}; {@code plcc} is the headline (logistic) PLCC.
     */
    public String toJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("plcc_convention", PLCC_CONVENTION);
        ArrayNode arr = root.putArray("datasets");
        for (Row r : rows) {
            ObjectNode o = reportJson(om, r.report());
            o.put("dataset", r.dataset());
            if (r.images() != null) {
                o.put("images", r.images());
            }
            arr.add(o);
        }
        if (!rows.isEmpty()) {
            Average a = average();
            ObjectNode avg = root.putObject("average");
            putNum(avg, "plcc", a.plcc());
            putNum(avg, "plcc_raw", a.plccRaw());
            putNum(avg, "srcc", a.srcc());
            putNum(avg, "krcc", a.krcc());
            putNum(avg, "rmse", a.rmse());
            avg.put("n", a.n());
        }
        try {
            return om.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How the JSON's {@code plcc} is computed ({@code plcc_raw} is plain Pearson). */
    public static final String PLCC_CONVENTION = "pearson after the VQEG 4-parameter logistic fit "
            + "(DeQA-Score cal_plcc_srcc.py)";

    /** One report as a JSON object (used by {@link #toJson()} and the CLI). */
    public static ObjectNode reportJson(ObjectMapper om, MetricReport m) {
        ObjectNode o = om.createObjectNode();
        o.put("n", m.n());
        putNum(o, "plcc", m.plccFitted());
        putNum(o, "plcc_raw", m.plcc());
        putNum(o, "srcc", m.srcc());
        putNum(o, "krcc", m.krcc());
        putNum(o, "rmse", m.rmse());
        putNum(o, "plcc_fitted", m.plccFitted());
        putNum(o, "rmse_fitted", m.rmseFitted());
        ObjectNode lf = o.putObject("logistic");
        putNum(lf, "b1", m.fit().b1());
        putNum(lf, "b2", m.fit().b2());
        putNum(lf, "b3", m.fit().b3());
        putNum(lf, "b4", m.fit().b4());
        if (m.plccCi() != null) {
            ObjectNode ci = o.putObject("ci95");
            ci.put("bootstrap", m.bootstrap());
            String[] names = {"plcc", "srcc", "krcc", "rmse", "plcc_raw"};
            MetricReport.Interval[] ints = {m.plccFittedCi(), m.srccCi(), m.krccCi(), m.rmseCi(), m.plccCi()};
            for (int i = 0; i < names.length; i++) {
                ArrayNode a = ci.putArray(names[i]);
                addNum(a, ints[i].lo());
                addNum(a, ints[i].hi());
            }
        }
        return o;
    }

    /**
     * The paper's Table 2 layout: header {@code method,metric,<dataset...>,AVG}, then a PLCC row and an SRCC row.
     */
    public String toPaperCsv(String method) {
        StringBuilder sb = new StringBuilder("method,metric");
        for (Row r : rows) {
            sb.append(',').append(csvField(r.dataset()));
        }
        sb.append(",AVG\n");
        Average a = average();
        sb.append(csvField(method)).append(",PLCC");
        rows.forEach(r -> sb.append(',').append(fmt(r.report().plccFitted())));
        sb.append(',').append(fmt(a.plcc())).append('\n');
        sb.append(csvField(method)).append(",SRCC");
        rows.forEach(r -> sb.append(',').append(fmt(r.report().srcc())));
        sb.append(',').append(fmt(a.srcc())).append('\n');
        return sb.toString();
    }

    /** Table 2 layout in Markdown: one row per method with "PLCC / SRCC" cells, like the printed table. */
    public String toPaperMarkdown(String method) {
        StringBuilder sb = new StringBuilder("| Method |");
        for (Row r : rows) {
            sb.append(' ').append(escapeMd(r.dataset())).append(" |");
        }
        sb.append(" AVG. |\n|---|");
        sb.append("---:|".repeat(rows.size() + 1)).append('\n');
        sb.append("| ").append(escapeMd(method)).append(" |");
        for (Row r : rows) {
            sb.append(' ').append(fmt(r.report().plccFitted())).append(" / ").append(fmt(r.report().srcc())).append(" |");
        }
        Average a = average();
        sb.append(' ').append(fmt(a.plcc())).append(" / ").append(fmt(a.srcc())).append(" |\n");
        return sb.toString();
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String cell(double v, MetricReport.Interval ci) {
        return ci == null ? fmt(v) : fmt(v) + " " + ci;
    }

    private static String csvField(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private static String escapeMd(String s) {
        return s.replace("|", "\\|");
    }

    private static void putNum(ObjectNode o, String k, double v) {
        if (Double.isFinite(v)) {
            o.put(k, v);
        } else {
            o.putNull(k); // JSON has no NaN
        }
    }

    private static void addNum(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }
}
