package dev.rali.engine.traces;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rali.engine.project.ProjectStore;
import dev.rali.engine.task.CancelledException;
import dev.rali.engine.task.TaskContext;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stage A: asks a running OpenAI-compatible chat server (vLLM, SGLang, llama.cpp server… serving Q-Insight) for
 * reasoning traces, several seeds per image ("seed augmentation"). One request per (image, seed):
 * {@code POST {base}/v1/chat/completions} with the system prompt, then a user message holding the image as a base64
 * data URL and the scoring prompt (paper Table A.4); sampling temperature 1.0, top-p 0.95, top-k 50, at most 1024
 * new tokens (Q-Insight's demo decoding) and the seed. Each answer is stored as soon as it arrives, keyed
 * (image, source, seed), and keys already stored are skipped, so a killed run continues where it stopped.
 * 429, 5xx and I/O errors are retried with exponential backoff (honouring Retry-After); other 4xx fail at once.
 * With several servers ({@link Config#baseUrls}), each has {@code concurrency} request slots, a request takes the
 * server with the most free ones, and a failed attempt moves at once to a server that has not failed it yet (backing
 * off only when all have); {@link Report#servers()} says what each server did.
 */
public final class TraceGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An image to describe. */
    public record Target(long imageId, String name, Path path) { }

    /**
     * Generation settings. baseUrls = one or more servers (vLLM replicas, a gateway) serving the same model;
     * concurrency = requests in flight per server; source = the name traces are stored under (default: the model
     * name); seeds are seedBase, seedBase+1, …, seedBase+seeds-1.
     */
    public record Config(List<URI> baseUrls, String model, String source, int seeds, long seedBase, int concurrency,
                         String systemPrompt, String userPrompt, double temperature, double topP, int topK,
                         int maxTokens, int maxRetries, Duration initialBackoff, Duration requestTimeout, String apiKey,
                         Duration deadline) {
        public Config {
            if (baseUrls == null || baseUrls.isEmpty() || baseUrls.stream().anyMatch(java.util.Objects::isNull) || model == null || model.isBlank()) {
                throw new IllegalArgumentException("base URL and model name are required");
            }
            baseUrls = List.copyOf(baseUrls);
            if (new java.util.HashSet<>(baseUrls.stream().map(u -> endpoint(u)).toList()).size() != baseUrls.size()) {
                throw new IllegalArgumentException("the same server is given twice: " + baseUrls);
            }
            if (seeds < 1 || concurrency < 1 || maxTokens < 1 || maxRetries < 0) {
                throw new IllegalArgumentException("seeds, concurrency and max tokens must be >= 1, retries >= 0");
            }
            if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("the request timeout must be positive");
            }
            if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
                throw new IllegalArgumentException("the deadline must be positive");
            }
            if (source == null || source.isBlank()) {
                source = model;
            }
        }

        /** The per-request timeout unless set: a 1024-token answer from a 7B model takes well under a minute. */
        public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);

        /**
         * Q-Insight's defaults: 5 seeds, temperature 1.0, top-p 0.95, top-k 50, 1024 tokens, TA.4 prompts; 120 s per
         * request, no overall deadline.
         */
        public static Config defaults(URI baseUrl, String model) {
            return new Config(List.of(baseUrl), model, model, 5, 0, 4, defaultSystemPrompt(), defaultScorePrompt(), 1.0, 0.95, 50,
                    1024, 5, Duration.ofSeconds(1), DEFAULT_REQUEST_TIMEOUT, null, null);
        }

        public Config withSeeds(int n) {
            return new Config(baseUrls, model, source, n, seedBase, concurrency, systemPrompt, userPrompt, temperature,
                    topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, deadline);
        }

        public Config withConcurrency(int n) {
            return new Config(baseUrls, model, source, seeds, seedBase, n, systemPrompt, userPrompt, temperature,
                    topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, deadline);
        }

        public Config withSource(String s) {
            return new Config(baseUrls, model, s, seeds, seedBase, concurrency, systemPrompt, userPrompt, temperature,
                    topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, deadline);
        }

        public Config withPrompts(String system, String user) {
            return new Config(baseUrls, model, source, seeds, seedBase, concurrency, system, user, temperature,
                    topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, deadline);
        }

        public Config withRetries(int retries, Duration backoff) {
            return new Config(baseUrls, model, source, seeds, seedBase, concurrency, systemPrompt, userPrompt,
                    temperature, topP, topK, maxTokens, retries, backoff, requestTimeout, apiKey, deadline);
        }

        public Config withRequestTimeout(Duration timeout) {
            return new Config(baseUrls, model, source, seeds, seedBase, concurrency, systemPrompt, userPrompt,
                    temperature, topP, topK, maxTokens, maxRetries, initialBackoff, timeout, apiKey, deadline);
        }

        public Config withSeedBase(long base) {
            return new Config(baseUrls, model, source, seeds, base, concurrency, systemPrompt, userPrompt,
                    temperature, topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, deadline);
        }

        /** Stops starting requests (and cuts waits and timeouts) once {@code total} has passed; null = none. */
        public Config withDeadline(Duration total) {
            return new Config(baseUrls, model, source, seeds, seedBase, concurrency, systemPrompt, userPrompt,
                    temperature, topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, total);
        }

        /** Requests spread over these servers instead (each with {@code concurrency} requests in flight). */
        public Config withBaseUrls(List<URI> urls) {
            return new Config(urls, model, source, seeds, seedBase, concurrency, systemPrompt, userPrompt,
                    temperature, topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, apiKey, deadline);
        }

        /** The first server. */
        public URI baseUrl() {
            return baseUrls.get(0);
        }

        /** The first server's chat-completions endpoint. */
        public URI endpoint() {
            return endpoint(baseUrls.get(0));
        }

        /** Every server's chat-completions endpoint, in the order given. */
        public List<URI> endpoints() {
            return baseUrls.stream().map(Config::endpoint).toList();
        }

        /** The chat-completions endpoint: {@code {base}/v1/chat/completions} (a trailing /v1 in base is allowed). */
        static URI endpoint(URI baseUrl) {
            String base = baseUrl.toString().replaceAll("/+$", "");
            if (base.endsWith("/v1")) {
                base = base.substring(0, base.length() - 3);
            }
            return URI.create(base + "/v1/chat/completions");
        }

        public Config withApiKey(String key) {
            return new Config(baseUrls, model, source, seeds, seedBase, concurrency, systemPrompt, userPrompt,
                    temperature, topP, topK, maxTokens, maxRetries, initialBackoff, requestTimeout, key, deadline);
        }
    }

    /**
     * What a generation did. failures: one line per (image, seed) that failed, naming the server; notStarted: pairs
     * left untouched because the overall deadline passed (a re-run does them); servers: what each server did;
     * seconds: the run's wall time.
     */
    public record Report(int requested, int skipped, int generated, List<String> failures,
                         Map<ParseStatus, Integer> statuses, int notStarted, List<ServerStats> servers, double seconds) {
        public int failed() {
            return failures.size();
        }
    }

    /**
     * One server's share: HTTP attempts sent, answers stored, failed attempts (each retried elsewhere or given up),
     * completion tokens (the answers' {@code usage.completion_tokens}, 0 when the server does not report it), over
     * the run's wall time.
     */
    public record ServerStats(URI endpoint, int attempts, int answered, int failedAttempts, long completionTokens,
                              double seconds) {
        public double requestsPerSecond() {
            return seconds > 0 ? answered / seconds : 0;
        }

        public double tokensPerSecond() {
            return seconds > 0 ? completionTokens / seconds : 0;
        }

        /** "http://a:8000/v1/chat/completions: 120 answers (0.80 req/s, 410 tok/s), 3 failed attempts". */
        public String describe() {
            return String.format(Locale.ROOT, "%s: %d answers (%.2f req/s, %.0f tok/s), %d failed attempt%s", endpoint,
                    answered, requestsPerSecond(), tokensPerSecond(), failedAttempts, failedAttempts == 1 ? "" : "s");
        }
    }

    /**
     * A server and its free request slots. Requests pick the server with the most free slots (fewest failures on a
     * tie), avoiding the servers that already failed them; a request waits only when every server is full.
     */
    private static final class Server {
        final URI endpoint;
        int free;
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong tokens = new java.util.concurrent.atomic.AtomicLong();

        Server(URI endpoint, int slots) {
            this.endpoint = endpoint;
            this.free = slots;
        }
    }

    private final List<Server> servers = new ArrayList<>();

    /**
     * Takes a free slot on a server not in {@code avoid} (the ones that failed this request; all of them when that
     * is every server); waits while those are full rather than go back to one that failed.
     */
    private Server acquire(Set<Server> avoid, TaskContext ctx) throws InterruptedException {
        synchronized (servers) {
            while (true) {
                Server best = null;
                for (Server s : servers) {
                    if (s.free > 0 && (!avoid.contains(s) || avoid.size() >= servers.size())
                            && (best == null || better(s, best, avoid))) {
                        best = s;
                    }
                }
                if (best != null) {
                    best.free--;
                    return best;
                }
                if (ctx.isCancelled()) {
                    throw new CancelledException();
                }
                servers.wait(200);
            }
        }
    }

    private static boolean better(Server a, Server b, Set<Server> avoid) {
        boolean aOk = !avoid.contains(a);
        if (aOk != !avoid.contains(b)) {
            return aOk;
        }
        if (a.free != b.free) {
            return a.free > b.free;
        }
        return a.failed.get() < b.failed.get();
    }

    private void release(Server s) {
        synchronized (servers) {
            s.free++;
            servers.notifyAll();
        }
    }

    /** Q-Insight's system prompt (paper Table A.4). */
    public static String defaultSystemPrompt() {
        return resource("q-insight-system.txt");
    }

    /** Q-Insight's score-regression prompt (paper Table A.4). */
    public static String defaultScorePrompt() {
        return resource("q-insight-score.txt");
    }

    private static String resource(String name) {
        try (InputStream in = TraceGenerator.class.getResourceAsStream("prompts/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource prompts/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Config config;
    private final HttpClient http;
    private final TraceParser parser;

    public TraceGenerator(Config config) {
        this.config = config;
        for (URI e : config.endpoints()) {
            servers.add(new Server(e, config.concurrency()));
        }
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
        this.parser = new TraceParser();
    }

    /** Images of a dataset (or of the project when null) with their stored paths; excluded images are left out. */
    public static List<Target> targets(ProjectStore store, String dataset, String split) throws IOException {
        String sql = "SELECT i.id, i.name, i.path FROM images i JOIN datasets d ON d.id = i.dataset_id"
                + " WHERE i.excluded IS NULL"
                + (dataset == null ? "" : " AND d.name = ?") + (split == null ? "" : " AND i.split = ?")
                + " ORDER BY i.id";
        try (var ps = store.connection().prepareStatement(sql)) {
            int k = 1;
            if (dataset != null) {
                ps.setString(k++, dataset);
            }
            if (split != null) {
                ps.setString(k, split);
            }
            List<Target> out = new ArrayList<>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Target(rs.getLong(1), rs.getString(2), Path.of(rs.getString(3))));
                }
            }
            if (out.isEmpty()) {
                throw new IOException(store.file() + ": no images" + (dataset == null ? "" : " in dataset '" + dataset + "'")
                        + (split == null ? "" : " (split " + split + ")"));
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IOException(store.file() + ": " + e.getMessage(), e);
        }
    }

    public Report generate(ProjectStore store, List<Target> targets, TaskContext ctx) throws IOException {
        Set<TraceStore.Key> have = TraceStore.keys(store, config.source());
        record Job(Target target, long seed) { }
        List<Job> jobs = new ArrayList<>();
        int skipped = 0;
        for (Target t : targets) {
            for (int s = 0; s < config.seeds(); s++) {
                long seed = config.seedBase() + s;
                if (have.contains(new TraceStore.Key(t.imageId(), config.source(), seed))) {
                    skipped++;
                } else {
                    jobs.add(new Job(t, seed));
                }
            }
        }
        if (skipped > 0) {
            ctx.log("traces: " + skipped + " (image, seed) pairs already stored for source '" + config.source() + "'; skipped");
        }
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<ParseStatus, Integer> statuses = Collections.synchronizedMap(new EnumMap<>(ParseStatus.class));
        AtomicInteger done = new AtomicInteger();
        AtomicInteger generated = new AtomicInteger();
        AtomicInteger notStarted = new AtomicInteger();
        long started = System.nanoTime();
        long deadline = config.deadline() == null ? Long.MAX_VALUE : started + config.deadline().toNanos();
        // One thread per request slot of every server: a slot freed on any server is used at once.
        int slots = config.concurrency() * servers.size();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(slots, Math.max(1, jobs.size())), r -> {
            Thread th = new Thread(r, "rali-traces");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    if (ctx.isCancelled()) {
                        return null;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        notStarted.incrementAndGet();
                        return null;
                    }
                    String label = job.target().name() + " seed " + job.seed();
                    try {
                        String dataUrl = dataUrl(job.target().path());
                        String text = request(dataUrl, job.seed(), ctx, label, deadline);
                        TraceStore.upsert(store, new TraceStore.NewTrace(job.target().imageId(), config.source(),
                                job.seed(), text), parser);
                        statuses.merge(parser.parse(text).status(), 1, Integer::sum);
                        generated.incrementAndGet();
                    } catch (CancelledException e) {
                        return null;
                    } catch (IOException | RuntimeException e) {
                        failures.add(label + ": " + e.getMessage());
                        ctx.log("traces: failed " + label + ": " + e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                    ctx.progress("generate traces", done.incrementAndGet(), jobs.size(), label);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(String.valueOf(e.getCause()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancelledException();
                }
            }
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ctx.checkCancelled();
        if (notStarted.get() > 0) {
            ctx.log("traces: deadline of " + describe(config.deadline()) + " reached; " + notStarted.get()
                    + " (image, seed) pairs not started (run again to do them)");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        List<ServerStats> stats = new ArrayList<>();
        for (Server sv : servers) {
            stats.add(new ServerStats(sv.endpoint, sv.attempts.get(), sv.answered.get(), sv.failed.get(),
                    sv.tokens.get(), seconds));
        }
        return new Report(jobs.size() + skipped, skipped, generated.get(), List.copyOf(failures), Map.copyOf(statuses),
                notStarted.get(), List.copyOf(stats), seconds);
    }

    /** The JSON body of one chat completion request. */
    ObjectNode requestBody(String imageDataUrl, long seed) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", config.model());
        ArrayNode messages = body.putArray("messages");
        if (config.systemPrompt() != null && !config.systemPrompt().isBlank()) {
            messages.addObject().put("role", "system").put("content", config.systemPrompt());
        }
        ObjectNode user = messages.addObject().put("role", "user");
        ArrayNode content = user.putArray("content");
        content.addObject().put("type", "image_url").putObject("image_url").put("url", imageDataUrl);
        content.addObject().put("type", "text").put("text", config.userPrompt());
        body.put("temperature", config.temperature());
        body.put("top_p", config.topP());
        body.put("top_k", config.topK());
        body.put("max_tokens", config.maxTokens());
        body.put("seed", seed);
        body.put("n", 1);
        return body;
    }

    /**
     * One (image, seed) request with retries. A failed attempt (429, 5xx, I/O errors, timeouts, empty replies —
     * {@code content: null} or blank, which servers send when generation died — and, with several servers, a
     * client error or malformed answer too) is retried at once on another server that has not failed this request
     * yet; when every server has, after an exponential backoff (Retry-After honoured). With one server a client
     * error or malformed answer fails at once. Errors always name the endpoint.
     */
    private String request(String dataUrl, long seed, TaskContext ctx, String label, long deadline)
            throws IOException, InterruptedException {
        byte[] body = JSON.writeValueAsBytes(requestBody(dataUrl, seed));
        String lastError = null;
        int attempts = 0;
        int rounds = 0; // backoff rounds: times every server had failed this request
        long retryAfterMs = 0;
        Set<Server> failedHere = new java.util.HashSet<>();
        for (int attempt = 0; attempt <= config.maxRetries(); attempt++) {
            if (ctx.isCancelled()) {
                throw new CancelledException();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException((lastError == null ? "" : lastError + "; ") + "deadline of "
                        + describe(config.deadline()) + " reached after " + attempts + " attempt(s) to "
                        + (servers.size() == 1 ? servers.get(0).endpoint : servers.size() + " servers"));
            }
            Server server = acquire(failedHere, ctx);
            URI uri = server.endpoint;
            // The overall deadline cuts the last request short rather than overrunning by a whole timeout.
            left = deadline - System.nanoTime();
            Duration timeout = config.requestTimeout().toNanos() < left ? config.requestTimeout()
                    : Duration.ofNanos(Math.max(1, left));
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (config.apiKey() != null && !config.apiKey().isBlank()) {
                rb.header("Authorization", "Bearer " + config.apiKey());
            }
            attempts++;
            server.attempts.incrementAndGet();
            boolean fatal = false;
            try {
                HttpResponse<String> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                int code = resp.statusCode();
                if (code / 100 == 2) {
                    String text = content(resp.body(), uri);
                    if (!text.isBlank()) {
                        server.answered.incrementAndGet();
                        server.tokens.addAndGet(completionTokens(resp.body()));
                        return text;
                    }
                    // Storing it would make an "empty" trace that a re-run never asks for again.
                    lastError = "empty reply from " + uri + " (choices[0].message.content is null or blank)";
                } else {
                    lastError = "HTTP " + code + " from " + uri + ": " + abbreviate(resp.body());
                    fatal = code != 429 && code / 100 != 5;
                    retryAfterMs = Math.max(retryAfterMs, resp.headers().firstValue("Retry-After")
                            .map(TraceGenerator::seconds).orElse(0L) * 1000);
                }
            } catch (java.net.http.HttpTimeoutException e) {
                lastError = "no answer from " + uri + " within " + describe(timeout);
            } catch (java.net.ConnectException e) {
                lastError = "cannot connect to " + uri + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
            } catch (BadResponse e) {
                lastError = e.getMessage();
                fatal = true; // a malformed answer
            } catch (IOException e) {
                lastError = e.getClass().getSimpleName() + " talking to " + uri + ": " + e.getMessage();
            } finally {
                release(server);
            }
            server.failed.incrementAndGet();
            failedHere.add(server);
            boolean anotherLeft = failedHere.size() < servers.size();
            if (fatal && !anotherLeft) {
                throw new BadResponse(lastError); // not retryable: every server refused it (client error, bad answer)
            }
            if (attempt < config.maxRetries()) {
                if (anotherLeft) {
                    ctx.log("traces: " + label + ": " + lastError + "; retry " + (attempt + 1) + "/"
                            + config.maxRetries() + " on another server");
                    continue;
                }
                long waitMs = Math.max(config.initialBackoff().toMillis() << Math.min(rounds, 16), retryAfterMs);
                long sleep = Math.min(Math.min(waitMs, 120_000), Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
                ctx.log("traces: " + label + ": " + lastError + "; retry " + (attempt + 1) + "/" + config.maxRetries()
                        + " in " + sleep + " ms");
                Thread.sleep(sleep);
                rounds++;
                retryAfterMs = 0;
                failedHere.clear();
            }
        }
        throw new IOException(lastError + " (gave up after " + attempts + " attempts)");
    }

    /** {@code usage.completion_tokens} of an answer, 0 when absent. */
    private static long completionTokens(String body) {
        try {
            return Math.max(0, JSON.readTree(body).path("usage").path("completion_tokens").asLong(0));
        } catch (IOException e) {
            return 0;
        }
    }

    /** "120 s" / "2.5 s" for messages. */
    static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static final class BadResponse extends IOException {
        BadResponse(String m) {
            super(m);
        }
    }

    private static long seconds(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String content(String body, URI uri) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadResponse(uri + ": response is not JSON: " + abbreviate(body));
        }
        JsonNode message = root.path("choices").path(0).path("message");
        JsonNode msg = message.path("content");
        String text;
        if (msg.isTextual()) {
            text = msg.asText();
        } else if (msg.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : msg) {
                if (part.path("text").isTextual()) {
                    sb.append(part.path("text").asText());
                }
            }
            text = sb.toString();
        } else if (msg.isNull() || msg.isMissingNode()) {
            text = "";
        } else {
            throw new BadResponse(uri + ": response has no choices[0].message.content: " + abbreviate(body));
        }
        // Servers run with a reasoning parser (vLLM --reasoning-parser) move the think part into
        // reasoning_content; put it back so the stored raw text is the model's full output.
        for (String key : new String[] {"reasoning_content", "reasoning"}) {
            JsonNode r = message.path(key);
            if (r.isTextual() && !r.asText().isBlank() && !text.toLowerCase(Locale.ROOT).contains("<think>")) {
                return "<think>" + r.asText().strip() + "</think>" + text;
            }
        }
        if (text.isEmpty() && !message.has("content")) {
            throw new BadResponse(uri + ": response has no choices[0].message.content: " + abbreviate(body));
        }
        return text;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    /** The image as a data URL; formats chat servers rarely accept (TIFF, BMP…) are re-encoded as PNG. */
    static String dataUrl(Path image) throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new IOException(image + ": image file not found");
        }
        String n = image.getFileName().toString().toLowerCase(Locale.ROOT);
        String mime = n.endsWith(".jpg") || n.endsWith(".jpeg") ? "image/jpeg"
                : n.endsWith(".png") ? "image/png" : n.endsWith(".webp") ? "image/webp" : null;
        byte[] bytes;
        if (mime != null) {
            bytes = Files.readAllBytes(image);
        } else {
            BufferedImage img = ImageIO.read(image.toFile());
            if (img == null) {
                throw new IOException(image + ": cannot decode image to send it");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "png", out);
            bytes = out.toByteArray();
            mime = "image/png";
        }
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
