package org.longform.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Routes requests to the OpenAI and KoboldAI surfaces and applies what every request needs:
 * CORS, the Host check against DNS rebinding (loopback binds), the API key, and errors as JSON in
 * the shape each API's clients expect ({@code {"error":{...}}} for /v1, {@code {"detail":{...}}}
 * for /api) — never a stack trace.
 */
final class ApiHandler extends Handler.Abstract {
    private final ServerConfig config;
    private final boolean loopback;
    private final byte[] key;
    private final OpenAiApi openai;
    private final KoboldApi kobold;
    private final Engine engine;

    ApiHandler(ServerConfig config, Engine engine) {
        this.config = config;
        this.engine = engine;
        this.loopback = config.isLoopback();
        this.key = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
        Generations g = new Generations(engine, config);
        this.openai = new OpenAiApi(g);
        this.kobold = new KoboldApi(g);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange ex = new Exchange(request, response, callback, config.writeTimeout());
        String path = ex.path();
        boolean koboldShape = path.startsWith("/api/");
        try {
            if (config.corsOrigin() != null) {
                response.getHeaders().put("Access-Control-Allow-Origin", config.corsOrigin());
                response.getHeaders().put("Access-Control-Allow-Headers", "Authorization, Content-Type");
                response.getHeaders().put("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
                response.getHeaders().put("Access-Control-Max-Age", "600");
            }
            if ("OPTIONS".equals(ex.method())) { // CORS preflight carries no credentials
                ex.empty(204);
                return true;
            }
            checkHost(ex);
            checkKey(ex);
            route(ex, path);
        } catch (ApiException e) {
            fail(ex, e, koboldShape);
        } catch (IOException e) {
            // the client went away mid-response (its generation is already cancelled): nothing to tell anyone
            if (!ex.isCompleted()) ex.abort(e);
        } catch (Throwable t) {
            // a bug or an unexpected I/O problem: one line in the log, a plain message to the client
            System.err.println("longform serve: " + ex.method() + " " + path + ": " + t);
            fail(
                    ex,
                    new ApiException(
                            500,
                            "internal_error",
                            null,
                            "internal error: "
                                    + (t.getMessage() != null
                                            ? t.getMessage()
                                            : t.getClass().getSimpleName())),
                    koboldShape);
        }
        return true;
    }

    private void route(Exchange ex, String path) throws Exception {
        String m = ex.method();
        boolean get = "GET".equals(m) || "HEAD".equals(m);
        boolean post = "POST".equals(m);
        switch (path) {
            case "/v1/completions" -> {
                need(post, m, path);
                openai.completions(ex);
            }
            case "/v1/models" -> {
                need(get, m, path);
                openai.models(ex);
            }
            case "/v1/chat/completions" ->
                throw new ApiException(
                        404,
                        "not_found",
                        null,
                        "chat completions are not served: MPT-7B-StoryWriter is a base story model; use POST /v1/completions with the story as the prompt");
            case "/api/v1/model", "/api/latest/model" -> {
                need(get, m, path);
                kobold.model(ex);
            }
            case "/api/v1/info/version", "/api/latest/info/version" -> {
                need(get, m, path);
                kobold.infoVersion(ex);
            }
            case "/api/extra/version" -> {
                need(get, m, path);
                kobold.extraVersion(ex);
            }
            case "/api/v1/config/max_length", "/api/latest/config/max_length" -> {
                need(get, m, path);
                kobold.value(ex, config.maxTokensLimit());
            }
            case "/api/v1/config/max_context_length",
                    "/api/latest/config/max_context_length",
                    "/api/extra/true_max_context_length" -> {
                need(get, m, path);
                kobold.value(ex, engine.contextWindow());
            }
            case "/api/v1/generate", "/api/latest/generate" -> {
                need(post, m, path);
                kobold.generate(ex, false);
            }
            case "/api/extra/generate/stream" -> {
                need(post, m, path);
                kobold.generate(ex, true);
            }
            case "/api/extra/tokencount", "/api/extra/tokenize" -> {
                need(post, m, path);
                kobold.tokenCount(ex);
            }
            case "/api/extra/abort" -> {
                need(post, m, path);
                kobold.abort(ex);
            }
            case "/api/extra/generate/check" -> {
                need(get || post, m, path);
                kobold.check(ex);
            }
            case "/health" -> {
                Engine.Stats s = engine.stats();
                ex.json(
                        200,
                        new Responses.Health(
                                "ok",
                                s.pending(),
                                s.completed(),
                                s.cancelled(),
                                s.promptTokens(),
                                s.recomputedTokens()));
            }
            default -> {
                if (path.startsWith("/v1/models/")) {
                    need(get, m, path);
                    openai.model(ex, path.substring("/v1/models/".length()));
                } else {
                    throw new ApiException(
                            404,
                            "not_found",
                            null,
                            "no endpoint " + path
                                    + " (see docs/SERVER.md: /v1/completions, /v1/models, /api/v1/generate, /api/extra/...)");
                }
            }
        }
    }

    private static void need(boolean ok, String method, String path) {
        if (!ok) throw new ApiException(405, "method_not_allowed", null, method + " is not allowed on " + path);
    }

    /**
     * On a loopback bind, only accept Host names that mean this machine: a web page on another
     * origin that rebinds its DNS name to 127.0.0.1 still sends its own name, and is refused.
     */
    private void checkHost(Exchange ex) {
        if (!loopback) return;
        String host = ex.header(HttpHeader.HOST);
        if (host == null) return; // HTTP/1.0 without Host: a local tool
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) h = h.substring(0, Math.max(1, h.indexOf(']') + 1));
        else if (h.indexOf(':') >= 0) h = h.substring(0, h.indexOf(':'));
        boolean ok = h.equals("localhost") || h.endsWith(".localhost") || h.startsWith("127.") || h.equals("[::1]");
        if (!ok)
            throw new ApiException(
                    403,
                    "forbidden_host",
                    null,
                    "Host '" + host
                            + "' is not this machine; a loopback server only answers requests addressed to localhost");
    }

    private void checkKey(Exchange ex) {
        if (key == null) return;
        String auth = ex.header(HttpHeader.AUTHORIZATION);
        byte[] given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? auth.substring(7).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, key)) { // constant time: no key guessing by timing
            throw new ApiException(
                    401,
                    "invalid_api_key",
                    null,
                    auth == null ? "missing API key: send 'Authorization: Bearer KEY'" : "invalid API key");
        }
    }

    private static void fail(Exchange ex, ApiException e, boolean koboldShape) {
        if (ex.isCompleted()) return;
        if (ex.isStreaming()) { // headers are out: nothing sensible left to send
            ex.abort(e);
            return;
        }
        if (e.status() == 401) ex.response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
        if (e.status() == 429 || e.status() == 503) ex.response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        ex.json(e.status(), koboldShape ? Responses.KoboldErrorBody.of(e) : Responses.OpenAiErrorBody.of(e));
    }
}
