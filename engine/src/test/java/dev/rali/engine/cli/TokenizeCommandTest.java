package dev.rali.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {
    private final CliRun cli = new CliRun();


    @Test
    void printsIdsPerText() {
        assertEquals(0, cli.run("tokenize", "A photo", "<|startoftext|>"));
        assertEquals("49406 320 1125 49407\n49406 49406 49407\n", cli.out().replace("\r", ""));
    }

    @Test
    void truncatesToContextLengthAndReportsIt() {
        assertEquals(0, cli.run("tokenize", "--context-length", "4", "a b c d e"));
        assertEquals("49406 320 321 49407\n", cli.out().replace("\r", ""));
        assertTrue(cli.err().contains("truncated to 4"), cli.err());
    }

    @Test
    void jsonWithPaddingAndTokens() throws Exception {
        assertEquals(0, cli.run("tokenize", "--json", "--pad", "--context-length", "6", "A photo"));
        JsonNode j = new ObjectMapper().readTree(cli.out());
        assertEquals("[49406,320,1125,49407,0,0]", j.get("ids").toString());
        assertEquals("[\"<|startoftext|>\",\"a</w>\",\"photo</w>\",\"<|endoftext|>\"]", j.get("tokens").toString());
        assertEquals(4, j.get("length").asInt());
    }

    @Test
    void badContextLengthIsAnError() {
        assertEquals(1, cli.run("tokenize", "--context-length", "1", "x"));
        assertTrue(cli.err().contains("--context-length must be at least 2"), cli.err());
    }
}
