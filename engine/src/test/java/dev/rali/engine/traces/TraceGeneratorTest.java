package dev.rali.engine.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.TaskContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceGeneratorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> callsPerKey = new ConcurrentHashMap<>();

    /** A fake model: fails the first {@code failures} calls per (image, seed) with the given status, then answers. */
    private URI startServer(int failures, int failStatus) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody());
            requests.add(body);
            String url = body.path("messages").path(1).path("content").path(0).path("image_url").path("url").asText();
            long seed = body.path("seed").asLong();
            String key = url.hashCode() + "/" + seed;
            int n = callsPerKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            byte[] out;
            int status;
            if (n <= failures) {
                status = failStatus;
                out = "{\"error\": \"busy\"}".getBytes(StandardCharsets.UTF_8);
                if (failStatus == 429) {
                    ex.getResponseHeaders().add("Retry-After", "0");
                }
            } else {
                status = 200;
                String text = "<think>seed " + seed + " looks fine</think><answer>{\"rating\": " + (1 + seed % 4) + ".5}</answer>";
                out = JSON.writeValueAsBytes(Map.of("choices", List.of(Map.of("message",
                        Map.of("role", "assistant", "content", text)))));
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        fleet.forEach(f -> f.http.stop(0));
    }

    /** One of several fake model servers: what it answers, how many requests it has in flight at most. */
    private static final class Fake {
        HttpServer http;
        URI url;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger answers = new AtomicInteger();
    }

    private final List<Fake> fleet = Collections.synchronizedList(new ArrayList<>());
    /** Answers (HTTP 200 with a trace) per (image, seed) over every fake server of the test. */
    private final Map<String, AtomicInteger> answersPerKey = new ConcurrentHashMap<>();

    /**
     * A fake server that answers after {@code delayMs} with {@code usage.completion_tokens} 10, or fails every call
     * with {@code failStatus} when it is not 200; {@code concurrentBusy} tracks the requests in flight over all fakes.
     */
    private Fake fake(int failStatus, long delayMs, AtomicInteger concurrentBusy, AtomicInteger maxBusy) throws IOException {
        Fake f = new Fake();
        f.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        f.http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        f.http.createContext("/v1/chat/completions", ex -> {
            int now = f.inFlight.incrementAndGet();
            f.maxInFlight.accumulateAndGet(now, Math::max);
            maxBusy.accumulateAndGet(concurrentBusy.incrementAndGet(), Math::max);
            f.calls.incrementAndGet();
            try {
                JsonNode body = JSON.readTree(ex.getRequestBody());
                String url = body.path("messages").path(1).path("content").path(0).path("image_url").path("url").asText();
                long seed = body.path("seed").asLong();
                Thread.sleep(delayMs);
                byte[] out;
                int status = failStatus;
                if (failStatus == 200) {
                    answersPerKey.computeIfAbsent(url.hashCode() + "/" + seed, k -> new AtomicInteger()).incrementAndGet();
                    f.answers.incrementAndGet();
                    String text = "<think>seed " + seed + " is fine</think><answer>{\"rating\": 3.5}</answer>";
                    out = JSON.writeValueAsBytes(Map.of("choices", List.of(Map.of("message",
                            Map.of("role", "assistant", "content", text))), "usage", Map.of("completion_tokens", 10)));
                } else {
                    out = "{\"error\": \"overloaded\"}".getBytes(StandardCharsets.UTF_8);
                }
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, out.length);
                ex.getResponseBody().write(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                f.inFlight.decrementAndGet();
                concurrentBusy.decrementAndGet();
                ex.close();
            }
        });
        f.http.start();
        f.url = URI.create("http://127.0.0.1:" + f.http.getAddress().getPort());
        fleet.add(f);
        return f;
    }

    /** Eight images (JPEG headers only: the fakes never decode them). */
    private List<TraceGenerator.Target> manyImages(ProjectStore store) throws Exception {
        long ds = TestProjects.dataset(store, "koniq");
        for (int i = 0; i < 8; i++) {
            String n = "img" + i + ".jpg";
            Files.write(dir.resolve(n), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) i});
            TestProjects.image(store, ds, n, dir.resolve(n), "train");
        }
        return TraceGenerator.targets(store, "koniq", null);
    }

    @Test
    void requestsAreSpreadOverServersWithinEachServersConcurrencyLimitAndReportedPerServer() throws Exception {
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger maxBusy = new AtomicInteger();
        Fake a = fake(200, 40, busy, maxBusy);
        Fake b = fake(200, 40, busy, maxBusy);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = manyImages(store);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(a.url, "m").withBaseUrls(List.of(a.url, b.url))
                    .withSeeds(3).withConcurrency(2).withRetries(2, Duration.ofMillis(5));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(24, r.generated(), r.failures().toString());
            assertTrue(a.maxInFlight.get() <= 2 && b.maxInFlight.get() <= 2,
                    "per-server limit: " + a.maxInFlight + ", " + b.maxInFlight);
            assertTrue(maxBusy.get() > 2, "both servers worked at once: at most " + maxBusy + " in flight");
            assertTrue(a.answers.get() >= 6 && b.answers.get() >= 6, "spread: " + a.answers + " / " + b.answers);
            assertEquals(24, a.answers.get() + b.answers.get());
            assertEquals(List.of(URI.create(a.url + "/v1/chat/completions"), URI.create(b.url + "/v1/chat/completions")),
                    r.servers().stream().map(TraceGenerator.ServerStats::endpoint).toList());
            TraceGenerator.ServerStats sa = r.servers().get(0);
            assertEquals(a.answers.get(), sa.answered());
            assertEquals(10L * sa.answered(), sa.completionTokens());
            assertEquals(0, sa.failedAttempts());
            assertTrue(sa.requestsPerSecond() > 0);
            assertEquals(10 * sa.requestsPerSecond(), sa.tokensPerSecond(), 1e-9);
            assertTrue(sa.describe().contains(a.answers.get() + " answers"), sa.describe());
        }
    }

    @Test
    void aFailedRequestIsRetriedAtOnceOnAnotherServerAndTheFailuresAreCountedForTheServerThatFailed() throws Exception {
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger maxBusy = new AtomicInteger();
        Fake broken = fake(503, 0, busy, maxBusy);
        Fake good = fake(200, 5, busy, maxBusy);
        URI dead;
        try (java.net.ServerSocket gone = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            dead = URI.create("http://127.0.0.1:" + gone.getLocalPort());
        } // nothing listens there any more: connection refused
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = manyImages(store);
            // A 30 s backoff would show: moving to another server does not wait.
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(broken.url, "m")
                    .withBaseUrls(List.of(broken.url, dead, good.url)).withSeeds(2).withConcurrency(2)
                    .withRetries(3, Duration.ofSeconds(30));
            long t0 = System.nanoTime();
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "no backoff while another server is untried");
            assertEquals(16, r.generated(), r.failures().toString());
            assertEquals(0, r.failed());
            assertEquals(16, good.answers.get());
            assertTrue(broken.calls.get() > 0, "the broken server was tried");
            assertEquals(broken.calls.get(), r.servers().get(0).failedAttempts());
            assertEquals(0, r.servers().get(0).answered());
            assertTrue(r.servers().get(1).failedAttempts() > 0, "the dead server was tried: " + r.servers());
            assertEquals(16, r.servers().get(2).answered());
        }
    }

    @Test
    void aRunResumedOnOtherServersAsksOnlyForTheMissingPairsAndStoresEachOnce() throws Exception {
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger maxBusy = new AtomicInteger();
        Fake first = fake(200, 0, busy, maxBusy);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = manyImages(store);
            // The first run gets through half the images, then its server is gone.
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(first.url, "m").withSeeds(2)
                    .withRetries(0, Duration.ofMillis(1));
            assertEquals(8, new TraceGenerator(cfg).generate(store, targets.subList(0, 4), TaskContext.silent())
                    .generated());
            first.http.stop(0);
            TraceGenerator.Report failed = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(8, failed.skipped());
            assertEquals(8, failed.failed());

            Fake b = fake(200, 5, busy, maxBusy);
            Fake c = fake(200, 5, busy, maxBusy);
            TraceGenerator.Report resumed = new TraceGenerator(cfg.withBaseUrls(List.of(first.url, b.url, c.url))
                    .withRetries(2, Duration.ofMillis(1))).generate(store, targets, TaskContext.silent());
            assertEquals(8, resumed.skipped());
            assertEquals(8, resumed.generated(), resumed.failures().toString());
            assertEquals(8, b.answers.get() + c.answers.get(), "only the missing pairs are asked for");
            assertEquals(16, answersPerKey.size());
            assertTrue(answersPerKey.values().stream().allMatch(n -> n.get() == 1), "no pair generated twice");
            assertEquals(16L, TraceStore.countsByStatus(store, "koniq").get(ParseStatus.OK));
        }
    }

    @Test
    void theSameServerTwiceIsRefused() {
        URI u = URI.create("http://127.0.0.1:9");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () ->
                TraceGenerator.Config.defaults(u, "m").withBaseUrls(List.of(u, URI.create("http://127.0.0.1:9/v1/"))));
        assertTrue(e.getMessage().contains("the same server is given twice"), e.getMessage());
    }

    private List<TraceGenerator.Target> images(ProjectStore store) throws Exception {
        long ds = TestProjects.dataset(store, "koniq");
        byte[] jpeg = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3};
        for (String n : List.of("a.jpg", "b.jpg")) {
            Files.write(dir.resolve(n), n.equals("a.jpg") ? jpeg : new byte[] {(byte) 0xFF, (byte) 0xD8, 9});
            TestProjects.image(store, ds, n, dir.resolve(n), "train");
        }
        return TraceGenerator.targets(store, "koniq", null);
    }

    @Test
    void retriesServerErrorsThenStoresEveryTraceWithQInsightSampling() throws Exception {
        URI base = startServer(2, 503);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "q-insight-7b").withSeeds(3)
                    .withConcurrency(3).withRetries(3, Duration.ofMillis(5));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(6, r.generated(), r.failures().toString());
            assertEquals(0, r.failed());
            assertEquals(18, requests.size()); // 6 jobs x (2 failures + 1 success)
            JsonNode req = requests.get(0);
            assertEquals("q-insight-7b", req.path("model").asText());
            assertEquals(1.0, req.path("temperature").asDouble());
            assertEquals(0.95, req.path("top_p").asDouble());
            assertEquals(50, req.path("top_k").asInt());
            assertEquals(1024, req.path("max_tokens").asInt());
            assertEquals("system", req.path("messages").path(0).path("role").asText());
            assertTrue(req.path("messages").path(0).path("content").asText().contains("<think>"));
            JsonNode content = req.path("messages").path(1).path("content");
            assertTrue(content.path(0).path("image_url").path("url").asText().startsWith("data:image/jpeg;base64,"));
            assertTrue(content.path(1).path("text").asText().startsWith("What is your overall rating on the quality"));
            Map<ParseStatus, Long> counts = TraceStore.countsByStatus(store, "koniq");
            assertEquals(6L, counts.get(ParseStatus.OK));
            List<TraceStore.TraceRow> rows = TraceStore.forImage(store, targets.get(0).imageId());
            assertEquals(List.of(0L, 1L, 2L), rows.stream().map(TraceStore.TraceRow::seed).toList());
            assertEquals("q-insight-7b", rows.get(0).source());
            assertEquals(2.5, rows.get(1).score());
        }
    }

    @Test
    void resumedRunSkipsStoredPairs() throws Exception {
        URI base = startServer(1, 429);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store);
            // as if a killed run had stored (a, seed 0) and (b, seed 1)
            TraceStore.upsert(store, new TraceStore.NewTrace(targets.get(0).imageId(), "m", 0, "<think>old</think><answer>3</answer>"), new TraceParser());
            TraceStore.upsert(store, new TraceStore.NewTrace(targets.get(1).imageId(), "m", 1, "<think>old</think><answer>3</answer>"), new TraceParser());
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(2)
                    .withRetries(2, Duration.ofMillis(1));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(2, r.skipped());
            assertEquals(2, r.generated());
            assertEquals(4, requests.size()); // 2 missing pairs x (one 429 + one success)
            assertEquals("old", TraceStore.forImage(store, targets.get(0).imageId()).get(0).think());
            TraceGenerator.Report again = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(4, again.skipped());
            assertEquals(0, again.generated());
        }
    }

    @Test
    void clientErrorsFailWithoutRetryAndStoreNothing() throws Exception {
        URI base = startServer(100, 400);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(1)
                    .withRetries(4, Duration.ofMillis(1));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(2, r.failed());
            assertEquals(2, requests.size());
            assertTrue(r.failures().get(0).contains("HTTP 400"), r.failures().get(0));
            assertEquals(0, TraceStore.list(store, TraceStore.Query.all()).size());
        }
    }

    @Test
    void droppedConnectionsAreRetriedThenReported() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            calls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            ex.close(); // no response: the client sees an I/O error
        });
        server.start();
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store).subList(0, 1);
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(1)
                    .withRetries(2, Duration.ofMillis(1)).withRequestTimeout(Duration.ofSeconds(10));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(1, r.failed());
            assertEquals(3, calls.get());
            assertTrue(r.failures().get(0).contains("gave up after 3 attempts"), r.failures().get(0));
        }
    }

    @Test
    void reasoningContentFromAReasoningParserIsPutBackIntoTheTrace() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] out = JSON.writeValueAsBytes(Map.of("choices", List.of(Map.of("message", Map.of(
                    "content", "<answer>{\"rating\": 3.1}</answer>", "reasoning_content", "Mild blur on the left.")))));
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store).subList(0, 1);
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
            TraceGenerator.Report r = new TraceGenerator(TraceGenerator.Config.defaults(base, "m").withSeeds(1))
                    .generate(store, targets, TaskContext.silent());
            assertEquals(1, r.generated());
            TraceStore.TraceRow row = TraceStore.forImage(store, targets.get(0).imageId()).get(0);
            assertEquals(ParseStatus.OK, row.status());
            assertEquals("Mild blur on the left.", row.think());
            assertEquals(3.1, row.score());
        }
    }

    /** A server that answers each call with the next of {@code replies} (JSON content text, or null), repeating the last. */
    private URI scriptedServer(List<String> replies, long delayMs, AtomicInteger calls) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/v1/chat/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            int n = calls.getAndIncrement();
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Map<String, Object> message = new java.util.HashMap<>();
            message.put("role", "assistant");
            message.put("content", replies.get(Math.min(n, replies.size() - 1)));
            byte[] out = JSON.writeValueAsBytes(Map.of("choices", List.of(Map.of("message", message))));
            try {
                ex.sendResponseHeaders(200, out.length);
                ex.getResponseBody().write(out);
            } catch (IOException clientGone) {
                // the client timed out and closed the connection
            }
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void emptyOrNullContentIsRetriedNotStoredAsAnEmptyTrace() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> replies = new ArrayList<>(java.util.Arrays.asList(null, "  ",
                "<think>sharp</think><answer>{\"rating\": 4.0}</answer>"));
        URI base = scriptedServer(replies, 0, calls);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store).subList(0, 1);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(1)
                    .withRetries(3, Duration.ofMillis(1));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(1, r.generated(), r.failures().toString());
            assertEquals(3, calls.get()); // null, blank, then the answer
            TraceStore.TraceRow row = TraceStore.forImage(store, targets.get(0).imageId()).get(0);
            assertEquals(ParseStatus.OK, row.status());
            assertEquals(4.0, row.score());
        }
    }

    @Test
    void aServerThatKeepsAnsweringNothingFailsNamingItAndARerunAsksAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<String> replies = new ArrayList<>();
        replies.add(null);
        URI base = scriptedServer(replies, 0, calls);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store).subList(0, 1);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(1)
                    .withRetries(2, Duration.ofMillis(1));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(1, r.failed());
            assertEquals(3, calls.get());
            String f = r.failures().get(0);
            assertTrue(f.contains("empty reply from " + base + "/v1/chat/completions"), f);
            assertTrue(f.contains("gave up after 3 attempts"), f);
            assertEquals(0, TraceStore.list(store, TraceStore.Query.all()).size()); // no "empty" trace stored
            replies.set(0, "<think>ok</think><answer>3</answer>");
            TraceGenerator.Report again = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertEquals(0, again.skipped()); // the failed pair is asked for again
            assertEquals(1, again.generated());
        }
    }

    @Test
    void aSlowServerTimesOutPerRequestAndTheFailureNamesIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI base = scriptedServer(List.of("<think>late</think><answer>3</answer>"), 3_000, calls);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store).subList(0, 1);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(1)
                    .withRetries(1, Duration.ofMillis(1)).withRequestTimeout(Duration.ofMillis(200));
            long t0 = System.nanoTime();
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, r.failed());
            assertEquals(2, calls.get());
            assertTrue(ms < 2_500, "two 200 ms timeouts took " + ms + " ms");
            String f = r.failures().get(0);
            assertTrue(f.contains("no answer from " + base + "/v1/chat/completions within 0.2 s"), f);
        }
    }

    @Test
    void theOverallDeadlineStopsStartingRequestsAndCountsWhatWasLeft() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI base = scriptedServer(List.of("<think>ok</think><answer>3</answer>"), 300, calls);
        try (ProjectStore store = ProjectStore.open(dir.resolve("p.rali"))) {
            List<TraceGenerator.Target> targets = images(store);
            TraceGenerator.Config cfg = TraceGenerator.Config.defaults(base, "m").withSeeds(4).withConcurrency(1)
                    .withRetries(0, Duration.ofMillis(1)).withDeadline(Duration.ofMillis(1000));
            TraceGenerator.Report r = new TraceGenerator(cfg).generate(store, targets, TaskContext.silent());
            assertTrue(r.notStarted() > 0, "nothing was left: " + r);
            assertEquals(8, r.generated() + r.failed() + r.notStarted(), r.toString());
            assertEquals(r.generated(), TraceStore.list(store, TraceStore.Query.all()).size());
            TraceGenerator.Report rest = new TraceGenerator(cfg.withDeadline(null)).generate(store, targets,
                    TaskContext.silent());
            assertEquals(r.generated(), rest.skipped());
            assertEquals(8, rest.skipped() + rest.generated(), rest.toString());
            assertEquals(0, rest.notStarted());
        }
    }
}
