package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.analysis.attention.AttentionAnalysis;
import dev.rali.engine.analysis.attention.AttentionReport;
import dev.rali.engine.analysis.attention.Role;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rali analyze attention}: role shares, top reasoning tokens and image maps of attention dumps. */
@Command(name = "attention", mixinStandardHelpOptions = true,
        description = {"Where a reasoning model's score tokens look: the share of their attention on system, prompt,"
                + " image, reasoning and answer tokens (also in the paper's convention: system and prompt excluded,"
                + " the rest renormalised), per layer, per head and averaged; the most attended reasoning tokens;"
                + " attention on the image tokens as a rows x cols map. Per dump and aggregated.",
                "Dump format: docs/ATTENTION_FORMAT.md."})
final class AnalyzeAttentionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DUMP_OR_PROJECT", arity = "1..*",
            description = "A dump folder (with meta.json), a folder holding dump folders, or a project (.rali) whose"
                    + " imported dumps to analyse.")
    List<Path> inputs;

    @Option(names = "--top", defaultValue = "10", description = "Reasoning tokens to list (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "JSON: per dump and aggregate, per layer, per head and averaged.")
    boolean json;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        List<Path> folders = AttentionCommand.expand(inputs);
        AttentionAnalysis.Result r = AttentionAnalysis.run(folders, top, new ConsoleTaskContext(System.err, quiet || json));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode();
            root.put("format", "rali-attention-analysis/1");
            root.put("share_unit", "each attention row is divided by its recorded sum; shares are means over rows");
            ArrayNode per = root.putArray("dumps");
            for (int i = 0; i < folders.size(); i++) {
                ObjectNode o = toJson(per.addObject(), r.perDump().get(i));
                o.put("folder", folders.get(i).toString());
            }
            toJson(root.putObject("aggregate"), r.aggregate());
            out.println(om.writeValueAsString(root));
        } else {
            for (AttentionReport d : r.perDump()) {
                printText(out, d);
            }
            if (r.perDump().size() > 1) {
                printText(out, r.aggregate());
            }
        }
        out.flush();
        return 0;
    }

    // ---------------------------------------------------------------- JSON

    static ObjectNode toJson(ObjectNode o, AttentionReport r) {
        o.put("name", r.name());
        if (r.model() != null) {
            o.put("model", r.model());
        }
        o.put("dumps", r.dumps());
        o.put("rows", r.rows());
        o.put("rows_skipped_zero_sum", r.rowsSkipped());
        shares(o.putObject("shares_all_roles"), r.allRoles());
        ObjectNode paper = o.putObject("shares_paper_convention");
        paper.put("convention", "system and prompt excluded; image, reasoning and answer renormalised to 1 per row");
        shares(paper, r.paper());
        ArrayNode top = o.putArray("top_reasoning_tokens");
        for (AttentionReport.TokenWeight t : r.topReasoning()) {
            ObjectNode n = top.addObject();
            if (t.position() >= 0) {
                n.put("position", t.position());
            } else {
                n.put("occurrences", t.occurrences());
            }
            n.put("token", t.token());
            number(n, "attention", t.attention());
        }
        if (r.imageMap() == null) {
            o.putNull("image_map");
        } else {
            ObjectNode m = o.putObject("image_map");
            m.put("rows", r.imageMap().rows());
            m.put("cols", r.imageMap().cols());
            ArrayNode v = m.putArray("values");
            for (double[] row : r.imageMap().values()) {
                ArrayNode a = v.addArray();
                for (double x : row) {
                    a.add(x);
                }
            }
        }
        return o;
    }

    private static void shares(ObjectNode o, AttentionReport.Shares s) {
        roles(o.putObject("averaged"), s.averaged());
        ArrayNode layers = o.putArray("per_layer");
        for (AttentionReport.LayerShares l : s.perLayer()) {
            ObjectNode n = layers.addObject();
            n.put("layer", l.layer());
            roles(n.putObject("shares"), l.shares());
        }
        ArrayNode heads = o.putArray("per_head");
        for (AttentionReport.HeadShares h : s.perHead()) {
            ObjectNode n = heads.addObject();
            n.put("layer", h.layer());
            n.put("head", h.head());
            roles(n.putObject("shares"), h.shares());
        }
    }

    private static void roles(ObjectNode o, Map<Role, Double> m) {
        m.forEach((role, v) -> number(o, role.key(), v));
    }

    /** NaN (no usable row) is null: JSON has no NaN. */
    private static void number(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    // ---------------------------------------------------------------- text

    private static void printText(PrintWriter out, AttentionReport r) {
        out.printf(Locale.ROOT, "%s%s: %d attention rows%s%s%n", r.name(),
                r.dumps() > 1 ? " (" + r.dumps() + " dumps, each weighs the same)" : "", r.rows(),
                r.rowsSkipped() > 0 ? " (" + r.rowsSkipped() + " with zero sum skipped)" : "",
                r.model() == null ? "" : "  model: " + r.model());
        out.printf(Locale.ROOT, "  %-10s %10s %16s%n", "role", "all roles", "paper (no sys/prompt)");
        for (Role role : Role.values()) {
            Double p = r.paper().averaged().get(role);
            out.printf(Locale.ROOT, "  %-10s %10s %16s%n", role.key(), pct(r.allRoles().averaged().get(role)),
                    p == null ? "-" : pct(p));
        }
        out.printf(Locale.ROOT, "  per layer (paper convention): %-6s %9s %9s %9s%n", "layer", "image", "reasoning", "answer");
        for (AttentionReport.LayerShares l : r.paper().perLayer()) {
            out.printf(Locale.ROOT, "  %30s %-6d %9s %9s %9s%n", "", l.layer(), pct(l.shares().get(Role.IMAGE)),
                    pct(l.shares().get(Role.REASONING)), pct(l.shares().get(Role.ANSWER)));
        }
        if (!r.topReasoning().isEmpty()) {
            out.println("  top reasoning tokens (share of the query tokens' attention):");
            for (AttentionReport.TokenWeight t : r.topReasoning()) {
                out.printf(Locale.ROOT, "    %8s  %-20s %s%n", pct(t.attention()), "'" + t.token() + "'",
                        t.position() >= 0 ? "position " + t.position() : t.occurrences() + " occurrence(s)");
            }
        }
        if (r.imageMap() != null) {
            out.printf(Locale.ROOT, "  image-token attention, %d x %d (%% of the query tokens' attention):%n",
                    r.imageMap().rows(), r.imageMap().cols());
            for (double[] row : r.imageMap().values()) {
                StringBuilder b = new StringBuilder("   ");
                for (double v : row) {
                    b.append(String.format(Locale.ROOT, " %6.2f", 100 * v));
                }
                out.println(b);
            }
        } else {
            out.println("  no image-token map (no image tokens" + (r.dumps() > 1 ? ", or the dumps' grids differ)" : ")"));
        }
        out.println("  (per head: --json)");
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
