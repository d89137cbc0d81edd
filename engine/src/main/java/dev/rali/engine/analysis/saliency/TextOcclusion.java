package dev.rali.engine.analysis.saliency;

import dev.rali.engine.clip.ClipTokenizer;
import dev.rali.engine.task.TaskContext;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text-side saliency by leave-one-word-out occlusion of the frozen text tower: each word is removed from the text,
 * the rest re-embedded, and the word's saliency is 1 − cos(full embedding, embedding without it).
 *
 * <p>Why occlusion and not gradient × input on the token embeddings: the text tower is frozen and runs as plain
 * inference (no autograd graph is kept), so occlusion needs only forward passes of the exact tower whose output
 * the vision tower is aligned to; its value reads directly as "how far the alignment target moves without this
 * word", while gradient × input is a local linear estimate that saturates inside softmax attention and
 * LayerNorm. Words, not BPE pieces, are the unit because a researcher reads words and because the reasoning model
 * that wrote the trace tokenises differently (a word maps onto any tokenizer's pieces by its character span).
 * Cost: one forward per word inside the context (batched); words after the tower's context cut are never seen and
 * get 0 without a forward.
 */
public final class TextOcclusion {
    private static final Pattern WORD = Pattern.compile("\\S+");
    public static final String METHOD = "leave-one-word-out occlusion of the frozen text tower: 1 - cos(e(text), "
            + "e(text without the word))";

    private TextOcclusion() { }

    /**
     * @param text    the reasoning text
     * @param tok     the tower's tokenizer
     * @param context the tower's context length (BOS and EOT included)
     * @param embed   token-id rows (each {@code context} long) → one embedding per row
     */
    public static TextSaliency words(String text, ClipTokenizer tok, int context, Function<long[][], float[][]> embed,
                                     TaskContext ctx) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        // A word is inside the context when all its BPE pieces fit before EOT (BOS takes one slot, EOT the last).
        int textTokens = tok.encodeIds(text).length;
        boolean[] inContext = new boolean[spans.size()];
        int used = 1;
        for (int i = 0; i < spans.size(); i++) {
            used += tok.tokenIds(text.substring(spans.get(i)[0], spans.get(i)[1])).length;
            inContext[i] = used <= context - 1;
        }
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < spans.size(); i++) {
            if (inContext[i]) {
                todo.add(i);
            }
        }
        float[] full = embed.apply(new long[][] {tok.encode(text, context)})[0];
        double[] saliency = new double[spans.size()];
        int chunk = 32;
        for (int s = 0; s < todo.size(); s += chunk) {
            ctx.checkCancelled();
            List<Integer> part = todo.subList(s, Math.min(todo.size(), s + chunk));
            long[][] ids = new long[part.size()][];
            for (int j = 0; j < part.size(); j++) {
                int[] sp = spans.get(part.get(j));
                ids[j] = tok.encode(text.substring(0, sp[0]) + text.substring(sp[1]), context);
            }
            float[][] e = embed.apply(ids);
            for (int j = 0; j < part.size(); j++) {
                saliency[part.get(j)] = 1 - cosine(full, e[j]);
            }
            ctx.progress("text saliency", s + part.size(), todo.size(), "");
        }
        List<TextSaliency.Word> words = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            int[] sp = spans.get(i);
            words.add(new TextSaliency.Word(i, text.substring(sp[0], sp[1]), sp[0], sp[1], saliency[i], inContext[i]));
        }
        return new TextSaliency(text, METHOD, context, textTokens, List.copyOf(words));
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
