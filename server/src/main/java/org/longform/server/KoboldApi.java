package org.longform.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.SamplerSettings;

/**
 * The KoboldAI API subset that KoboldAI Lite and SillyTavern use, with KoboldCpp's shapes:
 * {@code /api/v1/generate}, {@code /api/extra/generate/stream} (SSE "event: message" with
 * {@code {"token", "finish_reason"}}), {@code /api/extra/tokencount}, {@code /api/extra/abort},
 * {@code /api/extra/generate/check}, and the model/config/version getters clients probe first.
 */
final class KoboldApi {
    /** The KoboldAI API version KoboldCpp reports; clients gate features on it. */
    static final String API_VERSION = "1.2.5";
    /** The KoboldCpp version whose /api/extra surface we follow (SSE streaming, tokencount ids, genkey). */
    static final String KCPP_VERSION = "1.102";

    private final Generations gen;

    KoboldApi(Generations gen) {
        this.gen = gen;
    }

    void model(Exchange ex) {
        ex.json(200, new Responses.Result("longform/" + gen.config().modelName()));
    }

    void value(Exchange ex, int v) {
        ex.json(200, new Responses.IntValue(v));
    }

    void infoVersion(Exchange ex) {
        ex.json(200, new Responses.Result(API_VERSION));
    }

    /** SillyTavern and Lite look for "KoboldCpp" here before they use /api/extra (streaming, token counts). */
    void extraVersion(Exchange ex) {
        ex.json(200, new Responses.ExtraVersion("KoboldCpp", KCPP_VERSION, "longform"));
    }

    void tokenCount(Exchange ex) {
        Params p = Params.parse(ex.body(gen.config().maxBodyBytes()));
        String prompt = p.string("prompt", "");
        int[] ids = gen.engine().tokenizer().encode(prompt);
        ex.json(200, new Responses.TokenCount(ids.length, ids));
    }

    void abort(Exchange ex) {
        Params p = Params.parseOrEmpty(ex.body(gen.config().maxBodyBytes()));
        String key = p.string("genkey", "");
        boolean any = false;
        if (!key.isEmpty()) {
            for (Job j : gen.engine().find(key)) {
                j.cancel();
                any = true;
            }
        } else {
            Job c = gen.engine().current(); // KoboldCpp: no key aborts what is running
            if (c != null) {
                c.cancel();
                any = true;
            }
        }
        ex.json(200, new Responses.Abort(any ? "true" : "false", "true"));
    }

    void check(Exchange ex) {
        Params p = "POST".equals(ex.method())
                ? Params.parseOrEmpty(ex.body(gen.config().maxBodyBytes()))
                : Params.parseOrEmpty(new byte[0]);
        String key = p.string("genkey", "");
        Job j = null;
        if (!key.isEmpty()) {
            List<Job> found = gen.engine().find(key);
            if (!found.isEmpty()) j = found.getFirst();
        } else {
            j = gen.engine().current();
        }
        ex.json(200, new Responses.Results<>(List.of(new Responses.PartialText(j == null ? "" : j.partialText()))));
    }

