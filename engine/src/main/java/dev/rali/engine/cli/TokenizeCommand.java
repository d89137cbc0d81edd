package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.clip.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code rali tokenize}: CLIP token ids of texts, to check what the text tower sees (and where 77 tokens end). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Print CLIP BPE token ids (BOS ... EOT, truncated to the context length, zero-padded with --pad).")
public final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "texts to tokenize (quote each)")
    List<String> texts;

    @Option(names = "--context-length", paramLabel = "N", defaultValue = "77",
            description = "context length (default ${DEFAULT-VALUE})")
    int contextLength;

    @Option(names = "--model", paramLabel = "DIR",
            description = "model folder with tokenizer.json or vocab.json + merges.txt (default: bundled CLIP BPE)")
    Path model;

    @Option(names = "--pad", description = "print the zero padding too")
    boolean pad;

    @Option(names = "--json", description = "JSON lines: {text, ids, tokens, length, truncated}")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (contextLength < 2) {
            throw new IllegalArgumentException("--context-length must be at least 2, got " + contextLength);
        }
        ClipTokenizer tok = ClipTokenizer.forModelDir(model);
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper om = new ObjectMapper();
        for (String text : texts) {
            int fullLength = tok.encodeIds(text).length;
            long[] ids = tok.encode(text, contextLength);
            int used = Math.min(fullLength, contextLength);
            int shown = pad ? ids.length : used;
            boolean truncated = fullLength > contextLength;
            if (json) {
                ObjectNode o = om.createObjectNode();
                o.put("text", text);
                ArrayNode a = o.putArray("ids");
                for (int i = 0; i < shown; i++) {
                    a.add(ids[i]);
                }
                ArrayNode t = o.putArray("tokens");
                for (int i = 0; i < used; i++) {
                    t.add(tok.decodeSymbol((int) ids[i]));
                }
                o.put("length", fullLength);
                o.put("truncated", truncated);
                out.println(om.writeValueAsString(o));
            } else {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < shown; i++) {
                    sb.append(i == 0 ? "" : " ").append(ids[i]);
                }
                out.println(sb);
                if (truncated) {
                    spec.commandLine().getErr().println("note: text has " + fullLength + " tokens, truncated to "
                            + contextLength + " (end token kept)");
                }
            }
        }
        out.flush();
        return 0;
    }
}
