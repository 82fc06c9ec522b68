package org.longform.hub;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few Hugging Face hub endpoints a download needs:
 * <ul>
 *   <li>{@code GET /api/models/REPO/revision/REV} → {@code {"sha": COMMIT}} pins a branch to a commit;</li>
 *   <li>{@code GET /api/models/REPO/tree/COMMIT?recursive=true} lists files with size, git oid and
 *       {@code lfs.oid} (sha256), paged with a {@code Link: <...>; rel="next"} header;</li>
 *   <li>{@code GET /REPO/resolve/COMMIT/PATH} serves a file, LFS files through a redirect to a CDN.</li>
 * </ul>
 * HttpURLConnection rather than java.net.http: it has a per-read timeout, so a stalled connection
 * fails (and resumes) instead of hanging forever. Redirects are followed by hand so the Range header
 * goes to every hop and the token never leaves the hub's host.
 */
public final class HubClient {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String token;
    private final Duration connectTimeout, readTimeout;

    public HubClient(String endpoint, String token, Duration connectTimeout, Duration readTimeout) {
        String e = Objects.requireNonNull(endpoint, "endpoint").strip();
        while (e.endsWith("/")) e = e.substring(0, e.length() - 1);
        try {
            this.endpoint = URI.create(e + "/");
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' is not a URL", ex);
        }
        if (this.endpoint.getScheme() == null || !this.endpoint.getScheme().matches("https?")) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' must start with http:// or https://");
        }
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** The endpoint from {@code HF_ENDPOINT} (as huggingface_hub reads it) or the public hub; the token from {@code HF_TOKEN}. */
    public static HubClient fromEnvironment(String endpointOverride) {
        String ep = endpointOverride != null ? endpointOverride : System.getenv("HF_ENDPOINT");
        if (ep == null || ep.isBlank()) ep = DEFAULT_ENDPOINT;
        return new HubClient(ep, System.getenv("HF_TOKEN"), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    public String endpoint() {
        String s = endpoint.toString();
        return s.substring(0, s.length() - 1);
    }

    /** Checks "owner/name" before it goes into a URL. */
    public static String checkRepo(String repo) {
        if (repo == null || !repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(
                    "repository must look like owner/name (e.g. mosaicml/mpt-7b-storywriter), got '" + repo + "'");
        }
        return repo;
    }

    /** The commit a branch, tag or commit id points to now. */
    public String resolveCommit(String repo, String revision) throws IOException {
        JsonNode info =
                getJson(endpoint.resolve("api/models/" + checkRepo(repo) + "/revision/" + segment(revision)), repo);
        String sha = info.path("sha").asText("");
        if (!sha.matches("[0-9a-f]{7,64}")) {
            throw new HubException(repo + "@" + revision + ": the hub's answer has no commit id (\"sha\")");
        }
        return sha;
    }

    /** Every file of the repository at {@code commit}, following the listing's pages. */
    public List<RepoFile> listFiles(String repo, String commit) throws IOException {
        List<RepoFile> files = new ArrayList<>();
        URI next = endpoint.resolve("api/models/" + checkRepo(repo) + "/tree/" + segment(commit) + "?recursive=true");
        for (int page = 0; next != null; page++) {
            if (page > 10_000) throw new HubException(repo + ": file listing does not end (over 10,000 pages)");
            HttpURLConnection c = open(next, 0);
            int code = c.getResponseCode();
            if (code != 200) throw httpError(c, code, repo, "listing files");
            JsonNode arr;
            try (InputStream in = c.getInputStream()) {
                arr = JSON.readTree(in);
            }
            if (arr == null || !arr.isArray()) throw new HubException(repo + ": file listing is not a JSON array");
            for (JsonNode n : arr) {
                if (!"file".equals(n.path("type").asText())) continue; // directories: their files are listed too
                JsonNode lfs = n.path("lfs");
                String sha256 = lfs.isObject() ? lfs.path("oid").asText(null) : null;
                if (sha256 != null && sha256.startsWith("sha256:")) sha256 = sha256.substring(7);
                long size = lfs.isObject() && lfs.has("size")
                        ? lfs.path("size").asLong()
                        : n.path("size").asLong();
                String oid = n.path("oid").asText(null);
                files.add(new RepoFile(n.path("path").asText(), size, sha256, oid));
            }
            next = nextPage(c.getHeaderField("Link"), next);
        }
        return files;
    }

    /** The URL of one file at one commit (it may redirect). */
    public URI fileUrl(String repo, String commit, String path) {
        StringBuilder sb =
                new StringBuilder(checkRepo(repo)).append("/resolve/").append(segment(commit));
        for (String part : path.split("/")) sb.append('/').append(segment(part));
        return endpoint.resolve(sb.toString());
    }

    /**
     * Opens a GET, following up to 10 redirects; {@code from > 0} asks for the bytes from that
     * offset on. The caller reads the status (200, 206, 416, errors) and closes the connection.
     */
    public HttpURLConnection open(URI uri, long from) throws IOException {
        URI cur = uri;
        for (int hop = 0; hop <= 10; hop++) {
            HttpURLConnection c = (HttpURLConnection) cur.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) connectTimeout.toMillis());
            c.setReadTimeout((int) readTimeout.toMillis());
            c.setRequestProperty(
                    "User-Agent", "longform/0.1 (+java " + Runtime.version().feature() + ")");
            c.setRequestProperty("Accept-Encoding", "identity"); // byte offsets must be offsets into the file
            if (token != null && sameOrigin(cur, endpoint)) c.setRequestProperty("Authorization", "Bearer " + token);
            if (from > 0) c.setRequestProperty("Range", "bytes=" + from + "-");
            int code = status(c, cur);
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                String loc = c.getHeaderField("Location");
                drain(c);
                if (loc == null) throw new HubException(cur + ": redirect without a Location header");
                cur = cur.resolve(loc);
                continue;
            }
            return c;
        }
        throw new HubException(uri + ": more than 10 redirects");
    }

    /**
     * The response status, with network failures said in words (the JDK's messages are a bare host
     * name or "Connection refused"). Plain IOExceptions, not HubExceptions: a download retries them.
     */
    private static int status(HttpURLConnection c, URI uri) throws IOException {
        String where = uri.getScheme() + "://" + uri.getAuthority();
        try {
            return c.getResponseCode();
        } catch (UnknownHostException e) {
            throw new IOException(
                    "cannot reach " + where + ": unknown host " + uri.getHost()
                            + " (offline? HF_ENDPOINT or --endpoint can name a mirror)",
                    e);
        } catch (ConnectException e) {
            throw new IOException("cannot connect to " + where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new IOException(where + " did not answer in time (" + e.getMessage() + ")", e);
        }
    }

    HubException httpError(HttpURLConnection c, int code, String repo, String doing) {
        String body = "";
        try (InputStream err = c.getErrorStream()) {
            if (err != null)
                body = new String(err.readNBytes(300), StandardCharsets.UTF_8)
                        .replaceAll("\\s+", " ")
                        .strip();
        } catch (IOException ignored) {
            // the status alone still says what went wrong
        }
        String hint = switch (code) {
            case 401, 403 -> ": the repository is private or gated; accept its terms on the hub and set HF_TOKEN";
            case 404 -> ": no such repository, revision or file on " + endpoint();
            case 429 -> ": the hub is rate-limiting; wait a minute and run again";
            default -> code >= 500 ? ": the hub failed; run again later to resume" : "";
        };
        return new HubException(
                repo + ": HTTP " + code + " while " + doing + hint + (body.isEmpty() ? "" : " (" + body + ")"));
    }

    private JsonNode getJson(URI uri, String repo) throws IOException {
        HttpURLConnection c = open(uri, 0);
        int code = c.getResponseCode();
        if (code != 200) throw httpError(c, code, repo, "asking for the revision");
        try (InputStream in = c.getInputStream()) {
            return JSON.readTree(in);
        } catch (JacksonException e) {
            throw new HubException(repo + ": the hub's answer from " + uri + " is not JSON", e);
        }
    }

    static URI nextPage(String link, URI base) {
        if (link == null) return null;
        Matcher m = NEXT_LINK.matcher(link);
        return m.find() ? base.resolve(m.group(1)) : null;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme())
                && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    /** One URL path segment: a branch like "refs/pr/1" becomes "refs%2Fpr%2F1", as the hub expects. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void drain(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream() != null ? c.getErrorStream() : c.getInputStream()) {
            if (in != null) in.readNBytes(64 * 1024);
        } catch (IOException ignored) {
            // a redirect body is never needed
        }
    }
}
