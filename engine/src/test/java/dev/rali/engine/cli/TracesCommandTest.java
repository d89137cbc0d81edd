package dev.rali.engine.cli;

import dev.rali.engine.project.ProjectStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracesCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();


    private Path project() throws Exception {
        Path p = dir.resolve("p.rali");
        try (ProjectStore store = ProjectStore.open(p); var s = store.connection().createStatement()) {
            s.execute("INSERT INTO datasets(id, name, layout) VALUES (1, 'koniq', 'folder')");
            s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split) VALUES (1, 1, '/d/a.jpg', 'a.jpg', 'h1', 'train')");
            s.execute("INSERT INTO images(id, dataset_id, path, name, content_hash, split) VALUES (2, 1, '/d/b.jpg', 'b.jpg', 'h2', 'test')");
        }
        return p;
    }

    @Test
    void importListAndStats() throws Exception {
        Path p = project();
        Path f = dir.resolve("t.jsonl");
        Files.writeString(f, "{\"image\":\"a.jpg\",\"seed\":0,\"text\":\"<think>sharp</think><answer>{\\\"rating\\\":4}</answer>\"}\n"
                + "{\"image\":\"a.jpg\",\"seed\":1,\"text\":\"<think>x</think><answer>none</answer>\"}\n"
                + "{\"image\":\"zzz.jpg\",\"seed\":0,\"text\":\"x\"}\n");
        assertEquals(0, cli.runClean("traces", "import", "--project", p.toString(), "--source", "qi", "--quiet", f.toString()), cli.err());
        assertTrue(cli.out().contains("imported 2 traces"), cli.out());
        assertTrue(cli.err().contains("t.jsonl:3"), cli.err());

        assertEquals(0, cli.runClean("traces", "list", "--project", p.toString(), "--status", "no_score"));
        String[] lines = cli.out().strip().split("\n");
        assertEquals(2, lines.length, cli.out());
        assertTrue(lines[1].contains("a.jpg\tqi\t1\tno_score"), lines[1]);

        assertEquals(0, cli.runClean("traces", "stats", "--project", p.toString()));
        String s = cli.out();
        assertTrue(s.contains("traces: 2"), s);
        assertTrue(s.matches("(?s).*ok\\s+1.*"), s);
        assertTrue(s.matches("(?s).*\\b2 -> 1.*"), s); // image a has 2 traces
        assertTrue(s.matches("(?s).*\\b0 -> 1.*"), s); // image b has none
    }

    @Test
    void statsCountsTheReasoningTextsTheTextTowerCuts() throws Exception {
        Path p = project();
        String longThink = "the image is slightly blurry and noisy. ".repeat(20); // ~160 tokens, past CLIP's 77
        Path f = dir.resolve("long.jsonl");
        Files.writeString(f, "{\"image\":\"a.jpg\",\"seed\":0,\"text\":\"<think>sharp</think><answer>{\\\"rating\\\":4}</answer>\"}\n"
                + "{\"image\":\"a.jpg\",\"seed\":1,\"text\":\"<think>" + longThink
                + "</think><answer>{\\\"rating\\\":2}</answer>\"}\n"
                + "{\"image\":\"b.jpg\",\"seed\":0,\"text\":\"<think>a clean photo</think><answer>{\\\"rating\\\":5}</answer>\"}\n");
        assertEquals(0, cli.runClean("traces", "import", "--project", p.toString(), "--source", "qi", "--quiet",
                f.toString()), cli.err());
        assertEquals(0, cli.runClean("traces", "stats", "--project", p.toString()));
        assertTrue(cli.out().contains("reasoning texts cut by the text tower at 77 tokens: 1 of 3 (33.3 %)"),
                cli.out());
        // without a base encoder, CLIP's 77 positions are the limit: a longer --text-context is capped, not honoured
        assertEquals(0, cli.runClean("traces", "stats", "--project", p.toString(), "--text-context", "500"));
        assertTrue(cli.out().contains("reasoning texts cut by the text tower at 77 tokens: 1 of 3 (33.3 %)"),
                cli.out());
    }

    @Test
    void errorsNameTheProblem() throws Exception {
        assertEquals(1, cli.runClean("traces", "stats", "--project", dir.resolve("nope.rali").toString()));
        assertTrue(cli.err().contains("nope.rali: no such project file"), cli.err());
        Path p = project();
        assertEquals(1, cli.runClean("traces", "list", "--project", p.toString(), "--status", "weird"));
        assertTrue(cli.err().contains("unknown parse status 'weird'"), cli.err());
        assertEquals(1, cli.runClean("traces", "generate", "--project", p.toString(), "--dataset", "none",
                "--base-url", "http://127.0.0.1:9", "--model", "m"));
        assertTrue(cli.err().contains("no images in dataset 'none'"), cli.err());
    }

    @Test
    void generateTalksToTheServerWithTheGivenPromptAndResumes() throws Exception {
        Path p = project();
        Files.write(dir.resolve("a.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1});
        try (ProjectStore store = ProjectStore.open(p); var s = store.connection().createStatement()) {
            s.execute("UPDATE images SET path = '" + dir.resolve("a.jpg") + "' WHERE id = 1");
        }
        java.util.List<String> prompts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ex.getRequestBody());
            prompts.add(body.path("messages").path(0).path("content").path(1).path("text").asText());
            byte[] out = "{\"choices\":[{\"message\":{\"content\":\"<think>ok</think><answer>3</answer>\"}}]}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try {
            Path prompt = dir.resolve("prompt.txt");
            Files.writeString(prompt, "Describe the quality.\n");
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            String[] args = {"traces", "generate", "--project", p.toString(), "--dataset", "koniq", "--split", "train",
                    "--base-url", url, "--model", "qi", "--seeds", "2", "--prompt", prompt.toString(),
                    "--no-system-prompt", "--quiet"};
            assertEquals(0, cli.runClean(args), cli.err());
            assertTrue(cli.out().contains("2 generated, 0 already stored, 0 failed"), cli.out());
            assertEquals(java.util.List.of("Describe the quality.", "Describe the quality."), prompts);
            assertEquals(0, cli.runClean(args), cli.err());
            assertTrue(cli.out().contains("0 generated, 2 already stored"), cli.out());
            // several servers (here the same fake under two names): seeds 2, 3 spread, a line per server
            String other = "http://localhost:" + server.getAddress().getPort();
            String[] two = {"traces", "generate", "--project", p.toString(), "--dataset", "koniq", "--split", "train",
                    "--base-url", url, "--base-url", other, "--model", "qi", "--seeds", "4", "--concurrency", "1",
                    "--prompt", prompt.toString(), "--no-system-prompt", "--quiet"};
            assertEquals(0, cli.runClean(two), cli.err());
            assertTrue(cli.out().contains("2 generated, 2 already stored, 0 failed"), cli.out());
            assertTrue(cli.out().contains("  " + url + "/v1/chat/completions: "), cli.out());
            assertTrue(cli.out().contains("  " + other + "/v1/chat/completions: "), cli.out());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void timeoutAndDeadlineReadCommonDurationsAndRejectNonsense() throws Exception {
        assertEquals(java.time.Duration.ofSeconds(90), TracesCommand.Generate.positiveDuration("--deadline", "90s"));
        assertEquals(java.time.Duration.ofSeconds(45), TracesCommand.Generate.positiveDuration("--deadline", "45"));
        assertEquals(java.time.Duration.ofMinutes(30), TracesCommand.Generate.positiveDuration("--deadline", "30m"));
        assertEquals(java.time.Duration.ofHours(2), TracesCommand.Generate.positiveDuration("--deadline", "2h"));
        assertEquals(java.time.Duration.ofHours(1), TracesCommand.Generate.positiveDuration("--deadline", "PT1H"));
        Path p = project();
        assertEquals(1, cli.runClean("traces", "generate", "--project", p.toString(), "--dataset", "koniq",
                "--base-url", "http://127.0.0.1:9", "--model", "m", "--timeout", "0"));
        assertTrue(cli.err().contains("--timeout must be positive"), cli.err());
        assertEquals(1, cli.runClean("traces", "generate", "--project", p.toString(), "--dataset", "koniq",
                "--base-url", "http://127.0.0.1:9", "--model", "m", "--deadline", "soon"));
        assertTrue(cli.err().contains("--deadline: cannot read 'soon' as a duration"), cli.err());
    }
}
