package org.longform.engine.cuda;

/** The GPU cannot be used for this (no driver, old driver or GPU, out of memory, unsupported model); the message says why. */
public class CudaUnavailableException extends RuntimeException {
    public CudaUnavailableException(String reason) {
        super(reason);
    }

    public CudaUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
