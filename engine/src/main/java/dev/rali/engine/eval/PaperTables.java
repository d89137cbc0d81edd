package dev.rali.engine.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.io.CsvTable;
import dev.rali.engine.project.Runs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * A project's results laid out like the paper's tables, with the paper's own numbers alongside for reference:
 * Table 2 (test sets × PLCC/SRCC, optionally KRCC, RMSE and 95% CIs), Table 4 (the component ablations) and
 * Table A.5 (the PCA dimension M / bases K / buckets N sweep). Each layout is a {@link Table} that writes
 * Markdown, CSV and LaTeX. Inputs come from run records ({@link #fromRun}) or from an evaluation in memory
 * ({@link RunFigures#of(ResultsTable)}); several seeds of one setting are averaged with {@link Figures#mean} and
 * printed as mean ± std.
 *
 * <p>The paper's numbers are the CSVs in {@code resources/dev/rali/engine/eval/paper/} (copied from the reference
 * material, attribution in the README there); they are only printed, never computed with. Figures are printed with
 * three decimals like the paper.
 */
public final class PaperTables {

    private PaperTables() { }

    // ---- inputs ---------------------------------------------------------------------------------------------------

    /**
     * One evaluated set's figures. PLCC is the headline (logistic-fitted) PLCC of {@link ResultsTable}. CIs are
     * null when not bootstrapped (or averaged over seeds); the std fields are NaN for a single run.
     */
    public record Figures(double plcc, double srcc, double krcc, double rmse, double plccRaw, long n,
                          MetricReport.Interval plccCi, MetricReport.Interval srccCi,
                          double plccStd, double srccStd, double plccRawStd, int seeds) {

        public static Figures of(MetricReport m) {
            return new Figures(m.plccFitted(), m.srcc(), m.krcc(), m.rmse(), m.plcc(), m.n(), m.plccFittedCi(),
                    m.srccCi(), Double.NaN, Double.NaN, Double.NaN, 1);
        }

        /** A single run's figures without CIs. */
        public static Figures single(double plcc, double srcc, double krcc, double rmse, double plccRaw, long n) {
            return new Figures(plcc, srcc, krcc, rmse, plccRaw, n, null, null, Double.NaN, Double.NaN, Double.NaN, 1);
        }

        /**
         * The mean over runs of one setting (e.g. its seeds), with the sample standard deviation of PLCC, SRCC and
         * raw PLCC (NaN for one run); CIs are dropped (the spread over seeds replaces them).
         */
        public static Figures mean(List<Figures> runs) {
            if (runs.isEmpty()) {
                throw new IllegalArgumentException("no runs to average");
            }
            if (runs.size() == 1) {
                return runs.get(0);
            }
            return new Figures(avg(runs, Figures::plcc), avg(runs, Figures::srcc), avg(runs, Figures::krcc),
                    avg(runs, Figures::rmse), avg(runs, Figures::plccRaw), Math.round(avg(runs, f -> f.n)), null,
                    null, std(runs, Figures::plcc), std(runs, Figures::srcc), std(runs, Figures::plccRaw), runs.size());
        }
    }

    /** A run's evaluation: figures per dataset (in project order) and their plain mean, the paper's "AVG.". */
    public record RunFigures(Map<String, Figures> datasets, Figures average) {
        public RunFigures {
            datasets = Collections.unmodifiableMap(new LinkedHashMap<>(datasets));
        }

        public static RunFigures of(ResultsTable t) {
            Map<String, Figures> d = new LinkedHashMap<>();
            t.rows().forEach(r -> d.put(r.dataset(), Figures.of(r.report())));
            ResultsTable.Average a = t.average();
            return new RunFigures(d, Figures.single(a.plcc(), a.srcc(), a.krcc(), a.rmse(), a.plccRaw(), a.n()));
        }

        /**
         * Reads {@code results.json} as {@link ResultsTable#toJson()} writes it (each pipeline run's
         * {@code runs/ID/results.json}); {@code source} names the file in errors.
         */
        public static RunFigures fromResultsJson(String json, String source) throws IOException {
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(json);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(source + ": not a results JSON (" + e.getOriginalMessage() + ")");
            }
            if (root == null || !root.path("datasets").isArray() || !root.path("average").isObject()) {
                throw new IOException(source + ": not a results JSON (needs \"datasets\" and \"average\")");
            }
            Map<String, Figures> d = new LinkedHashMap<>();
            for (JsonNode o : root.get("datasets")) {
                String name = o.path("dataset").asText(null);
                if (name == null) {
                    throw new IOException(source + ": a dataset entry has no \"dataset\" name");
                }
                JsonNode ci = o.path("ci95");
                d.put(name, new Figures(num(o, "plcc", source), num(o, "srcc", source), num(o, "krcc", source),
                        num(o, "rmse", source), num(o, "plcc_raw", source), o.path("n").asLong(),
                        interval(ci.path("plcc")), interval(ci.path("srcc")), Double.NaN, Double.NaN, Double.NaN, 1));
            }
            JsonNode a = root.get("average");
            return new RunFigures(d, Figures.single(num(a, "plcc", source), num(a, "srcc", source),
                    num(a, "krcc", source), num(a, "rmse", source), num(a, "plcc_raw", source), a.path("n").asLong()));
        }

        /** The figures of {@code dataset}, or the average when it is null; an error naming the datasets there are. */
        public Figures select(String dataset) {
            if (dataset == null) {
                return average;
            }
            Figures f = datasets.get(dataset);
            if (f == null) {
                throw new IllegalArgumentException("no evaluation of dataset '" + dataset + "' (have "
                        + datasets.keySet() + ")");
            }
            return f;
        }

        /** The mean over runs of one setting (its seeds): per dataset evaluated by every run, and the average. */
        public static RunFigures mean(List<RunFigures> runs) {
            if (runs.isEmpty()) {
                throw new IllegalArgumentException("no runs to average");
            }
            Map<String, Figures> d = new LinkedHashMap<>();
            for (String ds : runs.get(0).datasets().keySet()) {
                if (runs.stream().allMatch(r -> r.datasets().containsKey(ds))) {
                    d.put(ds, Figures.mean(runs.stream().map(r -> r.datasets().get(ds)).toList()));
                }
            }
            return new RunFigures(d, Figures.mean(runs.stream().map(RunFigures::average).toList()));
        }
    }

    /**
     * The figures of a finished pipeline run from its run records: the {@code results.json} written next to its
     * {@code table} artifact. An error names the run when it has no evaluation.
     */
    public static RunFigures fromRun(Runs runs, long runId) throws IOException, SQLException {
        Runs.RunItem run = runs.get(runId);
        Optional<Path> json = resultsJson(runs, runId);
        if (json.isEmpty()) {
            throw new IllegalArgumentException("run " + runId + " (" + run.stage() + ", " + run.status()
                    + ") has no evaluation: only finished runs of stage 'all' or 'evaluate' have one");
        }
        if (!Files.isRegularFile(json.get())) {
            throw new IOException(json.get() + ": missing (run " + runId + "'s results table)");
        }
        return RunFigures.fromResultsJson(Files.readString(json.get(), StandardCharsets.UTF_8), json.get().toString());
    }

    /**
     * Which images each dataset's row of a run's evaluation used ({@link ResultsTable#TEST_SPLIT},
     * {@link ResultsTable#ALL} or a split name), by dataset in the results' order, from the run's
     * {@code results.json}. Datasets the file does not say it for (results of older versions) are left out; a run
     * without an evaluation gives an empty map.
     */
    public static Map<String, String> imagesUsed(Runs runs, long runId) throws IOException, SQLException {
        Optional<Path> json = resultsJson(runs, runId);
        Map<String, String> out = new LinkedHashMap<>();
        if (json.isEmpty() || !Files.isRegularFile(json.get())) {
            return out;
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(json.get(), StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(json.get() + ": not a results JSON (" + e.getOriginalMessage() + ")");
        }
        for (JsonNode o : root.path("datasets")) {
            if (o.hasNonNull("dataset") && o.hasNonNull("images")) {
                out.put(o.get("dataset").asText(), o.get("images").asText());
            }
        }
        return out;
    }

    /** The results.json next to the run's last {@code table} artifact, if it recorded one. */
    private static Optional<Path> resultsJson(Runs runs, long runId) throws IOException, SQLException {
        return runs.artifacts(runId).stream().filter(a -> a.kind().equals("table")).reduce((a, b) -> b)
                .map(a -> a.path().resolveSibling("results.json"));
    }

    // ---- output ---------------------------------------------------------------------------------------------------

    /** Paper-style emphasis of a cell: best (bold) or second best (underlined), as in Tables 2, 4 and A.5. */
    public enum Mark { NONE, BEST, SECOND }

    /** One cell of a laid-out table. */
    public record Cell(String text, Mark mark) {
        public static Cell of(String text) {
            return new Cell(text, Mark.NONE);
        }
    }

    /** A laid-out table: a title, a header, rows of cells and notes printed below (conventions, scaling rule). */
    public record Table(String title, List<String> header, List<List<Cell>> rows, List<String> notes) {
        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
            notes = List.copyOf(notes);
            for (List<Cell> r : rows) {
                if (r.size() != header.size()) {
                    throw new IllegalArgumentException("row has " + r.size() + " cells, header " + header.size());
                }
            }
        }

        /** The cells' text, row by row (what tests and the app read). */
        public List<List<String>> texts() {
            return rows.stream().map(r -> r.stream().map(Cell::text).toList()).toList();
        }

        /** Markdown: best in bold, second best underlined ({@code <u>}), then the notes as paragraphs. */
        public String toMarkdown() {
            StringBuilder sb = new StringBuilder();
            sb.append('|');
            header.forEach(h -> sb.append(' ').append(md(h)).append(" |"));
            sb.append("\n|");
            for (int i = 0; i < header.size(); i++) {
                sb.append(i == 0 ? "---|" : "---:|");
            }
            sb.append('\n');
            for (List<Cell> r : rows) {
                sb.append('|');
                for (Cell c : r) {
                    String t = md(c.text());
                    if (!t.isEmpty() && c.mark() == Mark.BEST) {
                        t = "**" + t + "**";
                    } else if (!t.isEmpty() && c.mark() == Mark.SECOND) {
                        t = "<u>" + t + "</u>";
                    }
                    sb.append(' ').append(t).append(" |");
                }
                sb.append('\n');
            }
            notes.forEach(n -> sb.append('\n').append(n).append('\n'));
            return sb.toString();
        }

        /** CSV (RFC 4180): the header and the cells' text; emphasis and notes are left out. */
        public String toCsv() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.join(",", header.stream().map(CsvTable::quote).toList())).append('\n');
            for (List<Cell> r : rows) {
                sb.append(String.join(",", r.stream().map(c -> CsvTable.quote(c.text())).toList())).append('\n');
            }
            return sb.toString();
        }

        /** LaTeX (booktabs): a {@code table} with the title as caption, best in bold, second best underlined. */
        public String toLatex() {
            StringBuilder sb = new StringBuilder("\\begin{table}[t]\n\\centering\n\\caption{")
                    .append(tex(title)).append("}\n\\begin{tabular}{l").append("c".repeat(header.size() - 1))
                    .append("}\n\\toprule\n");
            sb.append(String.join(" & ", header.stream().map(PaperTables::tex).toList())).append(" \\\\\n\\midrule\n");
            for (List<Cell> r : rows) {
                List<String> cells = new ArrayList<>();
                for (Cell c : r) {
                    String t = tex(c.text());
                    cells.add(c.mark() == Mark.BEST ? "\\textbf{" + t + "}"
                            : c.mark() == Mark.SECOND ? "\\underline{" + t + "}" : t);
                }
                sb.append(String.join(" & ", cells)).append(" \\\\\n");
            }
            sb.append("\\bottomrule\n\\end{tabular}\n\\end{table}\n");
            for (String n : notes) {
                sb.append("% ").append(n.replace("\n", "\n% ")).append('\n');
            }
            return sb.toString();
        }

        /** The table in {@code format}: {@code md}/{@code markdown}, {@code csv} or {@code latex}/{@code tex}. */
        public String render(String format) {
            return switch (format.toLowerCase(Locale.ROOT)) {
                case "md", "markdown" -> toMarkdown();
                case "csv" -> toCsv();
                case "latex", "tex" -> toLatex();
                default -> throw new IllegalArgumentException("unknown table format '" + format
                        + "'; expected md, csv or latex");
            };
        }
    }

    // ---- Table 2 --------------------------------------------------------------------------------------------------

    /** Which figures Table 2 shows besides PLCC and SRCC, and whether it appends the paper's RALI rows. */
    public record Table2Options(boolean krcc, boolean rmse, boolean ci, boolean paperRows) {
        public static Table2Options paper() {
            return new Table2Options(false, false, false, true);
        }
    }

    /**
     * Table 2 shape: columns Method, Metric, one per dataset (the union over the methods, first-seen order), AVG.;
     * per method a PLCC row and an SRCC row (then KRCC and RMSE when asked). With {@code paperRows} the paper's RALI
     * rows follow, their numbers under the project datasets that are the paper's test sets (matched by name:
     * "koniq10k" → KonIQ, "livec" → LiveW, …; "–" elsewhere) and its own AVG. over its seven sets.
     */
    public static Table table2(Map<String, RunFigures> methods, Table2Options o) {
        List<String> datasets = new ArrayList<>();
        methods.values().forEach(m -> m.datasets().keySet().stream().filter(d -> !datasets.contains(d))
                .forEach(datasets::add));
        List<String> header = new ArrayList<>(List.of("Method", "Metric"));
        header.addAll(datasets);
        header.add("AVG.");
        List<List<Cell>> rows = new ArrayList<>();
        record Metric(String name, ToDoubleFunction<Figures> value, boolean higherBetter, boolean hasCi) { }
        List<Metric> metrics = new ArrayList<>(List.of(new Metric("PLCC", Figures::plcc, true, true),
                new Metric("SRCC", Figures::srcc, true, true)));
        if (o.krcc()) {
            metrics.add(new Metric("KRCC", Figures::krcc, true, false));
        }
        if (o.rmse()) {
            metrics.add(new Metric("RMSE", Figures::rmse, false, false));
        }
        for (var e : methods.entrySet()) {
            for (Metric m : metrics) {
                List<Cell> r = new ArrayList<>(List.of(Cell.of(e.getKey()), Cell.of(m.name())));
                for (String d : datasets) {
                    Figures f = e.getValue().datasets().get(d);
                    r.add(Cell.of(f == null ? "–" : figure(f, m.name(), m.value(), o.ci() && m.hasCi())));
                }
                r.add(Cell.of(figure(e.getValue().average(), m.name(), m.value(), false)));
                rows.add(r);
            }
        }
        List<String> notes = new ArrayList<>(List.of(ResultsTable.FOOTER));
        if (o.paperRows()) {
            Map<String, Map<String, String>> paper = paperTable2Rali();
            for (String metric : List.of("PLCC", "SRCC")) {
                Map<String, String> p = paper.get(metric);
                List<Cell> r = new ArrayList<>(List.of(Cell.of("RALI (paper)"), Cell.of(metric)));
                for (String d : datasets) {
                    r.add(Cell.of(paperColumn(d).map(p::get).orElse("–")));
                }
                r.add(Cell.of(p.get("AVG")));
                rows.add(r);
            }
            notes.add("RALI (paper): the paper's Table 2 (trained on KonIQ; AVG. over its seven test sets " + String.join(
                    ", ", ResultsTable.PAPER_TABLE2_DATASETS) + "), for reference; a project column shows the "
                    + "paper's number only where it is one of those datasets.");
        }
        return new Table("PLCC / SRCC per test set (paper Table 2 shape)", header, rows, notes);
    }

    /** The paper's Table 2 column a project dataset stands for, matched by name ("koniq10k", "LIVE-C", …). */
    public static Optional<String> paperColumn(String dataset) {
        String k = dataset.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        if (k.startsWith("koniq")) {
            return Optional.of("KonIQ");
        } else if (k.startsWith("spaq")) {
            return Optional.of("SPAQ");
        } else if (k.startsWith("kadid")) {
            return Optional.of("KADID");
        } else if (k.startsWith("pipal")) {
            return Optional.of("PIPAL");
        } else if (k.startsWith("livec") || k.startsWith("livew") || k.startsWith("clive")
                || k.startsWith("livechallenge")) {
            return Optional.of("LiveW");
        } else if (k.startsWith("agiqa")) {
            return Optional.of("AGIQA");
        } else if (k.startsWith("csiq")) {
            return Optional.of("CSIQ");
        }
        return Optional.empty();
    }

    // ---- Table 4 --------------------------------------------------------------------------------------------------

    /**
     * The paper's Table 4 case of each ablation name of {@code RaliParams.ABLATIONS}: case 1 has neither alignment
     * nor seed augmentation (without alignment there are no texts to augment), cases 2–5 each drop one component,
     * case 6 is the full method.
     */
    public static final Map<String, Integer> TABLE4_CASES = Map.of("no_alignment", 1, "no_pca", 2, "plain_kmeans", 3,
            "no_seed_augmentation", 4, "no_score_definition", 5, "full", 6);

    /**
     * Table 4 shape: one row per variant with PLCC and SRCC (with the 95% CI of a single run, or mean ± std over
     * seeds), KRCC, RMSE, raw PLCC, then the paper's case and its average PLCC / SRCC (over its seven test sets).
     *
     * @param variants  variant name → figures (of one dataset or the average; the caller says which in {@code what})
     * @param what      which images the figures are on, for the note (e.g. "held-out test photos of 'sample'")
     * @param emphasis  mark the best and second-best PLCC and SRCC like the paper
     */
    public static Table table4(Map<String, Figures> variants, String what, boolean emphasis) {
        Map<Integer, List<String>> paper = paperRows("table4.csv", "case");
        List<Figures> fs = new ArrayList<>(variants.values());
        // Averaged seeds print mean ± std, not a CI: the header says which (a one-run row keeps its CI in brackets).
        String spread = fs.stream().anyMatch(f -> f.seeds() > 1) ? " (mean ± std)" : " [95% CI]";
        List<String> header = List.of("variant (paper Table 4)", "PLCC" + spread, "SRCC" + spread, "KRCC", "RMSE",
                fs.stream().anyMatch(f -> f.seeds() > 1) ? "PLCC (raw, mean ± std)" : "PLCC (raw)", "paper case",
                "paper PLCC / SRCC");
        List<List<Cell>> rows = new ArrayList<>();
        for (var e : variants.entrySet()) {
            Figures f = e.getValue();
            Integer c = TABLE4_CASES.get(e.getKey());
            List<String> p = c == null ? null : paper.get(c);
            rows.add(List.of(Cell.of(e.getKey()),
                    new Cell(withSpread(f.plcc(), f.plccStd(), f.plccCi()), emphasis ? mark(fs, f, Figures::plcc) : Mark.NONE),
                    new Cell(withSpread(f.srcc(), f.srccStd(), f.srccCi()), emphasis ? mark(fs, f, Figures::srcc) : Mark.NONE),
                    Cell.of(fmt(f.krcc())), Cell.of(fmt(f.rmse())), Cell.of(withSpread(f.plccRaw(), f.plccRawStd(), null)),
                    Cell.of(c == null ? "–" : Integer.toString(c)),
                    Cell.of(p == null ? "–" : p.get(6) + " / " + p.get(7))));
        }
        List<String> notes = new ArrayList<>(List.of(ResultsTable.FOOTER));
        notes.add("Ours: " + what + seedsNote(fs) + ". Paper: average PLCC / SRCC over the seven test sets of Table 2, "
                + "trained on KonIQ (§5.3), for reference.");
        return new Table("Ablations of RALI's components (paper Table 4 shape)", header, rows, notes);
    }

    // ---- Table A.5 ------------------------------------------------------------------------------------------------

    /**
     * One point of the Table A.5 sweep: with or without the score definition, PCA dimension M, bases K, buckets N,
     * its figures, and the paper's case it stands for (scaled), or null.
     */
    public record A5Point(boolean scoreDefinition, int dim, int bases, int buckets, Figures figures, Integer paperCase) { }

    /** The paper's Table A.5 settings in case order (1–10): score definition on/off, M, K, N. */
    public static List<A5Point> paperTableA5() {
        List<A5Point> out = new ArrayList<>();
        for (List<String> r : paperRows("tableA5.csv", "case").values()) {
            out.add(new A5Point(r.get(1).equals("✓"), Integer.parseInt(r.get(2)), Integer.parseInt(r.get(3)),
                    Integer.parseInt(r.get(4)), Figures.single(Double.parseDouble(r.get(5)),
                    Double.parseDouble(r.get(6)), Double.NaN, Double.NaN, Double.NaN, 0), Integer.parseInt(r.get(0))));
        }
        return out;
    }

    /**
     * Table A.5 shape: one row per point (score definition ✓/×, M, K, N, PLCC, SRCC, raw PLCC as mean ± std over
     * seeds), then the paper's case with its M/K/N and PLCC / SRCC; the footer names the PLCC convention, as Table 4.
     *
     * @param scaling the rule that scaled the paper's M/K/N to the project, printed as a note (or null)
     */
    public static Table tableA5(List<A5Point> points, String what, String scaling, boolean emphasis) {
        Map<Integer, List<String>> paper = paperRows("tableA5.csv", "case");
        List<Figures> fs = points.stream().map(A5Point::figures).toList();
        List<String> header = List.of("score definition", "PCA M", "bases K", "buckets N", "PLCC", "SRCC",
                fs.stream().anyMatch(f -> f.seeds() > 1) ? "PLCC (raw, mean ± std)" : "PLCC (raw)",
                "paper case", "paper M / K / N", "paper PLCC / SRCC");
        List<List<Cell>> rows = new ArrayList<>();
        for (A5Point p : points) {
            Figures f = p.figures();
            List<String> pr = p.paperCase() == null ? null : paper.get(p.paperCase());
            rows.add(List.of(Cell.of(p.scoreDefinition() ? "✓" : "×"), Cell.of(Integer.toString(p.dim())),
                    Cell.of(Integer.toString(p.bases())), Cell.of(Integer.toString(p.buckets())),
                    new Cell(withSpread(f.plcc(), f.plccStd(), null), emphasis ? mark(fs, f, Figures::plcc) : Mark.NONE),
                    new Cell(withSpread(f.srcc(), f.srccStd(), null), emphasis ? mark(fs, f, Figures::srcc) : Mark.NONE),
                    Cell.of(withSpread(f.plccRaw(), f.plccRawStd(), null)),
                    Cell.of(pr == null ? "–" : pr.get(0)),
                    Cell.of(pr == null ? "–" : pr.get(2) + " / " + pr.get(3) + " / " + pr.get(4)),
                    Cell.of(pr == null ? "–" : pr.get(5) + " / " + pr.get(6))));
        }
        List<String> notes = new ArrayList<>(List.of(ResultsTable.FOOTER));
        notes.add("Ours: " + what + seedsNote(fs) + ". Paper: Table A.5 (trained on KonIQ, average over the seven test "
                + "sets of Table 2), for reference.");
        if (scaling != null && !scaling.isBlank()) {
            notes.add("Scaling: " + scaling);
        }
        return new Table("PCA dimension, bases and buckets (paper Table A.5 shape)", header, rows, notes);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    static String fmt(double v) {
        return ResultsTable.fmt(v);
    }

    /** "0.379 [0.277, 0.510]" for a run with a CI, "0.379 ± 0.012" over seeds, else "0.379". */
    static String withSpread(double v, double std, MetricReport.Interval ci) {
        if (!Double.isNaN(std)) {
            return fmt(v) + " ± " + fmt(std);
        }
        return ci == null ? fmt(v) : fmt(v) + " " + ci;
    }

    private static String figure(Figures f, String metric, ToDoubleFunction<Figures> value, boolean ci) {
        double std = metric.equals("PLCC") ? f.plccStd() : metric.equals("SRCC") ? f.srccStd() : Double.NaN;
        MetricReport.Interval in = !ci ? null : metric.equals("PLCC") ? f.plccCi() : f.srccCi();
        return withSpread(value.applyAsDouble(f), std, in);
    }

    private static String seedsNote(List<Figures> fs) {
        int max = fs.stream().mapToInt(Figures::seeds).max().orElse(1);
        return max > 1 ? " (mean ± std over up to " + max + " seeds)" : "";
    }

    /** Best/second best of {@code f} among {@code all} by a higher-is-better value (ties share the mark). */
    private static Mark mark(List<Figures> all, Figures f, ToDoubleFunction<Figures> value) {
        double v = value.applyAsDouble(f);
        if (Double.isNaN(v) || all.size() < 2) {
            return Mark.NONE;
        }
        List<Double> distinct = all.stream().mapToDouble(value).filter(x -> !Double.isNaN(x)).boxed()
                .map(x -> Double.parseDouble(fmt(x))).distinct().sorted(Collections.reverseOrder()).toList();
        double shown = Double.parseDouble(fmt(v));
        if (shown == distinct.get(0)) {
            return Mark.BEST;
        }
        return distinct.size() > 2 && shown == distinct.get(1) ? Mark.SECOND : Mark.NONE;
    }

    private static double avg(List<Figures> fs, ToDoubleFunction<Figures> v) {
        return fs.stream().mapToDouble(v).average().orElse(Double.NaN);
    }

    private static double std(List<Figures> fs, ToDoubleFunction<Figures> v) {
        double m = avg(fs, v);
        double ss = fs.stream().mapToDouble(v).map(x -> (x - m) * (x - m)).sum();
        return Math.sqrt(ss / (fs.size() - 1));
    }

    private static double num(JsonNode o, String key, String source) throws IOException {
        JsonNode v = o.get(key);
        if (v == null) {
            throw new IOException(source + ": missing \"" + key + "\"");
        }
        return v.isNull() ? Double.NaN : v.asDouble();
    }

    private static MetricReport.Interval interval(JsonNode a) {
        if (!a.isArray() || a.size() != 2) {
            return null;
        }
        return new MetricReport.Interval(a.get(0).isNull() ? Double.NaN : a.get(0).asDouble(),
                a.get(1).isNull() ? Double.NaN : a.get(1).asDouble());
    }

    /** The paper's RALI row of Table 2: metric → column (KonIQ … AVG) → printed number. */
    static Map<String, Map<String, String>> paperTable2Rali() {
        List<List<String>> rows = paperCsv("table2.csv");
        List<String> h = rows.get(0);
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            if (r.get(h.indexOf("method")).equals("RALI")) {
                Map<String, String> byCol = new LinkedHashMap<>();
                for (int i = h.indexOf("KonIQ"); i <= h.indexOf("AVG"); i++) {
                    byCol.put(h.get(i), r.get(i));
                }
                out.put(r.get(h.indexOf("metric")), byCol);
            }
        }
        return out;
    }

    /** A paper CSV's rows keyed by the integer in {@code keyColumn}, in file order. */
    private static Map<Integer, List<String>> paperRows(String file, String keyColumn) {
        List<List<String>> rows = paperCsv(file);
        int k = rows.get(0).indexOf(keyColumn);
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        rows.subList(1, rows.size()).forEach(r -> out.put(Integer.parseInt(r.get(k)), r));
        return out;
    }

    /** A paper CSV from the engine's resources without its caption line: header first. */
    static List<List<String>> paperCsv(String file) {
        try (InputStream in = PaperTables.class.getResourceAsStream("paper/" + file)) {
            if (in == null) {
                throw new IllegalStateException("resource dev/rali/engine/eval/paper/" + file + " missing from the build");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return CsvTable.parse(text, ',').rows().stream().map(CsvTable.Row::cells)
                    .filter(c -> !c.get(0).startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String md(String s) {
        return s.replace("|", "\\|");
    }

    static String tex(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> sb.append("\\textbackslash{}");
                case '&', '%', '$', '#', '_', '{', '}' -> sb.append('\\').append(c);
                case '~' -> sb.append("\\textasciitilde{}");
                case '^' -> sb.append("\\textasciicircum{}");
                case '±' -> sb.append("$\\pm$");
                case '✓' -> sb.append("\\checkmark{}");
                case '×' -> sb.append("$\\times$");
                case '–' -> sb.append("--");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
