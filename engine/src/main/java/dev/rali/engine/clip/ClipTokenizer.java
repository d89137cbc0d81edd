package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CLIP's byte-level BPE tokenizer, reproducing OpenAI's {@code simple_tokenizer.py} (and so Hugging Face's
 * CLIPTokenizer ids): cleanup (ftfy's character-level fixes, {@code html.unescape} twice, whitespace collapse, lower-case),
 * CLIP's split regex, bytes mapped through GPT-2's byte-to-unicode table, BPE with {@code </w>} on a word's last
 * symbol. {@link #encode(String, int)} frames the ids as {@code <|startoftext|> ... <|endoftext|>}, truncates to the
 * context length keeping the end token last (as {@code clip.tokenize(truncate=True)}) and pads with 0.
 *
 * <p>Thread-safe; BPE results are cached per word.
 */
public final class ClipTokenizer {
    /** CLIP's context length. */
    public static final int CONTEXT_LENGTH = 77;
    static final String SOT = "<|startoftext|>";
    static final String EOT = "<|endoftext|>";
    /** Merges used by CLIP: 49152 - 256 - 2 (the vocabulary is 49,408). */
    static final int CLIP_MERGES = 49152 - 256 - 2;

    private static final Pattern SPLIT = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    // Python's \s / str.isspace(): Unicode White_Space plus the separators U+001C..U+001F
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\x1c-\\x1f]+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final int CACHE_LIMIT = 200_000;
    private static final char[] BYTE_ENCODER = bytesToUnicode();

    private static volatile ClipTokenizer bundled;

    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final Map<String, Integer> ranks;
    private final int bos;
    private final int eot;
    private final String source;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> encoder, Map<String, Integer> ranks, String source) {
        this.encoder = encoder;
        this.ranks = ranks;
        this.source = source;
        Integer b = encoder.get(SOT), e = encoder.get(EOT);
        if (b == null || e == null) {
            throw new IllegalArgumentException(source + ": vocabulary lacks " + SOT + " or " + EOT);
        }
        this.bos = b;
        this.eot = e;
        int max = encoder.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        decoder = new String[max + 1];
        encoder.forEach((k, v) -> decoder[v] = k);
    }

    /**
     * The tokenizer of a model folder: {@code tokenizer.json}, else {@code vocab.json} + {@code merges.txt}, else
     * (also for {@code null}) the bundled original CLIP BPE.
     *
     * @throws IOException naming the file if a tokenizer file is present but unreadable or malformed
     */
    public static ClipTokenizer forModelDir(Path dirOrNull) throws IOException {
        if (dirOrNull != null) {
            Path tj = dirOrNull.resolve("tokenizer.json");
            Path vj = dirOrNull.resolve("vocab.json");
            Path mt = dirOrNull.resolve("merges.txt");
            if (Files.isRegularFile(tj)) {
                return fromTokenizerJson(tj);
            }
            if (Files.isRegularFile(vj) && Files.isRegularFile(mt)) {
                return fromVocabAndMerges(vj, mt);
            }
        }
        return bundled();
    }

    /** The original CLIP vocabulary, built from the bundled {@code bpe_simple_vocab_16e6.txt.gz} like simple_tokenizer. */
    public static ClipTokenizer bundled() {
        ClipTokenizer t = bundled;
        if (t == null) {
            synchronized (ClipTokenizer.class) {
                if (bundled == null) {
                    bundled = loadBundled();
                }
                t = bundled;
            }
        }
        return t;
    }

    private static ClipTokenizer loadBundled() {
        String res = "bpe_simple_vocab_16e6.txt.gz";
        try (InputStream raw = ClipTokenizer.class.getResourceAsStream(res)) {
            if (raw == null) {
                throw new IllegalStateException("resource dev/rali/engine/clip/" + res + " is missing");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            r.readLine(); // "#version" header
            List<String[]> merges = new ArrayList<>(CLIP_MERGES);
            String line;
            while (merges.size() < CLIP_MERGES && (line = r.readLine()) != null) {
                merges.add(line.split(" "));
            }
            // vocab order of simple_tokenizer: bytes, bytes + </w>, merged symbols, then the two specials
            Map<String, Integer> enc = new HashMap<>(70_000);
            List<String> vocab = new ArrayList<>(49_408);
            for (int b : byteOrder()) {
                vocab.add(String.valueOf(BYTE_ENCODER[b]));
            }
            for (int b : byteOrder()) {
                vocab.add(BYTE_ENCODER[b] + "</w>");
            }
            Map<String, Integer> ranks = new HashMap<>(70_000);
            for (int i = 0; i < merges.size(); i++) {
                String[] m = merges.get(i);
                vocab.add(m[0] + m[1]);
                ranks.put(m[0] + " " + m[1], i);
            }
            vocab.add(SOT);
            vocab.add(EOT);
            for (int i = 0; i < vocab.size(); i++) {
                enc.put(vocab.get(i), i);
            }
            return new ClipTokenizer(enc, ranks, "bundled CLIP BPE");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled CLIP BPE: " + e.getMessage(), e);
        }
    }

    /** Hugging Face {@code vocab.json} + {@code merges.txt}. */
    public static ClipTokenizer fromVocabAndMerges(Path vocabJson, Path mergesTxt) throws IOException {
        Map<String, Integer> enc = readVocab(new ObjectMapper().readTree(readText(vocabJson)), vocabJson);
        Map<String, Integer> ranks = new HashMap<>();
        List<String> lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
        int rank = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if ((i == 0 && l.startsWith("#version")) || l.isBlank()) {
                continue;
            }
            String[] p = l.split(" ");
            if (p.length != 2) {
                throw new IOException(mergesTxt + ": line " + (i + 1) + ": expected two symbols, got '" + l + "'");
            }
            ranks.putIfAbsent(p[0] + " " + p[1], rank++);
        }
        return new ClipTokenizer(enc, ranks, vocabJson.getParent() + " (vocab.json + merges.txt)");
    }

    /** Hugging Face fast-tokenizer {@code tokenizer.json} (BPE model; merges as "a b" strings or [a, b] pairs). */
    public static ClipTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(readText(tokenizerJson));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(tokenizerJson + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode model = root.path("model");
        if (!model.path("vocab").isObject() || !model.path("merges").isArray()) {
            throw new IOException(tokenizerJson + ": no BPE model (model.vocab / model.merges missing)");
        }
        Map<String, Integer> enc = readVocab(model.get("vocab"), tokenizerJson);
        for (JsonNode added : root.path("added_tokens")) {
            enc.putIfAbsent(added.path("content").asText(), added.path("id").asInt());
        }
        Map<String, Integer> ranks = new HashMap<>();
        int rank = 0;
        for (JsonNode m : model.get("merges")) {
            String key;
            if (m.isArray() && m.size() == 2) {
                key = m.get(0).asText() + " " + m.get(1).asText();
            } else if (m.isTextual() && m.asText().split(" ").length == 2) {
                key = m.asText();
            } else {
                throw new IOException(tokenizerJson + ": merge " + rank + " is malformed: " + m);
            }
            ranks.putIfAbsent(key, rank++);
        }
        return new ClipTokenizer(enc, ranks, tokenizerJson.toString());
    }

    private static String readText(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static Map<String, Integer> readVocab(JsonNode vocab, Path file) throws IOException {
        if (vocab == null || !vocab.isObject()) {
            throw new IOException(file + ": vocabulary is not a JSON object of token -> id");
        }
        Map<String, Integer> enc = new HashMap<>(vocab.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()) {
                throw new IOException(file + ": id of token '" + e.getKey() + "' is not an integer");
            }
            enc.put(e.getKey(), e.getValue().asInt());
        }
        return enc;
    }

    /** Id of {@code <|startoftext|>} (49406 in CLIP). */
    public int bosId() {
        return bos;
    }

    /** Id of {@code <|endoftext|>} (49407 in CLIP). */
    public int eotId() {
        return eot;
    }

    /** Number of ids (largest id + 1). */
    public int vocabSize() {
        return decoder.length;
    }

    /** Where the vocabulary came from (for logs). */
    public String source() {
        return source;
    }

    /**
     * Ids for a CLIP text tower: BOS, tokens, EOT; truncated to {@code contextLength} with EOT kept as the last id;
     * the rest zero.
     */
    public long[] encode(String text, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be at least 2, got " + contextLength);
        }
        int[] ids = encodeIds(text);
        long[] out = new long[contextLength];
        int n = Math.min(ids.length, contextLength);
        for (int i = 0; i < n; i++) {
            out[i] = ids[i];
        }
        if (ids.length > contextLength) {
            out[contextLength - 1] = eot;
        }
        return out;
    }

    /** {@link #encode(String, int)} for many texts. */
    public long[][] encodeBatch(List<String> texts, int contextLength) {
        long[][] out = new long[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(texts.get(i), contextLength);
        }
        return out;
    }

    /** BOS + token ids + EOT, untruncated (what simple_tokenizer's encode gives, framed). */
    public int[] encodeIds(String text) {
        int[] toks = tokenIds(text);
        int[] ids = new int[toks.length + 2];
        ids[0] = bos;
        System.arraycopy(toks, 0, ids, 1, toks.length);
        ids[ids.length - 1] = eot;
        return ids;
    }

    /** Token ids without BOS/EOT (simple_tokenizer's {@code encode}). */
    public int[] tokenIds(String text) {
        String cleaned = clean(text);
        Matcher m = SPLIT.matcher(cleaned);
        int[] buf = new int[Math.max(16, cleaned.length() + 2)];
        int n = 0;
        while (m.find()) {
            for (int id : bpeIds(m.group())) {
                if (n == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, n * 2);
                }
                buf[n++] = id;
            }
        }
        return java.util.Arrays.copyOf(buf, n);
    }

    /** The BPE symbols of a text (for display), e.g. "photo</w>". */
    public List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (int id : tokenIds(text)) {
            out.add(decoder[id]);
        }
        return out;
    }

    /** The vocabulary symbol of an id (e.g. "photo</w>"), or null if unused. */
    public String decodeSymbol(int id) {
        return id >= 0 && id < decoder.length ? decoder[id] : null;
    }

    /** Text of ids (specials and padding 0 after EOT dropped), as simple_tokenizer's decode. */
    public String decode(long[] ids) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int[] byteDecoder = new int[512];
        java.util.Arrays.fill(byteDecoder, -1);
        for (int b = 0; b < 256; b++) {
            byteDecoder[BYTE_ENCODER[b]] = b;
        }
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            if (id == eot) {
                break;
            }
            if (id == bos || id < 0 || id >= decoder.length || decoder[(int) id] == null) {
                continue;
            }
            sb.append(decoder[(int) id]);
        }
        String joined = sb.toString().replace("</w>", " ");
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c == ' ') {
                bytes.write(' ');
            } else if (c < byteDecoder.length && byteDecoder[c] >= 0) {
                bytes.write(byteDecoder[c]);
            }
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8).strip();
    }

    /**
     * CLIP's text cleanup: the character-level part of ftfy.fix_text ({@link FtfyLite}: quotes, ligatures,
     * full-width forms, control characters, NFC), html.unescape twice, whitespace runs to one space, strip,
     * lower-case.
     */
    public static String clean(String text) {
        String s = FtfyLite.fix(text);
        s = HtmlUnescape.unescape(HtmlUnescape.unescape(s));
        s = WHITESPACE.matcher(s).replaceAll(" ");
        s = stripSpaces(s);
        return s.toLowerCase(Locale.ROOT);
    }

    private static String stripSpaces(String s) {
        int a = 0, b = s.length();
        while (a < b && s.charAt(a) == ' ') {
            a++;
        }
        while (b > a && s.charAt(b - 1) == ' ') {
            b--;
        }
        return s.substring(a, b);
    }

    private int[] bpeIds(String token) {
        int[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        int[] ids;
        if (token.equals(SOT) || token.equals(EOT)) {
            ids = new int[] {token.equals(SOT) ? bos : eot}; // simple_tokenizer pre-seeds its cache with these
        } else {
            byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
            StringBuilder mapped = new StringBuilder(utf8.length);
            for (byte b : utf8) {
                mapped.append(BYTE_ENCODER[b & 0xff]);
            }
            List<String> word = bpe(mapped.toString());
            ids = new int[word.size()];
            for (int i = 0; i < ids.length; i++) {
                Integer id = encoder.get(word.get(i));
                if (id == null) {
                    throw new IllegalStateException(source + ": BPE symbol '" + word.get(i) + "' is not in the vocabulary");
                }
                ids[i] = id;
            }
        }
        if (cache.size() > CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(token, ids);
        return ids;
    }

    /** simple_tokenizer.bpe: repeatedly merge the lowest-ranked adjacent pair, all its occurrences left to right. */
    private List<String> bpe(String token) {
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + "</w>");
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String first = null, second = null;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
                if (r != null && r < bestRank) {
                    bestRank = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) {
                break;
            }
            List<String> merged = new ArrayList<>(word.size());
            int i = 0;
            while (i < word.size()) {
                if (i < word.size() - 1 && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        return word;
    }

    /** GPT-2/CLIP bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 upwards. */
    private static char[] bytesToUnicode() {
        char[] map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = printable(b) ? (char) b : (char) (256 + n++);
        }
        return map;
    }

    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** Byte order of bytes_to_unicode's values: printable ranges first, then the remaining bytes ascending. */
    private static int[] byteOrder() {
        int[] order = new int[256];
        int k = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                order[k++] = b;
            }
        }
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                order[k++] = b;
            }
        }
        return order;
    }
}
