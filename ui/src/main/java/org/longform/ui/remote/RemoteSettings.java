package org.longform.ui.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.longform.ui.gen.RemoteTextGenerator;
import org.longform.ui.story.AtomicFiles;

/**
 * What "Connect to server…" remembers, in CONFIG/remote.json (its own file, not prefs.json, so the
 * key never travels with preferences someone copies or shares). The API key is written only when
 * the writer ticks "remember"; otherwise it lives in memory for this session. A damaged file gives
 * the defaults, never an error.
 *
 * @param url           the server, with or without /v1 (our own {@code longform serve} listens at 127.0.0.1:5001)
 * @param apiKey        sent as a Bearer token; blank = none
 * @param model         the served model's name; blank = the first one the server lists
 * @param contextTokens the remote window in tokens (vLLM's --max-model-len)
 * @param rememberKey   whether {@link #save} writes the key
 * @param standardOnly  send only standard OpenAI fields (for servers that refuse vLLM's extensions)
 */
public record RemoteSettings(
        String url, String apiKey, String model, int contextTokens, boolean rememberKey, boolean standardOnly) {
    public static final String DEFAULT_URL = "http://127.0.0.1:5001/v1";
    public static final String FILE = "remote.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public RemoteSettings {
        url = url == null ? "" : url.strip();
        apiKey = apiKey == null ? "" : apiKey.strip();
        model = model == null ? "" : model.strip();
    }

    public static RemoteSettings defaults() {
        return new RemoteSettings(DEFAULT_URL, "", "", RemoteTextGenerator.DEFAULT_CONTEXT, false, false);
    }

    public static RemoteSettings load(Path configDir) {
        Path f = configDir.resolve(FILE);
        RemoteSettings d = defaults();
        if (!Files.isRegularFile(f)) return d;
        try {
            JsonNode o = JSON.readTree(f.toFile());
            boolean remember = o.path("rememberKey").asBoolean(false);
            return new RemoteSettings(
                    o.path("url").asText(d.url()),
                    remember ? o.path("apiKey").asText("") : "",
                    o.path("model").asText(""),
                    Math.max(64, o.path("contextTokens").asInt(d.contextTokens())),
                    remember,
                    o.path("standardOnly").asBoolean(false));
        } catch (IOException | RuntimeException e) {
            return d;
        }
    }

    /** Writes the settings; the key only when {@link #rememberKey}, and then the file is readable by its owner only (where the file system allows). */
    public void save(Path configDir) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("url", url);
        o.put("model", model);
        o.put("contextTokens", contextTokens);
        o.put("rememberKey", rememberKey);
        o.put("standardOnly", standardOnly);
        if (rememberKey && !apiKey.isEmpty()) o.put("apiKey", apiKey);
        Path f = configDir.resolve(FILE);
        Files.createDirectories(configDir);
        AtomicFiles.write(f, JSON.writeValueAsBytes(o));
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file is in the user's profile, which other users cannot read by default
        }
    }
}
