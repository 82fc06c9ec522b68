package org.longform.hub;

import java.util.LinkedHashMap;
import java.util.Map;
import org.longform.engine.io.gguf.GgufFile;

/**
 * The header of a GGUF file (llama.cpp's format): version, tensor count and the scalar metadata
 * (architecture, name, context length, ...), taken from the engine's {@link GgufFile} (which
 * checks the whole header and tensor table), so a file is parsed once.
 */
public record GgufInfo(int version, long tensorCount, Map<String, Object> metadata) {
    public String architecture() {
        return String.valueOf(metadata.getOrDefault("general.architecture", "unknown"));
    }

    public String name() {
        Object n = metadata.get("general.name");
        return n != null ? n.toString() : null;
    }

    /** {@code ARCH.context_length}, or 0 when absent. */
    public long contextLength() {
        return metadata.get(architecture() + ".context_length") instanceof Number n ? n.longValue() : 0;
    }

    /** The header of an opened file: its scalar metadata (token lists and other arrays are left out). */
    public static GgufInfo of(GgufFile f) {
        Map<String, Object> meta = new LinkedHashMap<>();
        f.metadata().forEach((k, v) -> {
            if (v instanceof String || v instanceof Number || v instanceof Boolean) meta.put(k, v);
        });
        return new GgufInfo(f.version(), f.tensors().size(), Map.copyOf(meta));
    }
}
