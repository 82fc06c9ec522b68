package org.longform.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code .longform-download.json} in a model folder: where it came from and which files are
 * verified, so a second run skips them without re-hashing gigabytes, and which checksum each
 * {@code .part} was started for, so a part left from an older commit is never resumed into a new one.
 */
record DownloadManifest(
        String endpoint,
        String repo,
        String revision,
        String commit,
        Map<String, String> verified,
        Map<String, String> partial) {
    static final String FILE = ".longform-download.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    DownloadManifest {
        verified = new TreeMap<>(verified == null ? Map.of() : verified);
        partial = new TreeMap<>(partial == null ? Map.of() : partial);
    }

    static DownloadManifest empty(DownloadPlan p) {
        return new DownloadManifest(p.endpoint(), p.repo(), p.revision(), p.commit(), Map.of(), Map.of());
    }

    /** The manifest in {@code dir}, or null when there is none or it cannot be read (then nothing is trusted). */
    static DownloadManifest read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        try {
            return JSON.readValue(f.toFile(), DownloadManifest.class);
        } catch (IOException e) {
            return null;
        }
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = dir.resolve(FILE + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
