package org.longform.server.remote;

/**
 * A remote completions server refused or failed a request, or could not be reached. The message
 * is one line for the writer: the URL, the HTTP status when there is one, and the server's own
 * error message.
 */
public final class RemoteException extends RuntimeException {
    private final int status;

    public RemoteException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when the server was not reached or the stream broke. */
    public int status() {
        return status;
    }
}
