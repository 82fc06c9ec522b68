package org.longform.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.longform.engine.gen.GenerationResult;

/**
 * The JSON bodies the server answers with, one record per shape, field names as the APIs spell
 * them (Jackson writes them; a null field is written as null unless the record says otherwise).
 */
final class Responses {
    private Responses() {}

    // ---- OpenAI ----

    /** {@code {"error": {...}}}, in a response body or in-band in a stream. */
    record OpenAiErrorBody(OpenAiError error) {
        static OpenAiErrorBody of(ApiException e) {
            return new OpenAiErrorBody(
                    new OpenAiError(e.getMessage(), e.type(), e.param(), e.status() == 401 ? "invalid_api_key" : null));
        }
    }

    record OpenAiError(String message, String type, String param, String code) {}

    record ModelList(String object, List<ModelObject> data) {}

    /** @param maxModelLen vLLM's field: clients size prompts with it */
    record ModelObject(
            String id,
            String object,
            long created,
            @JsonProperty("owned_by") String ownedBy,
            @JsonProperty("max_model_len") int maxModelLen) {}

    /** A completion, or one streamed chunk of it; choices and usage are left out when null. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Completion(String id, String object, long created, String model, List<Choice> choices, Usage usage) {}

    record Choice(
            String text,
            int index,
            Object logprobs,
            @JsonProperty("finish_reason") String finishReason) {}

    /**
     * OpenAI's legacy completions logprobs: per generated token its text, log probability, its best
     * alternatives as {text: logprob} (best first) and the char where it begins in the returned text.
     */
    record LegacyLogprobs(
            List<String> tokens,
            @JsonProperty("token_logprobs") List<Double> tokenLogprobs,
            @JsonProperty("top_logprobs") List<Map<String, Double>> topLogprobs,
            @JsonProperty("text_offset") List<Integer> textOffset) {}

    /** The chat completions logprobs shape (KoboldCpp's {@code results[0].logprobs}). */
    record ChatLogprobs(List<TokenLogprob> content) {}

    record TokenLogprob(
            String token,
            double logprob,
            int[] bytes,
            @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {}

    record TopLogprob(String token, double logprob, int[] bytes) {}

    /** Token counts; cached_tokens says how much of the prompt came from the KV cache (prefix reuse). */
    record Usage(
            @JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("completion_tokens") int completionTokens,
            @JsonProperty("total_tokens") int totalTokens,
            @JsonProperty("prompt_tokens_details") PromptTokensDetails promptTokensDetails) {
        static Usage of(GenerationResult res) {
            return new Usage(
                    res.promptTokens(),
                    res.ids().length,
                    res.promptTokens() + res.ids().length,
                    new PromptTokensDetails(Math.max(0, res.promptTokens() - res.recomputedTokens())));
        }
    }

    record PromptTokensDetails(
            @JsonProperty("cached_tokens") int cachedTokens) {}

    // ---- KoboldAI / KoboldCpp ----

    /** {@code {"detail": {"msg": ..., "type": ...}}}. */
    record KoboldErrorBody(KoboldError detail) {
        static KoboldErrorBody of(ApiException e) {
            return new KoboldErrorBody(new KoboldError(e.getMessage(), e.type()));
        }
    }

    record KoboldError(String msg, String type) {}

    record Result(String result) {}

    record IntValue(int value) {}

    record ExtraVersion(String result, String version, String server) {}

    record TokenCount(int value, int[] ids) {}

    /** KoboldCpp answers with the strings "true"/"false". */
    record Abort(String success, String done) {}

    record Results<T>(List<T> results) {}

    record PartialText(String text) {}

    /** {@code logprobs} is left out unless the request asked for it. */
    record KoboldResult(
            String text,
            @JsonProperty("finish_reason") String finishReason,
            @JsonProperty("prompt_tokens") int promptTokens,
            @JsonProperty("completion_tokens") int completionTokens,
            @JsonInclude(JsonInclude.Include.NON_NULL) ChatLogprobs logprobs) {}

    /** One SSE message of /api/extra/generate/stream; finish_reason is null until the last. */
    record StreamToken(
            String token, @JsonProperty("finish_reason") String finishReason) {}

    // ---- ours ----

    record Health(
            String status,
            long pending,
            long completed,
            long cancelled,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("recomputed_tokens") long recomputedTokens) {}
}
