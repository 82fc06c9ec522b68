package org.longform.ui.gen;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import org.longform.engine.Assets;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.token.Tokenizer;
import org.longform.server.remote.RemoteCompletions;
import org.longform.server.remote.RemoteException;

/**
 * Adapter from the UI's {@link TextGenerator} to a remote OpenAI-compatible completions server
 * ({@link RemoteCompletions}: vLLM, TGI, another {@code longform serve}). The text comes from the
 * server; token counting (the context bar, prompt assembly and fitting) stays with OUR tokenizer,
 * the GPT-NeoX-20B one StoryWriter was trained with, so the context map means the same thing
 * whichever side generates.
 *
 * <p>Failures become a {@link RemoteFailure} whose message is one line for the writer (what went
 * wrong, where, what to check), never a stack trace. {@link #connect} and {@link #generate} do
 * network I/O: call them from the model worker, never the FX thread.
 */
public final class RemoteTextGenerator implements TextGenerator {
    /** MPT-7B-StoryWriter's fine-tuning length; what vLLM's --max-model-len is usually set to for it. */
    public static final int DEFAULT_CONTEXT = 65536;

    /** A remote request failed; the message is meant for the writer as it is. */
    public static final class RemoteFailure extends RuntimeException {
        private final int status;

        RemoteFailure(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The HTTP status, or 0 when the server was not reached or the stream broke. */
        public int status() {
            return status;
        }
    }

    private final RemoteCompletions client;
    private final Tokenizer tokenizer;
    private final ModelInfo info;

    private RemoteTextGenerator(RemoteCompletions client, Tokenizer tokenizer, ModelInfo info) {
        this.client = client;
        this.tokenizer = tokenizer;
        this.info = info;
    }

    /**
     * Connects with the bundled tokenizer: asks the server for its models (which checks the URL and
     * the key) and settles the model name (blank = the first one listed).
     *
     * @throws RemoteFailure            the server cannot be reached, refuses the key, or does not serve {@code model}
     * @throws IllegalArgumentException a URL that is not http(s)://host…, or a context below 64
     */
    public static RemoteTextGenerator connect(String url, String apiKey, String model, int contextTokens) {
        return connect(url, apiKey, model, contextTokens, false);
    }

    /** @param standardOnly send only standard OpenAI fields (TGI and others that refuse vLLM's top_k, min_p…) */
    public static RemoteTextGenerator connect(
            String url, String apiKey, String model, int contextTokens, boolean standardOnly) {
        return connect(url, apiKey, model, contextTokens, standardOnly, Tokenizer.load(Assets.tokenizer()));
    }

    /** As {@link #connect(String, String, String, int, boolean)}; takes ownership of {@code tokenizer} (closed on failure or {@link #close}). */
    public static RemoteTextGenerator connect(
            String url, String apiKey, String model, int contextTokens, boolean standardOnly, Tokenizer tokenizer) {
        RemoteCompletions rc = null;
        try {
            if (contextTokens < 64)
                throw new IllegalArgumentException("the context size must be at least 64 tokens, got " + contextTokens);
            rc = new RemoteCompletions(
                    parse(url),
                    apiKey,
                    model,
                    RemoteCompletions.Options.defaults()
                            .withTokenizer(tokenizer)
                            .withContextTokens(contextTokens)
                            .withStandardOnly(standardOnly));
            String name = checkModel(rc, model);
            URI v1 = rc.endpoint();
            ModelInfo info = new ModelInfo(
                    "remote: " + name + " at " + v1.getHost() + (v1.getPort() > 0 ? ":" + v1.getPort() : ""),
                    null,
                    0,
                    contextTokens,
                    contextTokens,
                    "on the server",
                    0,
                    false,
                    v1);
            return new RemoteTextGenerator(rc, tokenizer, info);
        } catch (RuntimeException e) {
            if (rc != null) rc.close();
            tokenizer.close();
            throw e instanceof RemoteException re ? failure(re) : e;
        }
    }

