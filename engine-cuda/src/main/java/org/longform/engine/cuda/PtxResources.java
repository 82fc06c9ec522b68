package org.longform.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The committed PTX (tools/build-ptx.sh): NAME.sm_80.ptx and NAME.sm_90.ptx per kernel file. A
 * device gets the newest build its compute capability can JIT (sm_90 PTX for Hopper and later,
 * sm_80 PTX for Ampere and Ada).
 */
final class PtxResources {
    static final String DIR = "/org/longform/engine/cuda/";
    static final int[] ARCHS = {90, 80};

    private PtxResources() {}

    static int archFor(int ccMajor, int ccMinor) {
        int cc = ccMajor * 10 + ccMinor;
        for (int a : ARCHS) if (cc >= a) return a;
        throw new CudaUnavailableException("compute capability " + ccMajor + "." + ccMinor + " is below 8.0");
    }

    static String name(String module, int arch) {
        return module + ".sm_" + arch + ".ptx";
    }

    /** The PTX text, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] image(String module, int arch) {
        byte[] text = read(name(module, arch));
        byte[] z = new byte[text.length + 1];
        System.arraycopy(text, 0, z, 0, text.length);
        return z;
    }

    static String text(String module, int arch) {
        return new String(read(name(module, arch)), StandardCharsets.UTF_8);
    }

    static byte[] read(String file) {
        try (InputStream in = PtxResources.class.getResourceAsStream(DIR + file)) {
            if (in == null)
                throw new CudaUnavailableException("PTX resource " + DIR + file + " is missing from the engine jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
