package org.longform.engine.cuda;

import jcuda.driver.CUresult;

/** Return-code checks for JCuda driver calls (JCuda's own exceptions stay off). */
final class Cu {
    private Cu() {}

    static final int OUT_OF_MEMORY = CUresult.CUDA_ERROR_OUT_OF_MEMORY;

    /** A failed driver call; {@link #rc} is the CUresult. */
    static final class Error extends RuntimeException {
        final int rc;

        Error(int rc, String what) {
            super(what + " failed: " + CUresult.stringFor(rc) + " (" + rc + ")");
            this.rc = rc;
        }
    }

    static void check(int rc, String what) {
        if (rc != CUresult.CUDA_SUCCESS) throw new Error(rc, what);
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    static String gib(long bytes) {
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }
}
