package org.longform.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Finds and maps the weight files of a hub-style model folder: sharded or single, safetensors or
 * PyTorch pickle .bin. Safetensors wins when both are present (no pickle parsing at all).
 */
public final class Checkpoint {
    private Checkpoint() {}

    public static final String[] INDEX_FILES = {"model.safetensors.index.json", "pytorch_model.bin.index.json"};
    public static final String[] SINGLE_FILES = {"model.safetensors", "pytorch_model.bin"};

    /** All tensors of the folder, mapped in {@code arena}. */
    public static Map<String, Tensor> load(Path dir, Arena arena) {
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir, "model folder not found");
        for (String idx : INDEX_FILES) {
            Path p = dir.resolve(idx);
            if (Files.exists(p)) return loadIndexed(dir, p, arena);
        }
        for (String single : SINGLE_FILES) {
            Path p = dir.resolve(single);
            if (Files.exists(p)) return openShard(p, arena);
        }
        throw new ModelFormatException(
                dir, "no weights found (expected model.safetensors, pytorch_model.bin or a *.index.json for shards)");
    }

    static Map<String, Tensor> openShard(Path file, Arena arena) {
        String n = file.getFileName().toString();
        if (n.endsWith(".safetensors")) return SafeTensors.open(file, arena);
        if (n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth")) return TorchCheckpoint.open(file, arena);
        throw new ModelFormatException(file, "unknown weight file type (expected .safetensors or .bin)");
    }

    private static Map<String, Tensor> loadIndexed(Path dir, Path index, Arena arena) {
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(Files.readAllBytes(index)).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(index, "not valid JSON");
        }
        if (!map.isObject() || map.isEmpty()) throw new ModelFormatException(index, "has no weight_map");
        Map<String, String> want = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            want.put(e.getKey(), e.getValue().asText());
        }
        Map<String, Map<String, Tensor>> shards = new HashMap<>();
        for (String f : new TreeSet<>(want.values())) {
            if (f.contains("/") || f.contains("\\") || f.startsWith("."))
                throw new ModelFormatException(index, "shard name '" + f + "' is not a plain file name");
            Path p = dir.resolve(f);
            if (!Files.exists(p))
                throw new ModelFormatException(index, "names shard '" + f + "' which is missing from " + dir);
            shards.put(f, openShard(p, arena));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : want.entrySet()) {
            Tensor t = shards.get(e.getValue()).get(e.getKey());
            if (t == null) {
                throw new ModelFormatException(
                        index,
                        "says '" + e.getKey() + "' is in " + e.getValue() + ", but that shard does not contain it");
            }
            out.put(e.getKey(), t);
        }
        return out;
    }
}
