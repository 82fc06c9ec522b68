package org.longform.server;

/**
 * A request the server refuses, with the HTTP status and a message meant for the client. Thrown
 * anywhere while handling a request; {@link ApiHandler} turns it into the API's error JSON (never a
 * stack trace).
 *
 * @param type short machine-readable kind, e.g. {@code invalid_request_error}
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;

    public ApiException(int status, String type, String param, String message) {
        super(message, null, false, false); // no stack trace: this is an answer, not a bug
        this.status = status;
        this.type = type;
        this.param = param;
    }

    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }
}
