package dev.rali.engine.clip;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The deterministic, character-level parts of {@code ftfy.fix_text} (ftfy 6 defaults) that CLIP's tokenizer runs
 * first: terminal escapes removed, Latin ligatures expanded, full-width forms narrowed (NFKC of U+FF01..U+FFEF,
 * ideographic space to space), curly quotes straightened, control characters removed, NFC. Without these an
 * LLM trace's "image’s" would tokenize differently from the Python reference ("image's").
 *
 * <p>Not replicated: ftfy's mojibake repair ({@code fix_encoding}) and its own HTML-entity pass, both heuristics;
 * the first only matters for text decoded with the wrong charset, the second is covered by CLIP's html.unescape.
 */
final class FtfyLite {
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    private static final Pattern SINGLE_QUOTE = Pattern.compile("[\u02bc\u2018-\u201b]");
    private static final Pattern DOUBLE_QUOTE = Pattern.compile("[\u201c-\u201f]");

    private FtfyLite() { }

    static String fix(String s) {
        if (s.indexOf('\u001b') >= 0) {
            s = TERMINAL_ESCAPE.matcher(s).replaceAll("");
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            String lig = ligature(cp);
            if (lig != null) {
                sb.append(lig);
            } else if (cp == 0x3000) {
                sb.append(' ');
            } else if (cp >= 0xFF01 && cp <= 0xFFEF) {
                sb.append(Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC));
            } else if (!isControl(cp)) {
                sb.appendCodePoint(cp);
            }
        }
        s = SINGLE_QUOTE.matcher(sb).replaceAll("'");
        s = DOUBLE_QUOTE.matcher(s).replaceAll("\"");
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }

    /** ftfy's CONTROL_CHARS: C0 except tab/newline/form feed/carriage return, DEL, deprecated format chars, BOM. */
    private static boolean isControl(int cp) {
        return (cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFC);
    }

    private static String ligature(int cp) {
        return switch (cp) {
            case 0x0132 -> "IJ";
            case 0x0133 -> "ij";
            case 0x0149 -> "\u02bcn";
            case 0x01F1 -> "DZ";
            case 0x01F2 -> "Dz";
            case 0x01F3 -> "dz";
            case 0x01C4 -> "D\u017d";
            case 0x01C5 -> "D\u017e";
            case 0x01C6 -> "d\u017e";
            case 0x01C7 -> "LJ";
            case 0x01C8 -> "Lj";
            case 0x01C9 -> "lj";
            case 0x01CA -> "NJ";
            case 0x01CB -> "Nj";
            case 0x01CC -> "nj";
            case 0xFB00 -> "ff";
            case 0xFB01 -> "fi";
            case 0xFB02 -> "fl";
            case 0xFB03 -> "ffi";
            case 0xFB04 -> "ffl";
            case 0xFB05 -> "\u017ft";
            case 0xFB06 -> "st";
            default -> null;
        };
    }
}
