package org.longform.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.longform.engine.io.ModelFormatException;

/**
 * Immutable shapes and options of an MPT model, read from the hub's config.json.
 * Options this engine does not implement are refused here, with the file and the option named.
 */
public record Config(
        int dModel, // hidden size
        int nHeads,
        int nLayers,
        int expansionRatio, // d_ff = expansionRatio * dModel
        int vocabSize,
        int maxSeqLen, // the training length; ALiBi lets us go past it
        float normEps,
        float alibiBiasMax,
        float clipQkv, // 0 = no clamp
        float softmaxScale, // 1/sqrt(headDim) unless the config sets it
        float logitScale) { // 1 = none

    public int headDim() {
        return dModel / nHeads;
    }

    public int dFf() {
        return expansionRatio * dModel;
    }

    /** Weight parameters, for messages and memory estimates (tied LM head counted once). */
    public long parameterCount() {
        long perLayer = 3L * dModel * dModel + (long) dModel * dModel + 2L * dModel * dFf() + 2L * dModel;
        return (long) vocabSize * dModel + nLayers * perLayer + dModel;
    }

    public static Config load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "config.json not found");
        } catch (IOException e) {
            throw new ModelFormatException(file, "not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        return parse(root, file);
    }

    static Config parse(JsonNode root, Path file) {
        if (root == null || !root.isObject()) throw new ModelFormatException(file, "expected a JSON object");
        String type = root.path("model_type").asText("");
        if (!type.equals("mpt")) {
            throw new ModelFormatException(file, "model_type is '" + type + "', only MPT models ('mpt') are supported");
        }
        int d = requireInt(root, "d_model", file);
        int h = requireInt(root, "n_heads", file);
        int layers = requireInt(root, "n_layers", file);
        int vocab = requireInt(root, "vocab_size", file);
        int exp = root.path("expansion_ratio").asInt(4);
        int maxSeq = root.path("max_seq_len").asInt(2048);
        if (d % h != 0) throw new ModelFormatException(file, "d_model " + d + " is not divisible by n_heads " + h);
        if (!root.path("no_bias").asBoolean(true)) {
            throw new ModelFormatException(
                    file, "no_bias=false (linear/LayerNorm biases) is not supported; StoryWriter has no biases");
        }
        JsonNode ffn = root.path("ffn_config");
        if (ffn.isObject()
                && ffn.has("ffn_type")
                && !ffn.path("ffn_type").asText().equals("mptmlp")) {
            throw new ModelFormatException(
                    file, "ffn_config.ffn_type '" + ffn.path("ffn_type").asText() + "' is not supported (only mptmlp)");
        }
        String norm = root.path("norm_type").asText("low_precision_layernorm");
        if (!norm.equals("low_precision_layernorm") && !norm.equals("layernorm")) {
            throw new ModelFormatException(file, "norm_type '" + norm + "' is not supported (only layernorm)");
        }
        JsonNode ac = root.path("attn_config");
        if (!ac.path("alibi").asBoolean(false)) {
            throw new ModelFormatException(
                    file,
                    "attn_config.alibi is false: learned position embeddings are not supported, only ALiBi models");
        }
        if (ac.path("qk_ln").asBoolean(false)) {
            throw new ModelFormatException(file, "attn_config.qk_ln=true (LayerNorm on q and k) is not supported");
        }
        if (ac.path("prefix_lm").asBoolean(false)) {
            throw new ModelFormatException(file, "attn_config.prefix_lm=true is not supported");
        }
        String attnType = ac.path("attn_type").asText("multihead_attention");
        if (!attnType.equals("multihead_attention")) {
            throw new ModelFormatException(
                    file, "attn_config.attn_type '" + attnType + "' is not supported (only multihead_attention)");
        }
        float alibiMax = (float) ac.path("alibi_bias_max").asDouble(8);
        float clip =
                ac.path("clip_qkv").isNumber() ? (float) ac.path("clip_qkv").asDouble() : 0f;
        float scale = ac.path("softmax_scale").isNumber()
                ? (float) ac.path("softmax_scale").asDouble()
                : (float) (1.0 / Math.sqrt((double) d / h));
        float logit = 1f;
        JsonNode ls = root.path("logit_scale");
        if (ls.isNumber()) logit = (float) ls.asDouble();
        else if (ls.isTextual()) {
            if (!ls.asText().equals("inv_sqrt_d_model"))
                throw new ModelFormatException(file, "logit_scale '" + ls.asText() + "' is not understood");
            logit = (float) (1.0 / Math.sqrt(d));
        }
        float eps = (float) root.path("layer_norm_epsilon").asDouble(1e-5);
        return new Config(d, h, layers, exp, vocab, maxSeq, eps, alibiMax, clip, scale, logit);
    }

    private static int requireInt(JsonNode root, String key, Path file) {
        JsonNode n = root.get(key);
        if (n == null || !n.canConvertToInt() || n.asInt() <= 0) {
            throw new ModelFormatException(file, "missing or invalid '" + key + "'");
        }
        return n.asInt();
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}
