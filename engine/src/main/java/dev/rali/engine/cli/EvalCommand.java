package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.eval.MetricReport;
import dev.rali.engine.eval.PredictionJoin;
import dev.rali.engine.eval.ResultsTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rali eval}: PLCC/SRCC/KRCC/RMSE of a predictions CSV against a MOS CSV, joined by image name. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Compare predictions with MOS: PLCC, SRCC, KRCC, RMSE (and PLCC after a 4-parameter logistic fit).",
                "Rows are joined by image name (exact, then unique base name, case-insensitive); unmatched rows are"
                        + " reported on stderr."})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pred", required = true, paramLabel = "PRED.csv", description = "predictions: image name + score columns")
    Path pred;

    @Option(names = "--mos", required = true, paramLabel = "MOS.csv", description = "ground truth: image name + MOS columns")
    Path mos;

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

    @Option(names = "--dataset", paramLabel = "NAME", description = "label of the result row (default: MOS file name)")
    String dataset;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PredictionJoin.Result j = PredictionJoin.join(pred, predColumn, mos, mosColumn);
        if (j.pred().length < 3) {
            throw new IllegalArgumentException("only " + j.pred().length + " image(s) of " + pred + " matched a row of "
                    + mos + " (need at least 3); check that both files name images the same way"
                    + sample(" unmatched predictions: ", j.unmatchedPred()));
        }
        if (!j.unmatchedPred().isEmpty()) {
            err.println("warning: " + j.unmatchedPred().size() + " prediction row(s) have no MOS and are left out"
                    + sample(": ", j.unmatchedPred()));
        }
        if (!j.unmatchedMos().isEmpty()) {
            err.println("note: " + j.unmatchedMos().size() + " MOS row(s) have no prediction" + sample(": ", j.unmatchedMos()));
        }
        if (j.basenameMatches() > 0) {
            err.println("note: " + j.basenameMatches() + " pair(s) joined by base name");
        }
        MetricReport r = MetricReport.compute(j.pred(), j.mos(), bootstrap, seed);
        String label = dataset != null ? dataset : stem(mos);
        if (json) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = ResultsTable.reportJson(om, r);
            o.put("dataset", label);
            o.put("pred_file", pred.toString());
            o.put("mos_file", mos.toString());
            o.put("pred_column", j.predColumn());
            o.put("mos_column", j.mosColumn());
            o.put("unmatched_pred", j.unmatchedPred().size());
            o.put("unmatched_mos", j.unmatchedMos().size());
            o.put("basename_matches", j.basenameMatches());
            out.println(om.writeValueAsString(o));
        } else {
            out.printf(Locale.ROOT, "%s: %d pairs (predictions '%s' vs MOS '%s')%n", label, r.n(), j.predColumn(), j.mosColumn());
            out.println(row("PLCC", r.plcc(), r.plccCi()));
            out.println(row("SRCC", r.srcc(), r.srccCi()));
            out.println(row("KRCC", r.krcc(), r.krccCi()));
            out.println(row("RMSE", r.rmse(), r.rmseCi()));
            out.println(row("PLCC (logistic fit)", r.plccFitted(), null));
            out.println(row("RMSE (logistic fit)", r.rmseFitted(), null));
            if (bootstrap > 0) {
                out.printf(Locale.ROOT, "95%% intervals: percentile bootstrap, %d resamples, seed %d%n", bootstrap, seed);
            }
        }
        out.flush();
        return 0;
    }

    private static String row(String name, double v, MetricReport.Interval ci) {
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
