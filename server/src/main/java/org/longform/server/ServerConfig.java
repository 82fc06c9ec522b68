package org.longform.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How {@code longform serve} listens and what it lets clients do.
 *
 * @param host             address to bind; loopback by default
 * @param port             TCP port (0 = any free port, for tests)
 * @param apiKey           required as {@code Authorization: Bearer KEY} when non-null
 * @param allowNoKey       bind a non-loopback address without a key anyway (the operator said so)
 * @param modelName        the id reported by /v1/models and /api/v1/model
 * @param maxBodyBytes     largest request body accepted (413 above)
 * @param maxTokensLimit   largest max_tokens / max_length accepted (400 above)
 * @param maxStreams       concurrent streaming responses (429 above)
 * @param maxQueue         generation requests waiting or running at once (503 above)
 * @param maxConnections   open TCP connections; the acceptor pauses above (slow-loris bound)
 * @param idleTimeout      a connection that sends or accepts nothing for this long is closed
 * @param keepAlive        interval of SSE comments while a stream waits (detects gone clients)
 * @param writeTimeout     a stream write the client has not taken in this long drops the stream and
 *                         cancels its generation (a client that stopped reading frees the engine)
 * @param corsOrigin       Access-Control-Allow-Origin value, or null for no CORS headers
 */
public record ServerConfig(
        String host,
        int port,
        String apiKey,
        boolean allowNoKey,
        String modelName,
        long maxBodyBytes,
        int maxTokensLimit,
        int maxStreams,
        int maxQueue,
        int maxConnections,
        Duration idleTimeout,
        Duration keepAlive,
        Duration writeTimeout,
        String corsOrigin) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 5001; // KoboldCpp's port: front ends look there first

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("--host must not be empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("--api-key must not be blank");
        if (modelName == null || modelName.isBlank())
            throw new IllegalArgumentException("model name must not be empty");
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("--max-body-kb must be at least 1");
        if (maxTokensLimit < 1) throw new IllegalArgumentException("--max-tokens-limit must be >= 1");
        if (maxStreams < 1) throw new IllegalArgumentException("--max-streams must be >= 1");
        if (maxQueue < 1) throw new IllegalArgumentException("--max-queue must be >= 1");
        if (maxConnections < 2) throw new IllegalArgumentException("--max-connections must be >= 2");
        if (idleTimeout.isNegative() || idleTimeout.isZero())
            throw new IllegalArgumentException("--idle-timeout must be > 0");
        if (keepAlive.isNegative() || keepAlive.isZero())
            throw new IllegalArgumentException("keep-alive interval must be > 0");
        if (writeTimeout.isNegative() || writeTimeout.isZero())
            throw new IllegalArgumentException("--write-timeout must be > 0");
    }

    public static ServerConfig defaults(String modelName) {
        return new ServerConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                null,
                false,
                modelName,
                8L << 20,
                4096,
                8,
                32,
                64,
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                "*");
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(
                h,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(
                host,
                p,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withApiKey(String k) {
        return new ServerConfig(
                host,
                port,
                k,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withAllowNoKey(boolean b) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                b,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withMaxBodyBytes(long n) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                n,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withMaxTokensLimit(int n) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                n,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withMaxStreams(int n) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                n,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withMaxQueue(int n) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                n,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withMaxConnections(int n) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                n,
                idleTimeout,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withIdleTimeout(Duration d) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                d,
                keepAlive,
                writeTimeout,
                corsOrigin);
    }

    public ServerConfig withCorsOrigin(String o) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                writeTimeout,
                o);
    }

    public ServerConfig withWriteTimeout(Duration d) {
        return new ServerConfig(
                host,
                port,
                apiKey,
                allowNoKey,
                modelName,
                maxBodyBytes,
                maxTokensLimit,
                maxStreams,
                maxQueue,
                maxConnections,
                idleTimeout,
                keepAlive,
                d,
                corsOrigin);
    }

    /** True when {@link #host} names only this machine (127.0.0.0/8, ::1, localhost). */
    public boolean isLoopback() {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--host " + host + ": unknown host");
        }
    }

    /**
     * The bind policy, checked before anything is loaded or bound: a non-loopback address needs an
     * API key, or {@code --insecure-no-key} to say the operator means it (then a warning is returned).
     *
     * @return warnings to print; empty when all is well
     * @throws IllegalArgumentException when the server must not start
     */
    public List<String> checkBindPolicy() {
        List<String> warnings = new ArrayList<>();
        if (isLoopback()) return warnings;
        if (apiKey == null && !allowNoKey) {
            throw new IllegalArgumentException(
                    "refusing to listen on " + host + " without an API key: anyone who can reach this "
                            + "address could use the model. Pass --api-key KEY (or set LONGFORM_API_KEY), bind 127.0.0.1, "
                            + "or pass --insecure-no-key if the network is private.");
        }
        if (apiKey == null) {
            warnings.add("WARNING: listening on " + host
                    + " with no API key (--insecure-no-key): anyone who can reach it can generate.");
        }
        warnings.add("note: traffic is plain HTTP; put a TLS proxy in front when it crosses an untrusted network.");
        return warnings;
    }
}
