package org.longform.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.SamplerSettings;

/**
 * The OpenAI-compatible surface: POST /v1/completions (streaming included) and GET /v1/models.
 * Field names and defaults follow OpenAI's legacy completions API; the sampling extensions that
 * vLLM also accepts (top_k, min_p, typical_p, repetition_penalty) map onto our sampler.
 */
final class OpenAiApi {
    private final Generations gen;
    private final long created = System.currentTimeMillis() / 1000;

    OpenAiApi(Generations gen) {
        this.gen = gen;
    }

    void models(Exchange ex) {
        ex.json(200, new Responses.ModelList("list", List.of(modelObject())));
    }

    void model(Exchange ex, String id) {
        if (!id.equals(gen.config().modelName())) {
            throw new ApiException(
                    404,
                    "model_not_found",
                    "model",
                    "no model '" + id + "' here; this server has '"
                            + gen.config().modelName() + "'");
        }
        ex.json(200, modelObject());
    }

    private Responses.ModelObject modelObject() {
        return new Responses.ModelObject(
                gen.config().modelName(),
                "model",
                created,
                "longform",
                gen.engine().contextWindow());
    }

    void completions(Exchange ex) throws IOException {
        Params p = Params.parse(ex.body(gen.config().maxBodyBytes()));
        Request r = parse(p);
        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long now = System.currentTimeMillis() / 1000;
        GenerationRequest greq = new GenerationRequest(r.ids, r.sampler);
        int alternatives = Logprobs.alternatives(r.logprobs);
        if (!r.stream) {
            Job job = gen.submit(ex, greq, null, alternatives);
            List<TokenChoice> choices = new ArrayList<>();
            GenerationResult res = gen.await(ex, job, choices);
            String text = (r.echo ? r.echoText : "") + res.text();
            ex.json(
                    200,
                    completion(
                            id,
                            now,
                            text,
                            logprobs(choices, r.logprobs),
                            Generations.finishReason(res.reason()),
                            res,
                            true));
            return;
        }
        gen.acquireStream();
        try {
            Job job = gen.submit(ex, greq, null, alternatives);
            try {
                ex.startEvents();
                if (r.echo && !r.echoText.isEmpty()) send(ex, completion(id, now, r.echoText, null, null, null, false));
            } catch (IOException | RuntimeException e) { // gone before the first token: its generation too
                job.cancel();
                throw e;
            }
            GenerationResult res;
            try {
                res = gen.stream(job, new Generations.Sink() {
                    @Override
                    public void text(String t, List<TokenChoice> choices) throws IOException {
                        send(ex, completion(id, now, t, logprobs(choices, r.logprobs), null, null, false));
                    }

                    @Override
                    public void keepAlive() throws IOException {
                        ex.event(": keep-alive\n\n");
                    }
                });
            } catch (ApiException e) { // the stream is open: report in-band, as OpenAI does
                send(ex, Responses.OpenAiErrorBody.of(e));
                ex.event("data: [DONE]\n\n");
                ex.endEvents();
                return;
            }
            send(ex, completion(id, now, "", null, Generations.finishReason(res.reason()), null, false));
            if (r.includeUsage) {
                send(
                        ex,
                        new Responses.Completion(
                                id,
                                "text_completion",
                                now,
                                gen.config().modelName(),
                                List.of(),
                                Responses.Usage.of(res)));
            }
            ex.event("data: [DONE]\n\n");
            ex.endEvents();
        } finally {
            gen.releaseStream();
        }
    }

    private static void send(Exchange ex, Object chunk) throws IOException {
        ex.event("data: " + Exchange.JSON.writeValueAsString(chunk) + "\n\n");
    }

    /** The legacy logprobs of {@code choices} with {@code n} alternatives each; null when not asked (n < 0). */
    private Responses.LegacyLogprobs logprobs(List<TokenChoice> choices, int n) {
        return n < 0 ? null : new Logprobs(gen.engine().tokenizer()).legacy(choices, n);
    }

    /** One choice holding {@code text}, with the usage when {@code withUsage} and a result is given. */
    private Responses.Completion completion(
            String id,
            long now,
            String text,
            Responses.LegacyLogprobs logprobs,
            String finish,
            GenerationResult res,
            boolean withUsage) {
        return new Responses.Completion(
                id,
                "text_completion",
                now,
                gen.config().modelName(),
                List.of(new Responses.Choice(text, 0, logprobs, finish)),
                withUsage && res != null ? Responses.Usage.of(res) : null);
    }

    /** @param logprobs alternatives per token the answer lists; -1: no logprobs */
    private record Request(
            int[] ids,
            String echoText,
            SamplerSettings sampler,
            boolean stream,
            boolean includeUsage,
            boolean echo,
            int logprobs) {}

