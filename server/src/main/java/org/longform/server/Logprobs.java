package org.longform.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.Alternative;
import org.longform.engine.token.Tokenizer;

/**
 * Log probabilities of generated tokens in the shapes clients read: OpenAI's legacy completions
 * ({@code tokens}, {@code token_logprobs}, {@code top_logprobs}, {@code text_offset}) and the chat-style
 * {@code content} list KoboldCpp answers with. The probabilities are the engine's {@link Alternative}s:
 * the softmax at temperature 1 of the logits after logit bias, DRY, the repetition penalty and banned
 * phrases, over the whole vocabulary -- the numbers the editor's alternatives pop-up shows, not the
 * distribution after temperature and the truncating filters.
 */
final class Logprobs {
    /** Most alternatives per token a request may ask for (OpenAI's chat limit; its legacy limit is 5). */
    static final int MAX = 20;
    /** What a token the filters made impossible reads as: JSON has no -Infinity (vLLM's convention). */
    static final double FLOOR = -9999.0;

    private final Tokenizer tokenizer;

    Logprobs(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Alternatives to ask the engine for when a request wants {@code n} per token (-1: no logprobs):
     * at least one even for n = 0, since the chosen token's probability comes with them.
     */
    static int alternatives(int n) {
        return n < 0 ? 0 : Math.max(1, n);
    }

    static double logprob(Alternative a) {
        return a.probability() > 0 ? Math.max(FLOOR, Math.log(a.probability())) : FLOOR;
    }

    /**
     * A token's text; a token that is not whole UTF-8 on its own (part of a character) is written as
     * OpenAI does, {@code "bytes:\xe2\x80"}.
     */
    String token(int id) {
        byte[] b = tokenizer.tokenBytes(id);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            StringBuilder sb = new StringBuilder("bytes:");
            for (byte x : b) sb.append(String.format("\\x%02x", x & 0xff));
            return sb.toString();
        }
    }

    /**
     * OpenAI's legacy shape for {@code choices} (in order), each with its {@code n} best: the chosen token's
     * entry is added to its map when it was not among them (so a map has up to n + 1 entries, as OpenAI says).
     * Text offsets count from the completion's first char, in a streamed chunk too (echo is refused with
     * logprobs: the prompt's tokens have none).
     */
    Responses.LegacyLogprobs legacy(List<TokenChoice> choices, int n) {
        List<String> tokens = new ArrayList<>();
        List<Double> lps = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int last = 0;
        for (TokenChoice c : choices) {
            tokens.add(token(c.chosen().id()));
            lps.add(logprob(c.chosen()));
            Map<String, Double> top = new LinkedHashMap<>();
            for (Alternative a : c.top().subList(0, Math.min(n, c.top().size())))
                top.putIfAbsent(token(a.id()), logprob(a)); // two ids with one text: the likelier one
            top.putIfAbsent(token(c.chosen().id()), logprob(c.chosen()));
            tops.add(top);
            // A token that begins inside a character (a byte token) is placed at that character.
            if (c.offset() >= 0) last = c.offset();
            offsets.add(last);
        }
        return new Responses.LegacyLogprobs(tokens, lps, tops, offsets);
    }

    /** The chat-style shape KoboldCpp answers {@code logprobs: true} with: each token with its n best. */
    Responses.ChatLogprobs chat(List<TokenChoice> choices, int n) {
        List<Responses.TokenLogprob> content = new ArrayList<>();
        for (TokenChoice c : choices) {
            List<Responses.TopLogprob> top = new ArrayList<>();
            for (Alternative a : c.top().subList(0, Math.min(n, c.top().size())))
                top.add(new Responses.TopLogprob(token(a.id()), logprob(a), bytes(a.id())));
            content.add(new Responses.TokenLogprob(
                    token(c.chosen().id()),
                    logprob(c.chosen()),
                    bytes(c.chosen().id()),
                    top));
        }
        return new Responses.ChatLogprobs(content);
    }

    private int[] bytes(int id) {
        byte[] b = tokenizer.tokenBytes(id);
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xff;
        return out;
    }
}