    void generate(Exchange ex, boolean stream) throws IOException {
        Params p = Params.parse(ex.body(gen.config().maxBodyBytes()));
        GenerationRequest req = request(p);
        String genkey = p.string("genkey", "");
        if (!stream) {
            // KoboldCpp's logprobs: true; how many alternatives, as OpenAI's top_logprobs (5 when not given)
            int top = -1;
            if (logprobsAsked(p)) {
                long n = p.integer("top_logprobs", 5);
                if (n < 0 || n > Logprobs.MAX)
                    throw ApiException.badRequest(
                            "top_logprobs", "top_logprobs must be between 0 and " + Logprobs.MAX + ", got " + n);
                top = (int) n;
            }
            List<TokenChoice> choices = new ArrayList<>();
            GenerationResult res = gen.await(ex, gen.submit(ex, req, genkey, Logprobs.alternatives(top)), choices);
            Responses.ChatLogprobs lp =
                    top < 0 ? null : new Logprobs(gen.engine().tokenizer()).chat(choices, top);
            ex.json(200, new Responses.Results<>(List.of(result(res, lp))));
            return;
        }
        gen.acquireStream();
        try {
            Job job = gen.submit(ex, req, genkey);
            try {
                ex.startEvents();
            } catch (IOException | RuntimeException e) { // gone before the first token: its generation too
                job.cancel();
                throw e;
            }
            GenerationResult res;
            try {
                res = gen.stream(job, new Generations.Sink() {
                    @Override
                    public void text(String t, List<TokenChoice> choices) throws IOException {
                        send(ex, t, null);
                    }

                    @Override
                    public void keepAlive() throws IOException {
                        ex.event(": keep-alive\n\n");
                    }
                });
            } catch (ApiException e) { // the stream is open: report in-band
                ex.event("event: error\ndata: " + Exchange.JSON.writeValueAsString(Responses.KoboldErrorBody.of(e))
                        + "\n\n");
                ex.endEvents();
                return;
            }
            send(ex, "", Generations.finishReason(res.reason()));
            ex.endEvents();
        } finally {
            gen.releaseStream();
        }
    }

    /** KoboldCpp's {@code logprobs}: true or false; a number (some clients send 1) counts as true unless 0. */
    private static boolean logprobsAsked(Params p) {
        JsonNode v = p.raw("logprobs");
        if (v != null && v.isNumber()) return v.doubleValue() != 0;
        return p.bool("logprobs", false);
    }

    private static void send(Exchange ex, String token, String finish) throws IOException {
        ex.event("event: message\ndata: " + Exchange.JSON.writeValueAsString(new Responses.StreamToken(token, finish))
                + "\n\n");
    }

    private static Responses.KoboldResult result(GenerationResult res, Responses.ChatLogprobs logprobs) {
        return new Responses.KoboldResult(
                res.text(), Generations.finishReason(res.reason()), res.promptTokens(), res.ids().length, logprobs);
    }