    /** The model ids a server lists (GET /v1/models) — the dialog's "Fetch models" and "Test connection". */
    public static List<String> listModels(String url, String apiKey) {
        try (RemoteCompletions rc = new RemoteCompletions(parse(url), apiKey, null)) {
            return rc.models();
        } catch (RemoteException e) {
            throw failure(e);
        }
    }

    /** A URL as typed: trimmed, and http:// assumed when the writer typed just host:port. */
    static URI parse(String url) {
        String u = url == null ? "" : url.strip();
        if (u.isEmpty()) throw new IllegalArgumentException("enter the server's URL, e.g. http://127.0.0.1:5001/v1");
        if (!u.contains("://")) u = "http://" + u;
        try {
            URI uri = URI.create(u);
            if (uri.getHost() == null)
                throw new IllegalArgumentException("the URL " + url + " names no host; use http://host:port/v1");
            return uri;
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("the URL")) throw e;
            throw new IllegalArgumentException("the URL " + url + " is not valid: use http://host:port/v1", e);
        }
    }

    /** vLLM refuses requests for a model it does not serve (404 at the first Generate): say so now, with what it does serve. */
    private static String checkModel(RemoteCompletions rc, String model) {
        List<String> ids = rc.models();
        if (model == null || model.isBlank()) {
            if (ids.isEmpty())
                throw new RemoteFailure(rc.endpoint() + " lists no model; type the model name", 200, null);
            return rc.model();
        }
        if (!ids.isEmpty() && !ids.contains(model.strip())) {
            throw new RemoteFailure(
                    rc.endpoint() + " does not serve a model named '" + model.strip() + "'; it serves: "
                            + String.join(", ", ids),
                    404,
                    null);
        }
        return model.strip();
    }

    /** One line for the writer: the client's messages name CLI flags and carry parser details the editor has no use for. */
    static RemoteFailure failure(RemoteException e) {
        String m = firstLine(e.getMessage()).replace(" (check the API key: --remote-key or LONGFORM_REMOTE_KEY)", "");
        if (e.status() == 401 || e.status() == 403) {
            m = m + " — the server refused the API key: check it in Model → Connect to server…";
        } else if (hasCause(e, ConnectException.class)) {
            m = m.replace(" (is the server running? check --remote)", "")
                    + " — nothing answered: is the server running, and are the host and port right?";
        } else if (hasCause(e, JsonProcessingException.class)) {
            int colon = m.indexOf(": "); // "http://host:port/v1/completions: <parser details>"
            m = (colon > 0 ? m.substring(0, colon) : m)
                    + " answered with something that is not valid JSON — is the URL an OpenAI-compatible /v1 endpoint?";
        } else if (e.status() >= 500) {
            m = m + " — a server error: see the server's log";
        }
        return new RemoteFailure(m, e.status(), e);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return true;
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(ids);
    }

    /** Asks the server for logprobs; one that sends none leaves its text without alternatives. */
    @Override
    public boolean reportsAlternatives() {
        return true;
    }

    @Override
    public int eosId() {
        return tokenizer.eosId();
    }

    @Override
    public GenerationResult generate(GenerationRequest req, TokenListener listener, CancelToken cancel) {
        int total = req.promptIds().length;
        // The server reports no prompt progress: say "prompt sent" before, and "done" with the first text.
        listener.onPrefill(0, total);
        TokenListener bridge = new TextTokens(listener) {
            boolean first = true;

            @Override
            public void onToken(int id, String text) {
                if (first && !text.isEmpty()) {
                    first = false;
                    listener.onPrefill(total, total);
                }
                super.onToken(id, text);
            }
        };
        try {
            return client.generate(req, bridge, cancel);
        } catch (RemoteException e) {
            throw failure(e);
        }
    }

    @Override
    public void close() {
        client.close();
        tokenizer.close();
    }
}
