package org.longform.hub;

import java.io.IOException;

/** A download problem a person can act on; the message names the repository or file and the problem. */
public class HubException extends IOException {
    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
