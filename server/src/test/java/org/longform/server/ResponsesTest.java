package org.longform.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.StopReason;

/** The typed responses write the JSON the OpenAI and KoboldAI clients read: names, nulls and absences. */
class ResponsesTest {
    static String json(Object o) throws Exception {
        return Exchange.JSON.writeValueAsString(o);
    }

    @Test
    void openAiShapes() throws Exception {
        assertEquals(
                "{\"error\":{\"message\":\"invalid API key\",\"type\":\"invalid_api_key\",\"param\":null,\"code\":\"invalid_api_key\"}}",
                json(Responses.OpenAiErrorBody.of(new ApiException(401, "invalid_api_key", null, "invalid API key"))));
        assertEquals(
                "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":null}}",
                json(Responses.OpenAiErrorBody.of(ApiException.badRequest("max_tokens", "bad"))));
        var res = new GenerationResult(new int[] {5, 6, 7}, "abc", StopReason.MAX_TOKENS, 10, 4, 0, 0, 0);
        var chunk = new Responses.Completion(
                "cmpl-1", "text_completion", 9, "tiny", List.of(new Responses.Choice("x", 0, null, null)), null);
        assertEquals(
                "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":9,\"model\":\"tiny\",\"choices\":"
                        + "[{\"text\":\"x\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}",
                json(chunk),
                "no usage key in a chunk");
        assertEquals(
                "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":9,\"model\":\"tiny\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,\"total_tokens\":13,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":6}}}",
                json(new Responses.Completion(
                        "cmpl-1", "text_completion", 9, "tiny", List.of(), Responses.Usage.of(res))));
        assertEquals(
                "{\"object\":\"list\",\"data\":[{\"id\":\"tiny\",\"object\":\"model\",\"created\":1,\"owned_by\":\"longform\","
                        + "\"max_model_len\":2048}]}",
                json(new Responses.ModelList(
                        "list", List.of(new Responses.ModelObject("tiny", "model", 1, "longform", 2048)))));
    }

    @Test
    void koboldShapes() throws Exception {
        assertEquals(
                "{\"detail\":{\"msg\":\"busy\",\"type\":\"server_busy\"}}",
                json(Responses.KoboldErrorBody.of(new ApiException(503, "server_busy", null, "busy"))));
        assertEquals("{\"token\":\"\",\"finish_reason\":null}", json(new Responses.StreamToken("", null)));
        assertEquals(
                "{\"results\":[{\"text\":\"t\",\"finish_reason\":\"length\",\"prompt_tokens\":3,\"completion_tokens\":2}]}",
                json(new Responses.Results<>(List.of(new Responses.KoboldResult("t", "length", 3, 2, null)))));
        assertEquals("{\"value\":2,\"ids\":[7,8]}", json(new Responses.TokenCount(2, new int[] {7, 8})));
        assertEquals("{\"success\":\"true\",\"done\":\"true\"}", json(new Responses.Abort("true", "true")));
    }
}
