package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.analysis.saliency.ImageSaliency;
import dev.rali.engine.analysis.saliency.SaliencyImage;
import dev.rali.engine.analysis.saliency.SaliencyService;
import dev.rali.engine.analysis.saliency.TextSaliency;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rali analyze saliency}: attention rollout and occlusion attribution of one image's RALI score. */
@Command(name = "saliency", mixinStandardHelpOptions = true,
        description = {"Which pixels drive an image's RALI score, with a model bundle: the CLIP vision tower's attention"
                + " rollout (Abnar & Zuidema 2020) and an occlusion attribution (score minus the score with a window of"
                + " patches set to the mean colour: positive raises the score, negative lowers it).",
        "With --text or --text-file: which words of a reasoning trace the bundle's (frozen) text tower relies on,"
                + " by leave-one-word-out occlusion (1 - cos of the embedding with and without the word);"
                + " docs/ANALYSIS.md says why occlusion."})
final class AnalyzeSaliencyCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "Model bundle (*.rali-model).")
    Path model;

    @Parameters(paramLabel = "IMAGE", arity = "0..1", description = "The image (not with --text/--text-file).")
    Path image;

    @Option(names = "--text", description = "A reasoning text: per-word saliency of its text embedding.")
    String text;

    @Option(names = "--text-file", description = "As --text, read from a UTF-8 file (e.g. one trace's <think> text).")
    Path textFile;

    @Option(names = "--top", defaultValue = "15", description = "Words to list in the text output (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--out", description = "Write a PNG: model input | rollout | attribution (red raises, blue lowers).")
    Path out;

    @Option(names = "--window", defaultValue = "1", description = "Occlusion window in patches (default ${DEFAULT-VALUE}; larger = fewer forwards for big models).")
    int window;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default), gpu or auto.")
    String device;

    @Option(names = "--json", description = "JSON: score, grid, rollout and attribution values.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (text != null || textFile != null) {
            return callText();
        }
        if (image == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give an IMAGE, or --text / --text-file for text saliency");
        }
        ImageSaliency r;
        try (SaliencyService s = SaliencyService.open(model, device)) {
            r = s.explain(image, window, new ConsoleTaskContext(System.err, json));
        }
        if (out != null) {
            SaliencyImage.write(r, out);
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = om.createObjectNode();
            o.put("image", image.toString());
            o.put("score", r.score());
            o.put("grid", r.grid());
            o.put("patch", r.patch());
            grid(o.putArray("rollout"), r.rollout());
            ObjectNode a = o.putObject("attribution");
            a.put("method", "occlusion");
            a.put("window_patches", r.window());
            a.put("meaning", "score minus the score with this window set to the preprocessing mean colour");
            grid(a.putArray("values"), r.occlusion());
            if (out != null) {
                o.put("heatmap", out.toString());
            }
            w.println(om.writeValueAsString(o));
        } else {
            w.printf(Locale.ROOT, "%s: score %.4f (%dx%d patches of %d px)%n", image, r.score(), r.grid(), r.grid(), r.patch());
            w.println("attention rollout (class token, % per patch):");
            print(w, r.rollout(), 100, "%6.2f");
            w.printf(Locale.ROOT, "occlusion attribution (score change, windows of %d patch(es); + raises, - lowers):%n", r.window());
            print(w, r.occlusion(), 1, "%+8.4f");
            if (out != null) {
                w.println("heatmap: " + out);
            }
        }
        w.flush();
        return 0;
    }

    private Integer callText() throws Exception {
        if (image != null || out != null || (text != null && textFile != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--text/--text-file take no IMAGE and no --out, and only one of them");
        }
        String t = text;
        if (textFile != null) {
            try {
                t = java.nio.file.Files.readString(textFile, java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.nio.charset.MalformedInputException e) {
                throw new java.io.IOException(textFile + ": not UTF-8 text");
            }
        }
        TextSaliency r;
        try (SaliencyService s = SaliencyService.open(model, device)) {
            r = s.explainText(t, new ConsoleTaskContext(System.err, json));
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode o = om.createObjectNode();
            ObjectNode ts = o.putObject("text_saliency");
            ts.put("method", r.method());
            ts.put("context_tokens", r.context());
            ts.put("text_tokens", r.textTokens());
            ts.put("truncated", r.truncated());
            ArrayNode words = ts.putArray("words");
            for (TextSaliency.Word x : r.words()) {
                ObjectNode n = words.addObject();
                n.put("index", x.index());
                n.put("word", x.word());
                n.put("start", x.start());
                n.put("end", x.end());
                n.put("saliency", x.saliency());
                n.put("in_context", x.inContext());
            }
            w.println(om.writeValueAsString(o));
        } else {
            w.printf(Locale.ROOT, "text saliency: %d words, %d of %d BPE tokens in the tower's context%s%n",
                    r.words().size(), Math.min(r.textTokens(), r.context()), r.textTokens(),
                    r.truncated() ? " (the tail is cut off and cannot matter)" : "");
            w.println("method: " + r.method());
            w.println("words the embedding relies on most (1 - cos without the word):");
            for (TextSaliency.Word x : r.ranked().subList(0, Math.min(Math.max(0, top), r.words().size()))) {
                w.printf(Locale.ROOT, "  %8.5f  #%-4d %s%n", x.saliency(), x.index(), x.word());
            }
        }
        w.flush();
        return 0;
    }

    private static void grid(ArrayNode a, double[][] m) {
        for (double[] row : m) {
            ArrayNode r = a.addArray();
            for (double v : row) {
                r.add(v);
            }
        }
    }

    private static void print(PrintWriter w, double[][] m, double scale, String fmt) {
        for (double[] row : m) {
            StringBuilder b = new StringBuilder(" ");
            for (double v : row) {
                b.append(' ').append(String.format(Locale.ROOT, fmt, v * scale));
            }
            w.println(b);
        }
    }
}
