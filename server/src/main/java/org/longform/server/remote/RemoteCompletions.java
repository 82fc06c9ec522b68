package org.longform.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.StopReason;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.sample.Alternative;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

/**
 * Continues text on a remote OpenAI-compatible completions server (vLLM, Hugging Face TGI,
 * another {@code longform serve}, llama.cpp, KoboldCpp) instead of the local engine, streaming
 * with server-sent events. Same shape as {@link org.longform.engine.gen.Generator#generate}: a
 * {@link TokenListener} receives text as it arrives (id -1: a remote server sends text, not ids)
 * and a {@link CancelToken} stops it (the HTTP stream is closed, which cancels the remote
 * generation on servers that watch for it).
 *
 * <p>Our tokenizer still matters: give one in {@link Options} and prompts given as ids are
 * decoded and fitted to {@code contextTokens}, and results carry ids for the context map.
 * Thread-safe: one instance may serve several threads (each call is its own HTTP exchange).
 */
public final class RemoteCompletions implements AutoCloseable {
    /**
     * @param tokenizer         ours (GPT-NeoX-20B for MPT): fits id prompts to the remote window and
     *                          re-tokenizes results for the context map; null = text only
     * @param contextTokens     the remote model's window in tokens (vLLM's --max-model-len); 0 = do not fit
     * @param standardOnly      send only fields every OpenAI-compatible server knows (no top_k, min_p,
     *                          typical_p, repetition_penalty, stream_options) for servers that reject unknown fields
     * @param connectTimeout    to open the connection
     * @param idleTimeout       most time without a byte from the server before giving up (long prompts
     *                          are silent while the server reads them: keep this generous)
     */
    public record Options(
            Tokenizer tokenizer,
            int contextTokens,
            boolean standardOnly,
            Duration connectTimeout,
            Duration idleTimeout) {
        public Options {
            if (contextTokens < 0) throw new IllegalArgumentException("contextTokens must be >= 0");
        }

        public static Options defaults() {
            return new Options(null, 0, false, Duration.ofSeconds(10), Duration.ofSeconds(300));
        }

        public Options withTokenizer(Tokenizer t) {
            return new Options(t, contextTokens, standardOnly, connectTimeout, idleTimeout);
        }

        public Options withContextTokens(int n) {
            return new Options(tokenizer, n, standardOnly, connectTimeout, idleTimeout);
        }

        public Options withStandardOnly(boolean b) {
            return new Options(tokenizer, contextTokens, b, connectTimeout, idleTimeout);
        }

        public Options withIdleTimeout(Duration d) {
            return new Options(tokenizer, contextTokens, standardOnly, connectTimeout, d);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Most alternatives asked of a server (vLLM's default max_logprobs, and ours). */
    static final int MAX_LOGPROBS = 20;
    // Our tokenizer's ids by their bytes (ISO-8859-1 strings): a server names tokens by text; built once.
    private volatile Map<String, Integer> idsByBytes;
    private volatile boolean noLogprobs; // the server refused them once

    private final URI v1;
    private final String apiKey;
    private volatile String model;
    private final Options options;
    private final HttpClient http;

    /** @see #RemoteCompletions(URI, String, String, Options) */
    public RemoteCompletions(URI base, String apiKey, String model) {
        this(base, apiKey, model, Options.defaults());
    }

    /**
     * @param base   the server, with or without {@code /v1}: {@code http://gpu-box:8000} or {@code http://gpu-box:8000/v1}
     * @param apiKey sent as {@code Authorization: Bearer}; null or blank = none
     * @param model  the served model's name (vLLM needs it exactly); null = the first one /v1/models lists
     */
    public RemoteCompletions(URI base, String apiKey, String model, Options options) {
        if (base == null
                || base.getScheme() == null
                || !(base.getScheme().equals("http") || base.getScheme().equals("https"))
                || base.getHost() == null) {
            throw new IllegalArgumentException("remote URL must be http(s)://host[:port][/v1], got " + base);
        }
        String s = base.toString().replaceAll("/+$", "");
        this.v1 = URI.create(s.endsWith("/v1") ? s + "/" : s + "/v1/");
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        this.model = model == null || model.isBlank() ? null : model;
        this.options = options;
        this.http = newClient();
    }

    private HttpClient newClient() {
        return HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The {@code .../v1/} base every request goes to. */
    public URI endpoint() {
        return v1;
    }

    /** Model ids the server lists (GET /v1/models): a cheap connection and key check. */
    public List<String> models() {
        HttpRequest req =
                request("models").timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> r = send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw httpError(r.statusCode(), r.body());
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode m : JSON.readTree(r.body()).path("data"))
                out.add(m.path("id").asText());
        } catch (IOException e) {
            throw new RemoteException(r.statusCode(), v1 + "models: the answer is not JSON", e);
        }
        return out;
    }

    /** The model name requests carry (asks /v1/models once when none was given). */
    public String model() {
        String m = model;
        if (m == null) {
            List<String> ids = models();
            if (ids.isEmpty()) throw new RemoteException(200, v1 + "models lists no model; pass the model name", null);
            model = m = ids.getFirst();
        }
        return m;
    }

    /**
     * Continues {@code req}'s prompt like {@link org.longform.engine.gen.Generator#generate}: the ids
     * are fitted to {@code contextTokens} (pinned {@code keep} prefix + most recent tokens) and
     * decoded with our tokenizer, which {@link Options} must provide.
     */
    public GenerationResult generate(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        Tokenizer t = options.tokenizer();
        if (t == null)
            throw new IllegalStateException(
                    "generate(GenerationRequest) needs a tokenizer in RemoteCompletions.Options");
        int window = options.contextTokens() > 0 ? options.contextTokens() : Integer.MAX_VALUE;
        if (req.window() > 0) window = Math.min(window, req.window());
        int[] ids = window == Integer.MAX_VALUE
                ? req.promptIds()
                : Generator.fit(
                        req.promptIds(),
                        window,
                        Math.min(req.keep(), window / 2),
                        req.sampler().maxTokens());
        return complete(t.decode(ids), req.sampler(), listener, cancel);
    }

    /**
     * Streams a continuation of {@code prompt}.
     *
     * @throws IllegalArgumentException for settings a remote API cannot honour (banned phrases)
     * @throws RemoteException          when the server cannot be reached, refuses, or the stream breaks
     */
    public GenerationResult complete(String prompt, SamplerSettings s, TokenListener listener, CancelToken cancel) {
        TokenListener l = listener != null ? listener : TokenListener.NONE;
        CancelToken c = cancel != null ? cancel : new CancelToken();
        if (!s.bannedPhrases().isEmpty()) {
            throw new IllegalArgumentException(
                    "banned phrases need the local engine: a remote completions API cannot forbid tokens");
        }
        if (s.dry().enabled() || s.xtc().enabled() || !s.phraseBias().isEmpty()) {
            throw new IllegalArgumentException("DRY, XTC and phrase bias need the local engine: the OpenAI"
                    + " completions API has no such fields (token-id logit bias is sent)");
        }
        // Alternatives for the pop-up: OpenAI's legacy logprobs (at most 5 there; vLLM and ours take 20).
        int alternatives = noLogprobs ? 0 : Math.min(l.alternatives(), options.standardOnly() ? 5 : MAX_LOGPROBS);
        byte[] body = body(prompt, s, alternatives);
        HttpRequest req = request("completions")
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long t0 = System.nanoTime();
        // a client of its own, shut down when the generation ends: closing a half-read body does
        // not always close the connection (the JDK client may just stop reading), and then the
        // server, its writes stalled rather than failed, generates to the end for nobody.
        // shutdownNow() closes the socket, so a cancel reaches the server as a broken stream.
        HttpClient stream = newClient();
        try {
            HttpResponse<InputStream> r = send(stream, req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                String err;
                try (InputStream in = r.body()) {
                    err = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err = "";
                }
                if (r.statusCode() == 400 && alternatives > 0 && err.contains("logprobs")) {
                    // A server that refuses logprobs (an older longform serve did): ask again without, and
                    // from now on; its text then has no alternatives, as the pop-up says.
                    noLogprobs = true;
                    stream.shutdownNow();
                    return complete(prompt, s, l, c);
                }
                throw httpError(r.statusCode(), err);
            }
            return read(r.body(), s, l, c, t0, alternatives > 0 ? new Choices(options.tokenizer()) : null);
        } finally {
            stream.shutdownNow();
        }
    }

    private byte[] body(String prompt, SamplerSettings s, int logprobs) {
        ObjectNode b = JSON.createObjectNode();
        b.put("model", model());
        b.put("prompt", prompt);
        b.put("max_tokens", s.maxTokens());
        b.put("temperature", s.temperature());
        if (s.topP() < 1) b.put("top_p", s.topP());
        if (!s.stopSequences().isEmpty()) {
            var arr = b.putArray("stop");
            s.stopSequences().forEach(arr::add);
        }
        if (s.seed() != null) b.put("seed", s.seed());
        if (!s.logitBias().isEmpty()) {
            // OpenAI's own field; the ids are our tokenizer's, which the remote model is assumed to share
            ObjectNode bias = b.putObject("logit_bias");
            s.logitBias().forEach((id, v) -> bias.put(Integer.toString(id), v));
        }
        b.put("stream", true);
        if (logprobs > 0) b.put("logprobs", logprobs);
        if (!options.standardOnly()) {
            // vLLM's (and our server's) sampling extensions; OpenAI itself would refuse them
            if (s.topK() > 0) b.put("top_k", s.topK());
            if (s.minP() > 0) b.put("min_p", s.minP());
            if (s.typicalP() < 1) b.put("typical_p", s.typicalP());
            if (s.repetitionPenalty() != 1) b.put("repetition_penalty", s.repetitionPenalty());
            b.putObject("stream_options").put("include_usage", true);
        }
        try {
            return JSON.writeValueAsBytes(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private GenerationResult read(
            InputStream body, SamplerSettings s, TokenListener l, CancelToken c, long t0, Choices choices) {
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        Thread watcher = watch(body, c, lastByte);
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode stopReason = null;
        JsonNode usage = null;
        long firstToken = 0;
        boolean done = false;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            // a cancel seen here ends the loop and the stream is closed on this thread (the
            // try-with-resources); the watcher's close from another thread is for a silent server
            // only: racing a blocked read, it could leave the connection open and the server
            // generating to the end
            for (String line; !done && !c.isCancelled() && (line = in.readLine()) != null; ) {
                lastByte.set(System.nanoTime());
                if (line.startsWith("data:")) {
                    if (!data.isEmpty()) data.append('\n');
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                    continue;
                }
                if (!line.isEmpty() || data.isEmpty()) continue; // comments, event names, keep-alives
                String d = data.toString();
                data.setLength(0);
                if (d.strip().equals("[DONE]")) {
                    done = true;
                    continue;
                }
                JsonNode chunk = JSON.readTree(d);
                if (chunk.has("error")) {
                    JsonNode e = chunk.get("error");
                    throw new RemoteException(
                            200,
                            v1 + "completions: "
                                    + (e.isTextual()
                                            ? e.asText()
                                            : e.path("message").asText(e.toString())),
                            null);
                }
                if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
                JsonNode choice = chunk.path("choices").path(0);
                if (choice.isMissingNode()) continue;
                String t = choice.path("text").asText("");
                if (choices != null) choices.report(choice.path("logprobs"), l);
                if (!t.isEmpty()) {
                    if (firstToken == 0) firstToken = System.nanoTime();
                    text.append(t);
                    l.onToken(-1, t);
                }
                if (choice.hasNonNull("finish_reason"))
                    finish = choice.get("finish_reason").asText();
                if (choice.hasNonNull("stop_reason")) stopReason = choice.get("stop_reason");
            }
        } catch (IOException e) {
            if (!c.isCancelled()) {
                boolean idle = System.nanoTime() - lastByte.get()
                        >= options.idleTimeout().toNanos();
                throw new RemoteException(
                        0,
                        v1 + "completions: "
                                + (idle
                                        ? "no data from the server for "
                                                + options.idleTimeout().toSeconds() + " s"
                                        : "the stream broke: " + e.getMessage()),
                        e);
            }
        } finally {
            watcher.interrupt();
        }
        long end = System.nanoTime();
        StopReason reason;
        if (c.isCancelled() && !done) reason = StopReason.CANCELLED;
        else if ("length".equals(finish)) reason = StopReason.MAX_TOKENS;
        else if (stopReason != null && stopReason.isTextual())
            reason = StopReason.STOP_SEQUENCE; // vLLM names the stop string
        else if (stopReason != null && stopReason.isNumber()) reason = StopReason.EOS;
        else if ("stop".equals(finish) && !s.stopSequences().isEmpty()) reason = StopReason.STOP_SEQUENCE;
        else if ("stop".equals(finish)) reason = StopReason.EOS;
        else reason = done ? StopReason.MAX_TOKENS : StopReason.CANCELLED;

        Tokenizer tok = options.tokenizer();
        String out = text.toString();
        int[] ids = tok != null ? tok.encode(out) : new int[0]; // our ids for the context map (a re-tokenization)
        int promptTokens = usage != null ? usage.path("prompt_tokens").asInt(0) : 0;
        int cached = usage != null
                ? usage.path("prompt_tokens_details").path("cached_tokens").asInt(0)
                : 0;
        long ttft = (firstToken == 0 ? end : firstToken) - t0;
        return new GenerationResult(
                ids, out, reason, promptTokens, Math.max(0, promptTokens - cached), 0, ttft, end - t0 - ttft);
    }

    /**
     * Turns a chunk's legacy {@code logprobs} (tokens, token_logprobs, top_logprobs, text_offset) into
     * {@link TokenChoice}s for the listener, naming tokens by our tokenizer's ids: a token the server names
     * that our vocabulary lacks (another model's tokenizer) is left out, and a generated token we cannot name
     * ends the reporting (the choices would no longer line up with the text). Every alternative counts as
     * kept: a server does not say which its filters removed. One per generation, on the reading thread.
     */
    private final class Choices {
        private final Map<String, Integer> ids;
        private int index;
        private int lastOffset = -1;
        private int chars; // text covered so far, for servers that send no text_offset
        private boolean broken;

        Choices(Tokenizer t) {
            this.ids = t == null ? Map.of() : idsByBytes(t);
        }

        void report(JsonNode lp, TokenListener l) {
            if (broken || lp == null || !lp.isObject()) return;
            JsonNode tokens = lp.path("tokens"), lps = lp.path("token_logprobs");
            JsonNode tops = lp.path("top_logprobs"), offsets = lp.path("text_offset");
            for (int i = 0; i < tokens.size(); i++) {
                String text = tokens.get(i).asText();
                Integer id = ids.get(bytesKey(text));
                if (id == null) {
                    broken = true;
                    return;
                }
                int offset = offsets.has(i) ? offsets.get(i).asInt() : chars;
                chars += text.startsWith("bytes:") ? 0 : text.length();
                boolean inside = offset == lastOffset; // a byte token continuing a character
                lastOffset = offset;
                Alternative chosen = new Alternative(id, prob(lps.path(i)), true);
                List<Alternative> top = new ArrayList<>();
                for (Map.Entry<String, JsonNode> e : tops.path(i).properties()) {
                    Integer alt = ids.get(bytesKey(e.getKey()));
                    if (alt != null) top.add(new Alternative(alt, prob(e.getValue()), true));
                }
                top.sort((a, b) -> Double.compare(b.probability(), a.probability()));
                l.onChoice(new TokenChoice(index++, inside ? -1 : offset, chosen, top));
            }
        }
    }

    private static double prob(JsonNode logprob) {
        return logprob.isNumber() ? Math.exp(logprob.asDouble()) : 0;
    }

    private Map<String, Integer> idsByBytes(Tokenizer t) {
        Map<String, Integer> m = idsByBytes;
        if (m == null) {
            m = new HashMap<>();
            for (int id = 0; id < t.vocabSize(); id++)
                m.putIfAbsent(new String(t.tokenBytes(id), StandardCharsets.ISO_8859_1), id);
            idsByBytes = m;
        }
        return m;
    }

    /** A server's token text as bytes (an ISO-8859-1 string): UTF-8, or OpenAI's {@code "bytes:\xe2\x80"}. */
    public static String bytesKey(String token) {
        if (token.startsWith("bytes:") && token.length() > 6) {
            StringBuilder sb = new StringBuilder();
            String hex = token.substring(6);
            if (hex.length() % 4 != 0) return token;
            for (int i = 0; i < hex.length(); i += 4) {
                if (hex.charAt(i) != '\\' || hex.charAt(i + 1) != 'x') return token;
                try {
                    sb.append((char) Integer.parseInt(hex.substring(i + 2, i + 4), 16));
                } catch (NumberFormatException e) {
                    return token;
                }
            }
            return sb.toString();
        }
        return new String(token.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Closes the stream when the writer cancels or the server goes silent; the blocked read then ends. */
    private Thread watch(InputStream body, CancelToken c, AtomicLong lastByte) {
        long idle = options.idleTimeout().toNanos();
        return Thread.ofVirtual().name("longform-remote-watch").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (c.isCancelled() || System.nanoTime() - lastByte.get() > idle) {
                        body.close();
                        return;
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException | IOException ignored) {
                // done reading, or closing raced with the end of the stream
            }
        });
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(v1.resolve(path));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> h) {
        return send(http, req, h);
    }

    private static <T> HttpResponse<T> send(HttpClient client, HttpRequest req, HttpResponse.BodyHandler<T> h) {
        try {
            return client.send(req, h);
        } catch (ConnectException e) {
            throw new RemoteException(
                    0, "cannot connect to " + req.uri() + " (is the server running? check --remote)", e);
        } catch (IOException e) {
            throw new RemoteException(
                    0,
                    req.uri() + ": "
                            + (e.getMessage() != null
                                    ? e.getMessage()
                                    : e.getClass().getSimpleName()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(0, req.uri() + ": interrupted", e);
        }
    }

    /** OpenAI, vLLM and TGI put the message in error.message (TGI also in "error" as a string). */
    private RemoteException httpError(int status, String body) {
        String msg = body == null ? "" : body.strip();
        try {
            JsonNode j = JSON.readTree(msg);
            JsonNode e = j.path("error");
            if (e.isTextual()) msg = e.asText();
            else if (e.has("message")) msg = e.get("message").asText();
            else if (j.path("detail").has("msg"))
                msg = j.path("detail").get("msg").asText();
            else if (j.has("message")) msg = j.get("message").asText();
        } catch (IOException | RuntimeException notJson) {
            if (msg.length() > 300) msg = msg.substring(0, 300) + "...";
        }
        String hint = status == 401 || status == 403
                ? " (check the API key: --remote-key or LONGFORM_REMOTE_KEY)"
                : status == 404 ? " (check the URL and the model name: " + model + ")" : "";
        return new RemoteException(status, v1 + " answered " + status + ": " + msg + hint, null);
    }

    @Override
    public void close() {
        http.close();
    }
}
