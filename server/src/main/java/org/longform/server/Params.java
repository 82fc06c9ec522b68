package org.longform.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed, validated access to a JSON request object. Every problem becomes a 400 naming the field,
 * so clients see "max_tokens must be an integer", not a parser stack trace.
 */
final class Params {
    static final int MAX_STOPS = 64;
    private final ObjectNode node;

    private Params(ObjectNode node) {
        this.node = node;
    }

    static Params parse(byte[] body) {
        if (body.length == 0) throw ApiException.badRequest(null, "the request body is empty; send a JSON object");
        JsonNode n;
        try {
            n = Exchange.JSON.readTree(body);
        } catch (JacksonException e) {
            var loc = e.getLocation();
            throw ApiException.badRequest(
                    null,
                    "the request body is not valid JSON: " + e.getOriginalMessage()
                            + (loc != null ? " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")" : ""));
        } catch (IOException e) {
            throw ApiException.badRequest(null, "cannot read the request body: " + e.getMessage());
        }
        if (!(n instanceof ObjectNode o)) {
            throw ApiException.badRequest(
                    null,
                    "the request body must be a JSON object, got "
                            + (n == null ? "nothing" : n.getNodeType().name().toLowerCase()));
        }
        return new Params(o);
    }

    /** For endpoints whose body is optional (KoboldAI abort/check). */
    static Params parseOrEmpty(byte[] body) {
        return body.length == 0 ? new Params(Exchange.JSON.createObjectNode()) : parse(body);
    }

    boolean has(String f) {
        JsonNode v = node.get(f);
        return v != null && !v.isNull();
    }

    JsonNode raw(String f) {
        return node.get(f);
    }

    String string(String f, String def) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) return def;
        if (!v.isTextual()) throw ApiException.badRequest(f, f + " must be a string");
        return v.textValue();
    }

    double number(String f, double def) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) return def;
        if (!v.isNumber()) throw ApiException.badRequest(f, f + " must be a number");
        double d = v.doubleValue();
        if (!Double.isFinite(d)) throw ApiException.badRequest(f, f + " must be finite");
        return d;
    }

    /** An integer; floats with no fraction (3.0) are accepted because some clients send them. */
    long integer(String f, long def) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) return def;
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
        if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 1e15)
            return (long) v.doubleValue();
        throw ApiException.badRequest(f, f + " must be an integer");
    }

    boolean bool(String f, boolean def) {
        JsonNode v = node.get(f);
        if (v == null || v.isNull()) return def;
        if (!v.isBoolean()) throw ApiException.badRequest(f, f + " must be true or false");
        return v.booleanValue();
    }

    /** A string or an array of strings (OpenAI's "stop"); empty strings are dropped. */
    List<String> strings(String f) {
        JsonNode v = node.get(f);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) {
            if (!v.textValue().isEmpty()) out.add(v.textValue());
            return out;
        }
        if (!v.isArray()) throw ApiException.badRequest(f, f + " must be a string or an array of strings");
        for (JsonNode e : v) {
            if (!e.isTextual()) throw ApiException.badRequest(f, f + " must contain only strings");
            if (!e.textValue().isEmpty()) out.add(e.textValue());
        }
        if (out.size() > MAX_STOPS)
            throw ApiException.badRequest(f, f + " has " + out.size() + " entries; at most " + MAX_STOPS);
        return out;
    }

    /**
     * {"token id": bias, ...}, the logit_bias of OpenAI and KoboldCpp: every id must be in [0, vocab) and
     * every bias a number with |bias| <= maxAbs.
     */
    Map<Integer, Double> logitBias(String f, int vocab, double maxAbs) {
        JsonNode v = node.get(f);
        Map<Integer, Double> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) return out;
        if (!v.isObject()) throw ApiException.badRequest(f, f + " must be an object of {\"token id\": bias}");
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().strip());
            } catch (NumberFormatException x) {
                throw ApiException.badRequest(f, f + " key \"" + e.getKey() + "\" is not a token id");
            }
            if (id < 0 || id >= vocab) {
                throw ApiException.badRequest(f, f + " token id " + id + " is not in [0, " + vocab + ")");
            }
            JsonNode b = e.getValue();
            if (!b.isNumber() || !Double.isFinite(b.doubleValue()) || Math.abs(b.doubleValue()) > maxAbs) {
                throw ApiException.badRequest(
                        f,
                        f + "[\"" + e.getKey() + "\"] must be a number"
                                + (maxAbs < Double.MAX_VALUE
                                        ? " between " + (int) -maxAbs + " and " + (int) maxAbs
                                        : ""));
            }
            out.put(id, b.doubleValue());
        }
        return out;
    }

    /** Rejects a field we do not implement rather than silently ignoring what the client asked for. */
    void unsupported(String f, String why) {
        if (has(f)) throw ApiException.badRequest(f, f + " is not supported: " + why);
    }
}
