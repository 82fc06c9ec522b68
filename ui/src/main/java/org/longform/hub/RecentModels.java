package org.longform.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The models a person opened or downloaded, most recent first, kept in a small JSON file
 * ({@link AppDirs#recentModelsFile()}). A missing or damaged file reads as an empty list: the list
 * is a convenience and must never stop the app from starting.
 */
public final class RecentModels {
    public record Entry(Path path, LocalModel.Kind kind, String name, Instant lastOpened) {
        /** The model may have been moved or deleted since; the UI greys such entries out. */
        public boolean exists() {
            return Files.exists(path);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Path file;
    private final int max;

    public RecentModels(Path file, int max) {
        this.file = file;
        this.max = max;
    }

    public static RecentModels standard() {
        return new RecentModels(AppDirs.detect().recentModelsFile(), 12);
    }

    public Path file() {
        return file;
    }

    public synchronized List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) return out;
        try {
            for (JsonNode n : JSON.readTree(file.toFile()).path("models")) {
                try {
                    out.add(new Entry(
                            Path.of(n.path("path").asText()),
                            LocalModel.Kind.valueOf(n.path("kind").asText()),
                            n.path("name").asText(),
                            Instant.parse(n.path("lastOpened").asText())));
                } catch (RuntimeException skip) {
                    // one bad entry (hand-edited file, older format) is dropped, the rest kept
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** Puts {@code model} first (replacing an older entry for the same path) and keeps at most {@code max}. */
    public synchronized List<Entry> add(LocalModel model) throws IOException {
        return add(new Entry(model.path(), model.kind(), model.name(), Instant.now()));
    }

    public synchronized List<Entry> add(Entry e) throws IOException {
        List<Entry> list = list();
        list.removeIf(x -> x.path().equals(e.path()));
        list.addFirst(e);
        while (list.size() > max) list.removeLast();
        save(list);
        return list;
    }

    public synchronized List<Entry> remove(Path path) throws IOException {
        List<Entry> list = list();
        list.removeIf(x ->
                x.path().equals(path.toAbsolutePath().normalize()) || x.path().equals(path));
        save(list);
        return list;
    }

    private void save(List<Entry> list) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("models");
        for (Entry e : list) {
            arr.addObject()
                    .put("path", e.path().toString())
                    .put("kind", e.kind().name())
                    .put("name", e.name())
                    .put("lastOpened", e.lastOpened().toString());
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), root); // written aside, then moved: a crash never leaves half a file
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