    /**
     * KoboldCpp's generate parameters. {@code memory} is prepended and pinned (it stays in view when
     * the story outgrows the window); {@code max_context_length} sets the window; banned_tokens are
     * phrases, as in KoboldCpp; DRY, XTC and logit_bias (token ids) map onto the sampler's own.
     */
    private GenerationRequest request(Params p) {
        String prompt = p.string("prompt", null);
        if (prompt == null) throw ApiException.badRequest("prompt", "prompt is required");
        String memory = p.string("memory", "");
        int maxLength = gen.maxTokens("max_length", p.integer("max_length", 100));
        long ctx = p.integer("max_context_length", 0);
        if (ctx < 0) throw ApiException.badRequest("max_context_length", "max_context_length must be >= 0");
        double temperature = p.number("temperature", 0.75);
        if (temperature < 0 || temperature > 100)
            throw ApiException.badRequest("temperature", "temperature must be between 0 and 100 (0 = greedy)");
        long topK = p.integer("top_k", 100);
        if (topK < 0 || topK > Integer.MAX_VALUE)
            throw ApiException.badRequest("top_k", "top_k must be >= 0 (0 = off)");
        double topP = p.number("top_p", 0.92);
        if (topP == 0) topP = 1; // KoboldCpp treats 0 as off
        if (!(topP > 0 && topP <= 1)) throw ApiException.badRequest("top_p", "top_p must be in [0, 1] (0 or 1 = off)");
        double minP = p.number("min_p", 0);
        if (minP < 0 || minP > 1) throw ApiException.badRequest("min_p", "min_p must be in [0, 1]");
        double typical = p.number("typical", 1);
        if (typical == 0) typical = 1;
        if (!(typical > 0 && typical <= 1))
            throw ApiException.badRequest("typical", "typical must be in [0, 1] (0 or 1 = off)");
        double repPen = p.number("rep_pen", 1.0);
        if (!(repPen > 0) || repPen > 10)
            throw ApiException.badRequest("rep_pen", "rep_pen must be in (0, 10] (1 = off)");
        long repRange = p.integer("rep_pen_range", 320);
        if (repRange < 0 || repRange > Integer.MAX_VALUE)
            throw ApiException.badRequest("rep_pen_range", "rep_pen_range must be >= 0");
        long seedV = p.integer("sampler_seed", -1);
        Long seed = seedV < 0 ? null : seedV;
        List<String> stops = p.strings("stop_sequence");
        List<String> banned = p.strings("banned_tokens");
        // DRY, XTC and logit_bias as KoboldCpp names them; absent fields leave them off (KoboldCpp's defaults).
        SamplerSettings.Dry off = SamplerSettings.Dry.OFF;
        double dryMultiplier = p.number("dry_multiplier", off.multiplier());
        if (dryMultiplier < 0) throw ApiException.badRequest("dry_multiplier", "dry_multiplier must be >= 0 (0 = off)");
        double dryBase = p.number("dry_base", off.base());
        if (dryBase < 1) throw ApiException.badRequest("dry_base", "dry_base must be >= 1");
        long dryAllowed = p.integer("dry_allowed_length", off.allowedLength());
        if (dryAllowed < 1 || dryAllowed > Integer.MAX_VALUE) {
            throw ApiException.badRequest("dry_allowed_length", "dry_allowed_length must be >= 1");
        }
        long dryRange = p.integer("dry_penalty_last_n", off.range());
        if (dryRange == -1) dryRange = 0; // llama.cpp's "the whole context"
        if (dryRange < 0 || dryRange > Integer.MAX_VALUE) {
            throw ApiException.badRequest(
                    "dry_penalty_last_n", "dry_penalty_last_n must be >= 0 (0 or -1 = whole context)");
        }
        List<String> breakers =
                p.has("dry_sequence_breakers") ? p.strings("dry_sequence_breakers") : off.sequenceBreakers();
        double xtcThreshold = p.number("xtc_threshold", SamplerSettings.Xtc.OFF.threshold());
        if (xtcThreshold < 0 || xtcThreshold > 1) {
            throw ApiException.badRequest("xtc_threshold", "xtc_threshold must be in [0, 1]");
        }
        double xtcProbability = p.number("xtc_probability", SamplerSettings.Xtc.OFF.probability());
        if (xtcProbability < 0 || xtcProbability > 1) {
            throw ApiException.badRequest("xtc_probability", "xtc_probability must be in [0, 1] (0 = off)");
        }
        Map<Integer, Double> bias = p.logitBias("logit_bias", gen.engine().vocabSize(), Double.MAX_VALUE);

        int[] mem = gen.engine().tokenizer().encode(memory);
        int[] story = gen.engine().tokenizer().encode(prompt);
        int[] ids = new int[mem.length + story.length];
        System.arraycopy(mem, 0, ids, 0, mem.length);
        System.arraycopy(story, 0, ids, mem.length, story.length);
        if (ids.length == 0) {
            int eos = gen.engine().tokenizer().eosId();
            if (eos < 0) throw ApiException.badRequest("prompt", "the prompt is empty");
            ids = new int[] {eos};
        }
        SamplerSettings s = new SamplerSettings(
                temperature,
                (int) topK,
                topP,
                minP,
                typical,
                repPen,
                (int) repRange,
                seed,
                maxLength,
                stops,
                banned,
                new SamplerSettings.Dry(dryMultiplier, dryBase, (int) dryAllowed, (int) dryRange, breakers),
                new SamplerSettings.Xtc(xtcThreshold, xtcProbability),
                bias,
                Map.of());
        int window = (int) Math.min(ctx, gen.engine().contextWindow());
        return new GenerationRequest(ids, s, window, mem.length);
    }
}
