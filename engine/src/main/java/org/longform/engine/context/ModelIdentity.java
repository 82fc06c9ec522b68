package org.longform.engine.context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A fingerprint of a model folder, so a saved KV cache is only ever used with the weights that
 * made it: SHA-256 over config.json and, for every weight file, its name, size, modification time
 * and sampled content (head, tail and 16 evenly spaced 4 KiB pieces). Sampling alone could miss an
 * edit in place, the time catches it; the price is that copying a model without keeping times makes
 * its saved caches stale, which only costs a recompute.
 */
public final class ModelIdentity {
    private ModelIdentity() {}

    private static final int SAMPLE = 4096, PIECES = 16, EDGE = 65536;

    public static byte[] of(Path modelDir) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("longform-model-identity-v1".getBytes(StandardCharsets.UTF_8));
            List<Path> files;
            try (Stream<Path> s = Files.list(modelDir)) {
                files = s.filter(p -> Files.isRegularFile(p)
                                && weightOrConfig(p.getFileName().toString()))
                        .sorted()
                        .toList();
            }
            for (Path f : files) {
                md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                long size = Files.size(f);
                md.update(ByteBuffer.allocate(16)
                        .putLong(0, size)
                        .putLong(8, Files.getLastModifiedTime(f).toMillis()));
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    sample(ch, md, 0, Math.min(size, EDGE));
                    sample(ch, md, Math.max(0, size - EDGE), Math.min(size, EDGE));
                    for (int i = 1; i <= PIECES; i++) sample(ch, md, size * i / (PIECES + 1), Math.min(SAMPLE, size));
                }
            }
            return md.digest();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint the model in " + modelDir + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] id) {
        return HexFormat.of().formatHex(id);
    }

    private static boolean weightOrConfig(String name) {
        return name.equals("config.json")
                || name.endsWith(".safetensors")
                || name.endsWith(".bin")
                || name.endsWith(".index.json");
    }

    private static void sample(FileChannel ch, MessageDigest md, long at, long len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(len, Math.max(0, ch.size() - at)));
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) break;
        }
        b.flip();
        md.update(b);
    }
}
