package org.longform.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for the Hugging Face hub, serving one repository the way the hub does:
 * {@code /api/models/R/revision/REV} → commit, {@code /api/models/R/tree/COMMIT?recursive=true}
 * paged with a Link header, {@code /R/resolve/COMMIT/PATH} (small files directly, LFS files by a
 * 302 to {@code /cdn/SHA256} with X-Linked-Etag), and Range requests on the CDN. Faults on demand:
 * drop the connection mid-body, corrupt a file, ignore ranges. Every request is logged.
 */
public final class FakeHub implements AutoCloseable {
    public static final String REPO = "test-org/tiny-mpt";
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    public record Request(String path, String range) {}

    record Served(String path, byte[] bytes, boolean lfs, String sha256, String gitOid) {}

    final Map<String, Served> files = new LinkedHashMap<>();
    final List<Request> log = Collections.synchronizedList(new ArrayList<>());
    /** path → bytes to send before dropping the connection, for the next N requests (count in dropTimes). */
    final Map<String, Long> dropAfter = new ConcurrentHashMap<>();

    final Map<String, AtomicInteger> dropTimes = new ConcurrentHashMap<>();
    final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
    /** path → a gate the server waits on after sending the drop's bytes, so a test can act while the file is half-sent. */
    final Map<String, CountDownLatch> holdBeforeDrop = new ConcurrentHashMap<>();

    volatile boolean ignoreRange;
    volatile int pageSize = 2;
    private final HttpServer server;

