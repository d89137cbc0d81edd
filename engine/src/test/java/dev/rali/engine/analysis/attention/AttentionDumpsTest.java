package dev.rali.engine.analysis.attention;

import dev.rali.engine.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionDumpsTest {
    @TempDir
    Path dir;

    @Test
    void writeThenReadGivesTheSameDump() throws IOException {
        AttentionDump d = Dumps.withImage();
        Path f = dir.resolve("d1");
        AttentionDumps.write(f, d);
        AttentionDump back = AttentionDumps.read(f);
        assertEquals(d.tokens(), back.tokens());
        assertEquals(d.roles(), back.roles());
        assertArrayEquals(d.queryPositions(), back.queryPositions());
        assertArrayEquals(d.layers(), back.layers());
        assertArrayEquals(d.attn(), back.attn());
        assertEquals(2, back.imageRows());
        assertEquals(2, back.heads());
        assertEquals("synthetic (rule: test)", back.model());
        assertEquals(f, back.folder());
    }

    @Test
    void layersDefaultToAllAndFindWalksFolders() throws IOException {
        AttentionDumps.write(dir.resolve("set/a"), Dumps.withImage());
        AttentionDumps.write(dir.resolve("set/b"), Dumps.withoutImage());
        Path meta = dir.resolve("set/b/meta.json");
        Files.writeString(meta, Files.readString(meta).replaceAll("\"layers\"\\s*:\\s*\\[\\s*5\\s*]", "\"x\": 0"));
        assertArrayEquals(new int[] {0}, AttentionDumps.read(dir.resolve("set/b")).layers());
        assertEquals(List.of(dir.resolve("set/a"), dir.resolve("set/b")), AttentionDumps.find(List.of(dir.resolve("set"))));
        IOException e = assertThrows(IOException.class, () -> AttentionDumps.find(List.of(dir.resolve("nothing"))));
        assertTrue(e.getMessage().contains("nothing"), e.getMessage());
    }

    private Path written(String name) throws IOException {
        Path f = dir.resolve(name);
        AttentionDumps.write(f, Dumps.withImage());
        return f;
    }

    private static String failure(Path folder) {
        return assertThrows(IOException.class, () -> AttentionDumps.read(folder)).getMessage();
    }

    @Test
    void rolesOfAnotherLengthThanTokensNameTheMetaFile() throws IOException {
        Path f = written("roles");
        Path meta = f.resolve("meta.json");
        Files.writeString(meta, Files.readString(meta).replace("\"answer\"", "\"answer\", \"answer\""));
        String msg = failure(f);
        assertTrue(msg.startsWith(meta.toString()), msg);
        assertTrue(msg.contains("'roles' has 10 entries but 'tokens' has 9"), msg);
    }

    @Test
    void keyAxisOfAnotherLengthThanTokensNamesTheTensorFile() throws IOException {
        Path f = written("keys");
        new Safetensors.Writer().putFloats("attn", new float[2 * 10], 1, 2, 1, 10).write(f.resolve("attention.safetensors"));
        String msg = failure(f);
        assertTrue(msg.startsWith(f.resolve("attention.safetensors").toString()), msg);
        assertTrue(msg.contains("key axis") && msg.contains("10 positions") && msg.contains("9 tokens"), msg);
    }

    @Test
    void missingTensorFileIsNamed() throws IOException {
        Path f = written("missing");
        Files.delete(f.resolve("attention.safetensors"));
        String msg = failure(f);
        assertTrue(msg.contains(f.resolve("attention.safetensors").toString()) && msg.contains("missing"), msg);
    }

    @Test
    void nanValuesAreNamedWithTheirIndex() throws IOException {
        Path f = written("nan");
        float[] a = Dumps.withImage().attn().clone();
        a[9 + 3] = Float.NaN; // head 1, query 0, key 3
        new Safetensors.Writer().putFloats("attn", a, 1, 2, 1, 9).write(f.resolve("attention.safetensors"));
        String msg = failure(f);
        assertTrue(msg.startsWith(f.resolve("attention.safetensors").toString()), msg);
        assertTrue(msg.contains("attn[layer 5, head 1, query 0, key 3] = NaN"), msg);
    }

    @Test
    void imageGridMustFitTheImageTokensAndQueriesTheTokens() throws IOException {
        Path f = written("grid");
        Path meta = f.resolve("meta.json");
        String ok = Files.readString(meta);
        Files.writeString(meta, ok.replaceAll("\"image_grid\"\\s*:\\s*\\[\\s*2\\s*,\\s*2\\s*]", "\"image_grid\": [2, 3]"));
        assertTrue(failure(f).contains("'image_grid' [2, 3] does not fit the 4 tokens with role 'image'"));
        Files.writeString(meta, ok.replaceAll("\"query_positions\"\\s*:\\s*\\[\\s*8\\s*]", "\"query_positions\": [9]"));
        assertTrue(failure(f).contains("query position 9 is outside the 9 tokens"));
        Files.writeString(meta, ok.replace("\"reasoning\"", "\"thinking\""));
        assertTrue(failure(f).contains("roles[6] is 'thinking'"));
    }
}
