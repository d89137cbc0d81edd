package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, replicated exactly (CLIP's cleanup runs it twice): HTML5 named references with
 * the longest-prefix rule for names without ';', numeric references with the WHATWG replacements for invalid code
 * points. The tables come from CPython's html module (resource html5-entities.json).
 */
final class HtmlUnescape {
    // same pattern as CPython's html._charref
    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> ENTITIES = new HashMap<>();
    private static final Map<Integer, String> INVALID_CHARREFS = new HashMap<>();
    private static final Set<Integer> INVALID_CODEPOINTS = new HashSet<>();

    static {
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.json")) {
            if (in == null) {
                throw new IOException("resource dev/rali/engine/clip/html5-entities.json is missing");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("entities").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                ENTITIES.put(e.getKey(), e.getValue().asText());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("invalidCharrefs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                INVALID_CHARREFS.put(Integer.parseInt(e.getKey()), e.getValue().asText());
            }
            root.get("invalidCodepoints").forEach(n -> INVALID_CODEPOINTS.add(n.asInt()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HtmlUnescape() { }

    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder sb = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String replace(String s) {
        if (s.charAt(0) == '#') {
            String digits = s.endsWith(";") ? s.substring(0, s.length() - 1) : s;
            BigInteger big = (s.charAt(1) == 'x' || s.charAt(1) == 'X')
                    ? new BigInteger(digits.substring(2), 16) : new BigInteger(digits.substring(1));
            if (big.compareTo(BigInteger.valueOf(0x10FFFF)) > 0) {
                return "\uFFFD";
            }
            int num = big.intValue();
            String inv = INVALID_CHARREFS.get(num);
            if (inv != null) {
                return inv;
            }
            if (num >= 0xD800 && num <= 0xDFFF) {
                return "\uFFFD";
            }
            if (INVALID_CODEPOINTS.contains(num)) {
                return "";
            }
            return new String(Character.toChars(num));
        }
        String v = ENTITIES.get(s);
        if (v != null) {
            return v;
        }
        // longest known prefix (legacy names such as "&ampfoo" or "&lt3")
        for (int x = s.length() - 1; x > 1; x--) {
            String pv = ENTITIES.get(s.substring(0, x));
            if (pv != null) {
                return pv + s.substring(x);
            }
        }
        return "&" + s;
    }
}