    public FakeHub(Path fixtureDir) throws IOException {
        add("config.json", Files.readAllBytes(fixtureDir.resolve("config.json")), false);
        add("model.safetensors", Files.readAllBytes(fixtureDir.resolve("model.safetensors")), true);
        add("README.md", "# tiny-mpt\nA fixture.\n".getBytes(StandardCharsets.UTF_8), false);
        add("flax_model.msgpack", new byte[1234], true); // another framework's weights: skipped by default
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    void add(String path, byte[] bytes, boolean lfs) {
        files.put(
                path,
                new Served(
                        path,
                        bytes,
                        lfs,
                        hex("SHA-256", new byte[0], bytes),
                        hex("SHA-1", ("blob " + bytes.length + "\0").getBytes(StandardCharsets.US_ASCII), bytes)));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void dropOnce(String path, long afterBytes) {
        drop(path, afterBytes, 1);
    }

    void drop(String path, long afterBytes, int times) {
        dropAfter.put(path, afterBytes);
        dropTimes.put(path, new AtomicInteger(times));
    }

    /** Sends {@code afterBytes} of {@code path}, then holds the connection open until the returned gate opens, then drops it. */
    public CountDownLatch holdThenDrop(String path, long afterBytes) {
        var gate = new CountDownLatch(1);
        holdBeforeDrop.put(path, gate);
        dropOnce(path, afterBytes);
        return gate;
    }

    /** Serves {@code path} with one byte flipped, so its checksum fails. */
    public void corrupt(String path) {
        corrupt.put(path, true);
    }

    public List<Request> requestsFor(String prefix) {
        synchronized (log) {
            return log.stream().filter(r -> r.path().startsWith(prefix)).toList();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath(),
                query = ex.getRequestURI().getRawQuery();
        log.add(new Request(path, ex.getRequestHeaders().getFirst("Range")));
        try (ex) {
            String api = "/api/models/" + REPO + "/";
            if (path.equals(api + "revision/main") || path.equals(api + "revision/" + COMMIT)) {
                json(ex, "{\"id\":\"" + REPO + "\",\"sha\":\"" + COMMIT + "\"}", null);
            } else if (path.equals(api + "tree/" + COMMIT)) {
                tree(ex, query);
            } else if (path.startsWith("/" + REPO + "/resolve/" + COMMIT + "/")) {
                Served f = files.get(path.substring(("/" + REPO + "/resolve/" + COMMIT + "/").length()));
                if (f == null) {
                    send(ex, 404, "Entry not found");
                    return;
                }
                ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                if (f.lfs()) {
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + f.sha256() + "\"");
                    ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(f.bytes().length));
                    ex.getResponseHeaders().add("Location", "/cdn/" + f.sha256() + "?file=" + f.path());
                    ex.sendResponseHeaders(302, -1);
                } else {
                    body(ex, f);
                }
            } else if (path.startsWith("/cdn/")) {
                String sha = path.substring(5);
                Served f = files.values().stream()
                        .filter(s -> s.sha256().equals(sha))
                        .findFirst()
                        .orElse(null);
                if (f == null) send(ex, 404, "no such object");
                else body(ex, f);
            } else {
                send(ex, 404, "Repository not found");
            }
        }
    }

    private void tree(HttpExchange ex, String query) throws IOException {
        int from = 0;
        if (query != null && query.contains("cursor="))
            from = Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1"));
        List<Served> all = new ArrayList<>(files.values());
        StringBuilder sb = new StringBuilder("[");
        if (from == 0) sb.append("{\"type\":\"directory\",\"oid\":\"abc\",\"size\":0,\"path\":\"docs\"}");
        for (int i = from; i < Math.min(all.size(), from + pageSize); i++) {
            Served f = all.get(i);
            if (sb.length() > 1) sb.append(',');
            sb.append("{\"type\":\"file\",\"oid\":\"")
                    .append(f.lfs() ? "f00d" : f.gitOid())
                    .append("\",\"size\":")
                    .append(f.bytes().length)
                    .append(",\"path\":\"")
                    .append(f.path())
                    .append('"');
            if (f.lfs())
                sb.append(",\"lfs\":{\"oid\":\"")
                        .append(f.sha256())
                        .append("\",\"size\":")
                        .append(f.bytes().length)
                        .append(",\"pointerSize\":134}");
            sb.append('}');
        }
        sb.append(']');
        String next = from + pageSize < all.size()
                ? "</api/models/" + REPO + "/tree/" + COMMIT + "?recursive=true&cursor=" + (from + pageSize)
                        + ">; rel=\"next\""
                : null;
        json(ex, sb.toString(), next);
    }

    private void body(HttpExchange ex, Served f) throws IOException {
        byte[] b = f.bytes();
        if (corrupt.getOrDefault(f.path(), false)) {
            b = b.clone();
            b[b.length / 2] ^= 0x5a;
        }
        long from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        int code = 200;
        if (range != null && !ignoreRange) {
            from = Long.parseLong(range.replaceAll("bytes=(\\d+)-.*", "$1"));
            if (from >= b.length) {
                ex.sendResponseHeaders(416, -1);
                return;
            }
            code = 206;
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        }
        ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        long len = b.length - from;
        ex.sendResponseHeaders(code, len);
        OutputStream out = ex.getResponseBody();
        AtomicInteger times = dropTimes.get(f.path());
        if (times != null && times.getAndDecrement() > 0) {
            long n = Math.min(len, dropAfter.get(f.path()));
            out.write(b, (int) from, (int) n);
            out.flush();
            var gate = holdBeforeDrop.remove(f.path());
            if (gate != null) {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // fewer bytes than Content-Length: closing makes the server drop the connection mid-body
            throw new IOException("fake hub: dropping the connection after " + n + " bytes");
        }
        out.write(b, (int) from, (int) len);
    }

    private static void json(HttpExchange ex, String body, String link) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        if (link != null) ex.getResponseHeaders().add("Link", link);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
    }

    private static void send(HttpExchange ex, int code, String msg) throws IOException {
        byte[] b = msg.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
    }

    static String hex(String alg, byte[] prefix, byte[] bytes) {
        try {
            MessageDigest md = MessageDigest.getInstance(alg);
            md.update(prefix);
            return HexFormat.of().formatHex(md.digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        holdBeforeDrop.values().forEach(CountDownLatch::countDown);
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
