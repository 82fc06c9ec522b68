package org.longform.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.longform.engine.gen.Generator;

/**
 * The HTTP server behind {@code longform serve}: Jetty 12 (core handlers, no servlets) in front
 * of one {@link Engine}. Limits live here (connections, header size, idle timeout) and
 * per request (body size and rate in Exchange, max_tokens, streams and queue in Generations/Engine).
 */
public final class LongformServer implements AutoCloseable {
    /** Bytes the kernel holds for one client: thousands of streamed tokens, or a long JSON answer. */
    static final int SEND_BUFFER = 64 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final Engine engine;
    private final ServerConfig config;

    private LongformServer(ServerConfig config, Generator generator) {
        this.config = config;
        this.engine = new Engine(generator, config.maxQueue());
        // Every streaming client holds a thread while it waits; bound them with the stream and queue limits.
        QueuedThreadPool pool = new QueuedThreadPool(config.maxStreams() + config.maxQueue() + 16, 4);
        pool.setName("longform-http");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setRequestHeaderSize(16 * 1024);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        // A fixed send buffer (no kernel autotuning up to megabytes): a client that stops reading
        // backs up after SEND_BUFFER bytes, so its next write waits and the write timeout drops it.
        connector.setAcceptedSendBufferSize(SEND_BUFFER);
        server.addConnector(connector);
        // Cap open connections so idle or slow clients cannot exhaust threads and file descriptors.
        server.addBean(new NetworkConnectionLimit(config.maxConnections(), server));
        server.setHandler(new ApiHandler(config, engine));
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(2000);
    }

    /**
     * Binds and starts serving. The caller keeps ownership of {@code generator} (close it after
     * {@link #close()}).
     */
    public static LongformServer start(ServerConfig config, Generator generator) throws Exception {
        LongformServer s = new LongformServer(config, generator);
        try {
            s.server.start();
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The bound port (the real one when the config asked for 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public URI uri() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create("http://" + h + ":" + port());
    }

    public Engine engine() {
        return engine;
    }

    public ServerConfig config() {
        return config;
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        engine.close(); // cancels generations first so streaming handlers finish promptly
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("longform serve: error while stopping: " + e.getMessage());
        }
    }

    /** Errors Jetty produces itself (bad request line, headers too large...): JSON, no stack trace. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() > 0 ? response.getStatus() : 500;
            Object code = request.getAttribute(ERROR_STATUS);
            if (code instanceof Integer i) status = i;
            Object msg = request.getAttribute(ERROR_MESSAGE);
            String text = msg != null ? msg.toString() : HttpStatus.getMessage(status);
            ObjectNode error = Exchange.JSON.createObjectNode();
            error.putObject("error")
                    .put("message", text)
                    .put("type", "http_error")
                    .putNull("param")
                    .put("code", status);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(error.toString().getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
