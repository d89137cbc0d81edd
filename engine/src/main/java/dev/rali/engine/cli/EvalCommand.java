package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.eval.MetricReport;
import dev.rali.engine.eval.Outliers;
import dev.rali.engine.eval.PredictionJoin;
import dev.rali.engine.eval.ResultsTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code rali eval}: PLCC/SRCC/KRCC/RMSE of a predictions CSV against one or more MOS CSVs (one per test set),
 * joined by image name. Several MOS files give a table with an "Average" row, optionally in the paper's Table 2
 * shape.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Compare predictions with MOS: PLCC, SRCC, KRCC, RMSE (and PLCC after a 4-parameter logistic fit).",
                "Rows are joined by image name (exact, then unique base name, case-insensitive); unmatched rows are"
                        + " reported on stderr. Give --mos once per test set for a table with an Average row."})
public final class EvalCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { text, markdown, csv, json, paper }

    @Spec
    CommandSpec spec;

    @Option(names = "--pred", required = true, paramLabel = "PRED.csv", description = "predictions: image name + score columns")
    Path pred;

    @Option(names = "--mos", required = true, paramLabel = "MOS.csv",
            description = "ground truth: image name + MOS columns; repeat for several test sets")
    List<Path> mos;

    @Option(names = "--pred-column", paramLabel = "NAME",
            description = "prediction column (default: first of score, pred, prediction, ... or the only value column)")
    String predColumn;

    @Option(names = "--mos-column", paramLabel = "NAME",
            description = "MOS column (default: first of mos, gt_score_norm, gt_score, score, dmos, ...)")
    String mosColumn;

    @Option(names = "--bootstrap", paramLabel = "N", defaultValue = "0",
            description = "bootstrap resamples for 95%% confidence intervals (e.g. 1000; default ${DEFAULT-VALUE}: none)")
    int bootstrap;

    @Option(names = "--seed", defaultValue = "0", description = "bootstrap seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "label of each result row, in --mos order (default: the MOS file's name)")
    List<String> datasets = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "text (one MOS file) | markdown (several) | csv | json | paper (Table 2 shape: PLCC and SRCC rows, AVG)")
    Format format;

    @Option(names = "--json", description = "same as --format json")
    boolean json;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "RALI",
            description = "method name in --format paper (default ${DEFAULT-VALUE})")
    String method;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!datasets.isEmpty() && datasets.size() != mos.size()) {
            throw new IllegalArgumentException(datasets.size() + " --dataset label(s) for " + mos.size() + " --mos file(s)");
        }
        Format fmt = json ? Format.json : format != null ? format : mos.size() == 1 ? Format.text : Format.markdown;
        ResultsTable table = new ResultsTable();
        List<PredictionJoin.Result> joins = new ArrayList<>();
        Set<String> unmatchedEverywhere = null;
        for (int i = 0; i < mos.size(); i++) {
            Path m = mos.get(i);
            PredictionJoin.Result j = PredictionJoin.join(pred, predColumn, m, mosColumn);
            if (j.pred().length < 3) {
                throw new IllegalArgumentException("only " + j.pred().length + " image(s) of " + pred + " matched a row of "
                        + m + " (need at least 3); check that both files name images the same way"
                        + sample(" unmatched predictions: ", j.unmatchedPred()));
            }
            if (j.failedPred() > 0 && i == 0) {
                err.println("note: " + pred + ": " + j.failedPred() + " row(s) failed in scoring (status not ok) and are"
                        + " skipped");
            }
            checkUsable(j, m);
            if (!j.unmatchedMos().isEmpty()) {
                err.println("note: " + m + ": " + j.unmatchedMos().size() + " MOS row(s) have no prediction"
                        + sample(": ", j.unmatchedMos()));
            }
            if (j.basenameMatches() > 0) {
                err.println("note: " + m + ": " + j.basenameMatches() + " pair(s) joined by base name");
            }
            if (unmatchedEverywhere == null) {
                unmatchedEverywhere = new LinkedHashSet<>(j.unmatchedPred());
            } else {
                unmatchedEverywhere.retainAll(new LinkedHashSet<>(j.unmatchedPred()));
            }
            String label = datasets.isEmpty() ? stem(m) : datasets.get(i);
            MetricReport report = MetricReport.compute(j.pred(), j.mos(), bootstrap, seed);
            if (!Double.isFinite(report.plcc()) || !Double.isFinite(report.srcc()) || !Double.isFinite(report.rmse())
                    || !Double.isFinite(report.plccFitted())) {
                throw new IllegalArgumentException(pred + " vs " + m + ": the metrics are not finite (PLCC "
                        + report.plcc() + ", SRCC " + report.srcc() + ", RMSE " + report.rmse() + ")");
            }
            table.add(label, report);
            joins.add(j);
        }
        if (!unmatchedEverywhere.isEmpty()) {
            err.println("warning: " + unmatchedEverywhere.size() + " prediction row(s) have no MOS and are left out"
                    + sample(": ", new ArrayList<>(unmatchedEverywhere)));
        }
        switch (fmt) {
            case text -> {
                for (int i = 0; i < table.rows().size(); i++) {
                    printText(out, table.rows().get(i), joins.get(i));
                }
                if (bootstrap > 0) {
                    out.printf(Locale.ROOT, "95%% intervals: percentile bootstrap, %d resamples, seed %d%n", bootstrap, seed);
                }
            }
            case markdown -> out.print(table.toMarkdown());
            case csv -> out.print(table.toCsv());
            case paper -> out.print(table.toPaperCsv(method));
            case json -> out.println(json(table, joins, unmatchedEverywhere.size()));
            default -> throw new AssertionError(fmt);
        }
        out.flush();
        return 0;
    }

    /**
     * Refuses what would make the metrics meaningless rather than print them: constant predictions or MOS (no
     * correlation exists) and extreme outliers ({@link Outliers}: one 1e308 dominates every figure).
     */
    private void checkUsable(PredictionJoin.Result j, Path mosFile) {
        if (constant(j.pred())) {
            throw new IllegalArgumentException(pred + ": all " + j.pred().length + " predictions matched with " + mosFile
                    + " are " + j.pred()[0] + "; correlations are undefined for constant predictions");
        }
        if (constant(j.mos())) {
            throw new IllegalArgumentException(mosFile + ": all " + j.mos().length + " MOS values matched are "
                    + j.mos()[0] + "; correlations are undefined for a constant MOS");
        }
        List<String> bad = new ArrayList<>();
        for (int i : Outliers.find(j.pred())) {
            bad.add(pred.getFileName() + ": line " + j.predLines()[i] + ": prediction " + j.pred()[i]);
        }
        for (int i : Outliers.find(j.mos())) {
            bad.add(mosFile.getFileName() + ": MOS of " + j.names().get(i) + ": " + j.mos()[i]);
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException(bad.size() + " value(s) lie far outside all the others (more than "
                    + (int) Outliers.MADS + " median absolute deviations from the median) and would dominate every "
                    + "metric: " + String.join("; ", bad.subList(0, Math.min(10, bad.size())))
                    + (bad.size() > 10 ? "; ..." : ""));
        }
    }

    private static boolean constant(double[] v) {
        for (double x : v) {
            if (x != v[0]) {
                return false;
            }
        }
        return true;
    }

    private void printText(PrintWriter out, ResultsTable.Row row, PredictionJoin.Result j) {
        MetricReport r = row.report();
        out.printf(Locale.ROOT, "%s: %d pairs (predictions '%s' vs MOS '%s')%n", row.dataset(), r.n(), j.predColumn(),
                j.mosColumn());
        // headline PLCC after the VQEG logistic, as the baselines' evaluation code (ResultsTable.FOOTER)
        out.println(line("PLCC (logistic fit)", r.plccFitted(), r.plccFittedCi()));
        out.println(line("PLCC (raw)", r.plcc(), r.plccCi()));
        out.println(line("SRCC", r.srcc(), r.srccCi()));
        out.println(line("KRCC", r.krcc(), r.krccCi()));
        out.println(line("RMSE", r.rmse(), r.rmseCi()));
        out.println(line("RMSE (logistic fit)", r.rmseFitted(), null));
    }

    private String json(ResultsTable table, List<PredictionJoin.Result> joins, int unmatchedPred) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        if (table.rows().size() == 1) {
            ObjectNode o = ResultsTable.reportJson(om, table.rows().get(0).report());
            o.put("dataset", table.rows().get(0).dataset());
            o.put("pred_file", pred.toString());
            describeJoin(o, mos.get(0), joins.get(0));
            o.put("unmatched_pred", unmatchedPred);
            return om.writeValueAsString(o);
        }
        ObjectNode root = (ObjectNode) om.readTree(table.toJson());
        root.put("pred_file", pred.toString());
        root.put("unmatched_pred", unmatchedPred);
        for (int i = 0; i < joins.size(); i++) {
            describeJoin((ObjectNode) root.get("datasets").get(i), mos.get(i), joins.get(i));
        }
        return om.writeValueAsString(root);
    }

    private static void describeJoin(ObjectNode o, Path mosFile, PredictionJoin.Result j) {
        o.put("mos_file", mosFile.toString());
        o.put("pred_column", j.predColumn());
        o.put("mos_column", j.mosColumn());
        o.put("unmatched_mos", j.unmatchedMos().size());
        o.put("basename_matches", j.basenameMatches());
        o.put("failed_pred", j.failedPred());
    }

    private static String line(String name, double v, MetricReport.Interval ci) {
        return String.format(Locale.ROOT, "  %-20s %7.4f%s", name, v, ci == null ? "" : "  95% CI " + ci);
    }

    private static String sample(String prefix, List<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        List<String> head = names.subList(0, Math.min(5, names.size()));
        return prefix + String.join(", ", head) + (names.size() > head.size() ? ", ..." : "");
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
