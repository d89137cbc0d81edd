package dev.rali.engine.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses Q-Insight-style outputs {@code <think>…</think><answer>…</answer>} (paper Stage A: the reasoning T is the
 * text between the think tags). The rating is read from the answer in this order:
 * <ol>
 *   <li>JSON: {@code {"rating": 3.5}}, {@code [{"bbox_2d": [...], "rating": 3.5}]} (first element with a rating),
 *       a bare JSON number, also inside a {@code ```json} fence; keys rating, score, quality_score, quality;</li>
 *   <li>a {@code "rating": 3.5}-like key/value found by pattern (malformed JSON);</li>
 *   <li>the only number in the answer ("3.75", "Rating 4").</li>
 * </ol>
 * Several numbers without a rating key are ambiguous: NO_SCORE, never a guess. Text with neither tag is taken as
 * plain reasoning (status NO_ANSWER, usable as reasoning). Tags are matched case-insensitively, tolerating spaces
 * inside the brackets ({@code < think >}, as the paper prints them). Thread-safe.
 */
public final class TraceParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern THINK_OPEN = Pattern.compile("<\\s*think\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern THINK_CLOSE = Pattern.compile("<\\s*/\\s*think\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ANSWER_OPEN = Pattern.compile("<\\s*answer\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern ANSWER_CLOSE = Pattern.compile("<\\s*/\\s*answer\\s*>", Pattern.CASE_INSENSITIVE);
    private static final Pattern KEYED = Pattern.compile(
            "[\"']?(?:rating|score|quality_score)[\"']?\\s*[:=]\\s*[\"']?([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?![\\w])");
    private static final String[] KEYS = {"rating", "score", "quality_score", "quality"};

    private final double minScore;
    private final double maxScore;

    /** A parser for Q-Insight's scale [1, 5]. */
    public TraceParser() {
        this(1.0, 5.0);
    }

    public TraceParser(double minScore, double maxScore) {
        if (!(minScore < maxScore)) {
            throw new IllegalArgumentException("score range [" + minScore + ", " + maxScore + "] is empty");
        }
        this.minScore = minScore;
        this.maxScore = maxScore;
    }

    public ParsedTrace parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return new ParsedTrace(null, null, null, ParseStatus.EMPTY);
        }
        String think = null;
        boolean unclosed = false;
        Matcher to = THINK_OPEN.matcher(raw);
        boolean hasThinkTag = to.find();
        int afterThink = 0;
        if (hasThinkTag) {
            Matcher tc = THINK_CLOSE.matcher(raw);
            if (tc.find(to.end())) {
                think = raw.substring(to.end(), tc.start()).strip();
                afterThink = tc.end();
            } else {
                think = raw.substring(to.end()).strip();
                unclosed = true;
                afterThink = raw.length();
            }
        }
        String answer = null;
        Matcher ao = ANSWER_OPEN.matcher(raw);
        boolean hasAnswerTag = ao.find(afterThink) || ao.find(0);
        if (hasAnswerTag) {
            Matcher ac = ANSWER_CLOSE.matcher(raw);
            // A missing </answer> (cut off after the number) still yields the rest of the text as answer.
            answer = ac.find(ao.end()) ? raw.substring(ao.end(), ac.start()).strip() : raw.substring(ao.end()).strip();
        }
        if (!hasThinkTag && !hasAnswerTag) {
            // Plain reasoning text (e.g. imported descriptions): usable as reasoning, no rating.
            return new ParsedTrace(raw.strip(), null, null, ParseStatus.NO_ANSWER);
        }
        if (unclosed) {
            return new ParsedTrace(think, answer, null, ParseStatus.UNCLOSED_THINK);
        }
        Double score = answer == null ? null : readScore(answer);
        if (!hasThinkTag) {
            return new ParsedTrace(null, answer, score, ParseStatus.NO_THINK);
        }
        if (answer == null) {
            return new ParsedTrace(think, null, null, ParseStatus.NO_ANSWER);
        }
        if (score == null) {
            return new ParsedTrace(think, answer, null, ParseStatus.NO_SCORE);
        }
        if (score < minScore || score > maxScore) {
            return new ParsedTrace(think, answer, score, ParseStatus.SCORE_OUT_OF_RANGE);
        }
        return new ParsedTrace(think, answer, score, ParseStatus.OK);
    }

    /** The rating in an answer, or null when there is none or it is ambiguous. */
    public static Double readScore(String answer) {
        String a = answer.strip();
        if (a.startsWith("```")) {
            a = a.replaceAll("^```[a-zA-Z]*\\s*", "").replaceAll("\\s*```\\s*$", "");
        }
        Double fromJson = fromJson(a);
        if (fromJson != null) {
            return finite(fromJson);
        }
        Matcher k = KEYED.matcher(a);
        if (k.find()) {
            return finite(Double.parseDouble(k.group(1)));
        }
        List<Double> numbers = new ArrayList<>();
        Matcher n = NUMBER.matcher(a);
        while (n.find()) {
            numbers.add(Double.parseDouble(n.group()));
        }
        return numbers.size() == 1 ? finite(numbers.get(0)) : null;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Double fromJson(String a) {
        if (a.isEmpty()) {
            return null;
        }
        char c = a.charAt(0);
        if (c != '{' && c != '[' && c != '-' && c != '+' && !Character.isDigit(c) && c != '.') {
            return null;
        }
        JsonNode node;
        try {
            node = JSON.readTree(a.startsWith("+") ? a.substring(1) : a);
        } catch (Exception e) {
            return null;
        }
        return fromNode(node);
    }

    private static Double fromNode(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            try {
                return Double.parseDouble(node.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        if (node.isObject()) {
            for (String key : KEYS) {
                var it = node.fields();
                while (it.hasNext()) {
                    var e = it.next();
                    if (e.getKey().toLowerCase(Locale.ROOT).equals(key)) {
                        Double v = fromNode(e.getValue());
                        if (v != null) {
                            return v;
                        }
                    }
                }
            }
            return null;
        }
        if (node.isArray()) {
            for (JsonNode el : node) {
                if (el.isObject()) {
                    Double v = fromNode(el);
                    if (v != null) {
                        return v;
                    }
                }
            }
            return node.size() == 1 ? fromNode(node.get(0)) : null;
        }
        return null;
    }
}
