package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = RaliCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void printsIdsPerText() {
        assertEquals(0, run("tokenize", "A photo", "<|startoftext|>"));
        assertEquals("49406 320 1125 49407\n49406 49406 49407\n", out.toString().replace("\r", ""));
    }

    @Test
    void truncatesToContextLengthAndReportsIt() {
        assertEquals(0, run("tokenize", "--context-length", "4", "a b c d e"));
        assertEquals("49406 320 321 49407\n", out.toString().replace("\r", ""));
        assertTrue(err.toString().contains("truncated to 4"), err.toString());
    }

    @Test
    void jsonWithPaddingAndTokens() throws Exception {
        assertEquals(0, run("tokenize", "--json", "--pad", "--context-length", "6", "A photo"));
        JsonNode j = new ObjectMapper().readTree(out.toString());
        assertEquals("[49406,320,1125,49407,0,0]", j.get("ids").toString());
        assertEquals("[\"<|startoftext|>\",\"a</w>\",\"photo</w>\",\"<|endoftext|>\"]", j.get("tokens").toString());
        assertEquals(4, j.get("length").asInt());
    }

    @Test
    void badContextLengthIsAnError() {
        assertEquals(1, run("tokenize", "--context-length", "1", "x"));
        assertTrue(err.toString().contains("--context-length must be at least 2"), err.toString());
    }
}
