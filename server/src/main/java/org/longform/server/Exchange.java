package org.longform.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP request and its response, with the blocking helpers the API classes need: read a
 * bounded body, answer JSON, or stream server-sent events. Handlers run on their own pool thread,
 * so blocking here is fine and keeps the code straight-line.
 */
final class Exchange {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Slowest average body rate accepted after the first seconds of a body. */
    static final int MIN_BYTES_PER_S = 1024;

    static final double RATE_GRACE_S = 2;

    final Request request;
    final Response response;
    private final Callback callback;
    private final Duration writeTimeout;
    private boolean completed;
    private boolean streaming;

    Exchange(Request request, Response response, Callback callback, Duration writeTimeout) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.writeTimeout = writeTimeout;
    }

    String method() {
        return request.getMethod();
    }

    String path() {
        return Request.getPathInContext(request);
    }

    String header(HttpHeader h) {
        return request.getHeaders().get(h);
    }

    boolean isStreaming() {
        return streaming;
    }

    boolean isCompleted() {
        return completed;
    }

    /**
     * The request body, at most {@code max} bytes. A declared length over the limit is refused
     * before reading anything; a chunked body is cut off as soon as it passes the limit.
     */
    byte[] body(long max) {
        long declared = request.getLength();
        if (declared > max) throw tooLarge(max);
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), max));
        byte[] buf = new byte[16 * 1024];
        long t0 = System.nanoTime();
        try (InputStream in = Content.Source.asInputStream(request)) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (out.size() + n > max) throw tooLarge(max);
                out.write(buf, 0, n);
                // each byte may beat the idle timeout; the average rate must not crawl (slow-loris bodies)
                double s = (System.nanoTime() - t0) / 1e9;
                if (s > RATE_GRACE_S && out.size() / s < MIN_BYTES_PER_S) {
                    throw new ApiException(
                            408,
                            "request_timeout",
                            null,
                            "the request body arrives slower than " + MIN_BYTES_PER_S + " bytes/s; send it at once");
                }
            }
        } catch (IOException e) {
            // idle timeout while the client trickles its body, or the client went away
            throw new ApiException(
                    408,
                    "request_timeout",
                    null,
                    "could not read the request body: "
                            + (e.getMessage() != null
                                    ? e.getMessage()
                                    : e.getClass().getSimpleName()));
        }
        return out.toByteArray();
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(
                413,
                "request_too_large",
                null,
                "request body is larger than the server's limit of " + max + " bytes (--max-body-kb)");
    }

    /** Sends {@code value} as JSON with {@code status} and completes the exchange. */
    void json(int status, Object value) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the response as JSON", e);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        finish(ByteBuffer.wrap(bytes));
    }

    void empty(int status) {
        response.setStatus(status);
        finish(ByteBuffer.allocate(0));
    }

    private void finish(ByteBuffer content) {
        completed = true;
        response.write(true, content, callback);
    }

    /** Commits a 200 text/event-stream response; events follow with {@link #event}. */
    void startEvents() throws IOException {
        streaming = true;
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no"); // proxies: do not hold tokens back
        Content.Sink.write(response, false, ByteBuffer.allocate(0));
    }

    /**
     * Writes raw SSE text now; throws when the client has gone (which cancels its generation) or
     * has not taken the bytes within {@code writeTimeout}. Jetty's idle timeout alone would let a
     * client that stopped reading hold its generation for the whole idle time; the socket's
     * buffers are the only bytes held for it.
     */
    void event(String raw) throws IOException {
        Callback.Completable done = new Callback.Completable();
        response.write(false, ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8)), done);
        try {
            done.get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the client stopped reading: a write waited more than " + writeTimeout.toSeconds()
                    + " s (--write-timeout); the stream is dropped");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(c == null ? e : c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to the client");
        }
    }

    void endEvents() {
        finish(ByteBuffer.allocate(0));
    }

    private boolean probeDone;

    /**
     * True once the client has closed its side of the connection. Jetty only notices a close when
     * it reads or writes, and a non-streaming request does neither while the engine works, so we
     * look at the socket ourselves: a non-blocking read of at most one byte. -1 means gone. A byte
     * means the client pipelined its next request early (rare for POSTs); we cannot give it back,
     * so this response closes the connection and probing stops.
     */
    boolean clientGone() {
        if (probeDone) return false;
        if (!(request.getConnectionMetaData().getConnection().getEndPoint() instanceof SocketChannelEndPoint ep)) {
            probeDone = true; // another transport: rely on Jetty's failure listener
            return false;
        }
        try {
            int n = ep.getChannel().read(ByteBuffer.allocate(1));
            if (n < 0) return true;
            if (n > 0) {
                probeDone = true;
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** The client is gone or the stream broke: abort the response without writing more. */
    void abort(Throwable why) {
        completed = true;
        callback.failed(why);
    }
}
