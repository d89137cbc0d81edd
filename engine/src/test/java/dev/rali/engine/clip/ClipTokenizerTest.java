package dev.rali.engine.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rali.engine.TestPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    private static final ClipTokenizer TOK = ClipTokenizer.bundled();

    private static List<JsonNode> expected() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        ObjectMapper om = new ObjectMapper();
        for (String line : Files.readAllLines(TestPaths.shared("data/tokenizer/expected_ids.jsonl"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(om.readTree(line));
            }
        }
        return out;
    }

    private static int[] ids(JsonNode n) {
        int[] a = new int[n.get("ids").size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = n.get("ids").get(i).asInt();
        }
        return a;
    }

    /** Every pair produced by OpenAI's simple_tokenizer.py in shared/data/tokenizer/expected_ids.jsonl. */
    @Test
    void reproducesEveryReferencePairOfTheOriginalTokenizer() throws IOException {
        List<JsonNode> all = expected();
        assertEquals(174, all.size());
        List<String> failures = new ArrayList<>();
        for (JsonNode n : all) {
            int[] got = TOK.encodeIds(n.get("text").asText());
            if (!Arrays.equals(ids(n), got)) {
                failures.add(n.get("text").asText() + "\n  expected " + Arrays.toString(ids(n)) + "\n  got      "
                        + Arrays.toString(got));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
    }

    @Test
    void specialIdsAndVocabularySize() {
        assertEquals(49406, TOK.bosId());
        assertEquals(49407, TOK.eotId());
        assertEquals(49408, TOK.vocabSize());
    }

    @Test
    void encodeTruncatesKeepingEndTokenAndPadsWithZeros() throws IOException {
        JsonNode longest = expected().stream().max((a, b) -> a.get("ids").size() - b.get("ids").size()).orElseThrow();
        int[] full = ids(longest);
        assertTrue(full.length > 77, "fixture has a text longer than the context");
        long[] e = TOK.encode(longest.get("text").asText(), 77);
        assertEquals(77, e.length);
        for (int i = 0; i < 76; i++) {
            assertEquals(full[i], e[i]);
        }
        assertEquals(49407, e[76]);

        long[] shortOne = TOK.encode("a photo", 8);
        assertArrayEquals(new long[] {49406, 320, 1125, 49407, 0, 0, 0, 0}, shortOne);
        assertThrows(IllegalArgumentException.class, () -> TOK.encode("x", 1));
    }

    @Test
    void cleanupMatchesPythonHtmlUnescapeTwiceWhitespaceAndLowerCase() {
        // expected strings printed by CPython 3 with html.unescape(html.unescape(t)), re.sub(r'\s+',' '), strip, lower
        assertEquals("a & b", ClipTokenizer.clean("A &amp;amp; B"));
        assertEquals("<3 &foo \u00acit; \u2209", ClipTokenizer.clean("&lt3 &ampfoo &notit; &notin;"));
        assertEquals("ab\ufffd\u20ac\ufffd\ufffd", ClipTokenizer.clean("&#x41;&#66;&#0;&#128;&#xD800;&#1114112;&#11;"));
        assertEquals("tab here nbsp em", ClipTokenizer.clean("  Tab\there\u00a0nbsp\u2003em  "));
        assertEquals("&&amp; &nosuchentity; \ud83d\ude00", ClipTokenizer.clean("&AMP;&Amp; &nosuchentity; &#x1F600;"));
        assertEquals("\u03c3\u03b1\u03c2 \u00e9cole", ClipTokenizer.clean("\u03a3\u0391\u03a3 \u00c9COLE"));
    }

    /** ftfy.fix_text's character fixes (uncurl_quotes, fix_latin_ligatures, fix_character_width, control chars). */
    @Test
    void ftfyCharacterFixesRunBeforeTokenizing() {
        assertArrayEquals(TOK.encodeIds("The image's colours"), TOK.encodeIds("The image\u2019s colours"));
        assertArrayEquals(TOK.encodeIds("\"quoted\" 'x'"), TOK.encodeIds("\u201cquoted\u201d \u2018x\u2019"));
        assertArrayEquals(TOK.encodeIds("fine flow"), TOK.encodeIds("\ufb01ne \ufb02ow"));
        assertArrayEquals(TOK.encodeIds("abc1 !"), TOK.encodeIds("\uff21\uff22\uff23\uff11\u3000\uff01"));
        assertArrayEquals(TOK.encodeIds("red text"), TOK.encodeIds("\u001b[31mred\u001b[0m te\u0000xt\ufeff"));
        assertEquals("image's", ClipTokenizer.clean("Image\u2019s"));
    }

    @Test
    void decodeInvertsEncodeForCleanText() {
        assertEquals("a blurry photo of a cat .", TOK.decode(TOK.encode("A blurry photo of a cat.", 77)));
        assertEquals(List.of("a</w>", "photo</w>"), TOK.tokens("A photo"));
    }

    @Test
    void huggingFaceFilesGiveTheSameIds(@TempDir Path dir) throws IOException {
        // write a vocab.json + merges.txt from the bundled vocabulary, as HF's CLIPTokenizer ships them
        ObjectMapper om = new ObjectMapper();
        var vocab = om.createObjectNode();
        List<String> merges = new ArrayList<>();
        merges.add("#version: 0.2");
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
                Files.newInputStream(TestPaths.shared("data/tokenizer/bpe_simple_vocab_16e6.txt.gz"))), StandardCharsets.UTF_8))) {
            r.readLine();
            for (int i = 0; i < ClipTokenizer.CLIP_MERGES; i++) {
                merges.add(r.readLine());
            }
        }
        for (int id = 0; id < TOK.vocabSize(); id++) {
            vocab.put(TOK.decodeSymbol(id), id);
        }
        Files.writeString(dir.resolve("vocab.json"), om.writeValueAsString(vocab));
        Files.write(dir.resolve("merges.txt"), merges);
        ClipTokenizer hf = ClipTokenizer.forModelDir(dir);
        assertTrue(hf.source().contains("vocab.json"));
        // and tokenizer.json with [a, b] merge pairs
        var tj = om.createObjectNode();
        var model = tj.putObject("model");
        model.put("type", "BPE");
        model.set("vocab", vocab);
        var arr = model.putArray("merges");
        merges.stream().skip(1).forEach(m -> arr.addArray().add(m.split(" ")[0]).add(m.split(" ")[1]));
        Path d2 = Files.createDirectory(dir.resolve("fast"));
        Files.writeString(d2.resolve("tokenizer.json"), om.writeValueAsString(tj));
        ClipTokenizer fast = ClipTokenizer.forModelDir(d2);
        for (JsonNode n : expected()) {
            String t = n.get("text").asText();
            assertArrayEquals(ids(n), hf.encodeIds(t), t);
            assertArrayEquals(ids(n), fast.encodeIds(t), t);
        }
    }

    @Test
    void folderWithoutTokenizerFilesFallsBackToBundled(@TempDir Path dir) throws IOException {
        assertEquals("bundled CLIP BPE", ClipTokenizer.forModelDir(dir).source());
        assertEquals("bundled CLIP BPE", ClipTokenizer.forModelDir(null).source());
    }

    @Test
    void malformedTokenizerJsonNamesTheFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {");
        IOException e = assertThrows(IOException.class, () -> ClipTokenizer.forModelDir(dir));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\"}}");
        e = assertThrows(IOException.class, () -> ClipTokenizer.forModelDir(dir));
        assertTrue(e.getMessage().contains("no BPE model"), e.getMessage());
    }
}