    private Request parse(Params p) {
        // OpenAI requires it; a local server has one model, so a missing one means that model
        // (as llama.cpp's server, vLLM and KoboldCpp accept); a present one must be a string
        p.string("model", null);
        p.unsupported("suffix", "this is a plain continuation model");
        if (p.integer("n", 1) != 1) throw ApiException.badRequest("n", "n must be 1: one completion per request");
        if (p.integer("best_of", 1) != 1) throw ApiException.badRequest("best_of", "best_of must be 1");
        if (p.number("presence_penalty", 0) != 0)
            throw ApiException.badRequest(
                    "presence_penalty", "presence_penalty is not supported; use repetition_penalty");
        if (p.number("frequency_penalty", 0) != 0)
            throw ApiException.badRequest(
                    "frequency_penalty", "frequency_penalty is not supported; use repetition_penalty");

        int maxTokens = gen.maxTokens("max_tokens", p.integer("max_tokens", 16));
        double temperature = p.number("temperature", 1.0);
        if (temperature < 0 || temperature > 100)
            throw ApiException.badRequest("temperature", "temperature must be between 0 and 100 (0 = greedy)");
        double topP = p.number("top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) throw ApiException.badRequest("top_p", "top_p must be in (0, 1]");
        long topK = p.integer("top_k", 0);
        if (topK == -1) topK = 0; // vLLM's "off"
        if (topK < 0 || topK > Integer.MAX_VALUE)
            throw ApiException.badRequest("top_k", "top_k must be >= 0 (0 or -1 = off)");
        double minP = p.number("min_p", 0);
        if (minP < 0 || minP > 1) throw ApiException.badRequest("min_p", "min_p must be in [0, 1]");
        double typical = p.number("typical_p", 1);
        if (!(typical > 0 && typical <= 1)) throw ApiException.badRequest("typical_p", "typical_p must be in (0, 1]");
        double repPen = p.number("repetition_penalty", 1);
        if (!(repPen > 0) || repPen > 10)
            throw ApiException.badRequest("repetition_penalty", "repetition_penalty must be in (0, 10] (1 = off)");
        Long seed = p.has("seed") ? p.integer("seed", 0) : null;
        List<String> stops = p.strings("stop");
        boolean stream = p.bool("stream", false);
        boolean includeUsage = false;
        JsonNode so = p.raw("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) throw ApiException.badRequest("stream_options", "stream_options must be an object");
            JsonNode iu = so.get("include_usage");
            if (iu != null && !iu.isNull() && !iu.isBoolean())
                throw ApiException.badRequest("stream_options", "stream_options.include_usage must be true or false");
            includeUsage = iu != null && iu.asBoolean();
        }
        boolean echo = p.bool("echo", false);
        int logprobs = -1;
        if (p.has("logprobs")) {
            long n = p.integer("logprobs", 0);
            if (n < 0 || n > Logprobs.MAX)
                throw ApiException.badRequest(
                        "logprobs", "logprobs must be between 0 and " + Logprobs.MAX + ", got " + n);
            if (echo)
                throw ApiException.badRequest(
                        "logprobs",
                        "logprobs with echo is not supported: the prompt's tokens get no log probabilities");
            logprobs = (int) n;
        }

        int[] ids;
        String echoText;
        Prompt pr = prompt(p.raw("prompt"));
        ids = pr.ids;
        echoText = pr.text != null ? pr.text : gen.engine().tokenizer().decode(pr.ids);
        if (ids.length == 0) {
            // no text at all: start from <|endoftext|>, the document boundary the model was trained on
            int eos = gen.engine().tokenizer().eosId();
            if (eos < 0) throw ApiException.badRequest("prompt", "the prompt is empty");
            ids = new int[] {eos};
        }
        // OpenAI's range: -100 bans a token in effect, +100 all but forces it.
        Map<Integer, Double> bias = p.logitBias("logit_bias", gen.engine().vocabSize(), 100);
        SamplerSettings s = new SamplerSettings(
                temperature,
                (int) topK,
                topP,
                minP,
                typical,
                repPen,
                0,
                seed,
                maxTokens,
                stops,
                List.of(),
                SamplerSettings.Dry.OFF,
                SamplerSettings.Xtc.OFF,
                bias,
                Map.of());
        return new Request(ids, echoText, s, stream, includeUsage, echo, logprobs);
    }

    private record Prompt(int[] ids, String text) {}

    /** A string, an array of one string, an array of token ids, or an array of one such array. */
    private Prompt prompt(JsonNode v) {
        if (v == null || v.isNull()) throw ApiException.badRequest("prompt", "prompt is required");
        if (v.isTextual()) return new Prompt(gen.engine().tokenizer().encode(v.textValue()), v.textValue());
        if (!v.isArray())
            throw ApiException.badRequest(
                    "prompt", "prompt must be a string, an array of strings or an array of token ids");
        if (v.isEmpty()) throw ApiException.badRequest("prompt", "prompt is an empty array");
        if (v.get(0).isTextual() || v.get(0).isArray()) {
            if (v.size() != 1)
                throw ApiException.badRequest("prompt", "send one prompt per request (got " + v.size() + ")");
            return prompt(v.get(0));
        }
        int vocab = gen.engine().vocabSize();
        int[] ids = new int[v.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || e.longValue() < 0 || e.longValue() >= vocab) {
                throw ApiException.badRequest("prompt", "prompt[" + i + "] is not a token id in [0, " + vocab + ")");
            }
            ids[i] = e.intValue();
        }
        return new Prompt(ids, null);
    }
}
