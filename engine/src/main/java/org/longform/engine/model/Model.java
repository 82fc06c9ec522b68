package org.longform.engine.model;

import org.longform.engine.io.Checkpoint;
import org.longform.engine.io.ModelFormatException;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/** A loaded MPT model: config and mapped weights. Closing it unmaps the files. */
public final class Model implements AutoCloseable {
    private final Path dir;
    private final Config config;
    private final Weights weights;
    private final Arena arena;

    private Model(Path dir, Config config, Weights weights, Arena arena) {
        this.dir = dir;
        this.config = config;
        this.weights = weights;
        this.arena = arena;
    }

    public static Model load(Path dir) {
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir, "model folder not found");
        Config cfg = Config.load(dir.resolve("config.json"));
        Arena arena = Arena.ofShared();
        try {
            Weights w = new Weights(cfg, Checkpoint.load(dir, arena), dir);
            return new Model(dir, cfg, w, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path dir() { return dir; }

    public Config config() { return config; }

    public Weights weights() { return weights; }

    /** The model folder's own tokenizer.json if it has one, else null (use the bundled GPT-NeoX-20B one). */
    public Path tokenizerFile() {
        Path p = dir.resolve("tokenizer.json");
        return Files.isRegularFile(p) ? p : null;
    }

    @Override
    public void close() { arena.close(); }
}
