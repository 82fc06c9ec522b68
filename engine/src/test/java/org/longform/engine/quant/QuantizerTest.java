package org.longform.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector q8_0 quantizer against its scalar reference: the same bytes and scales, bit for bit. */
class QuantizerTest {
    @Test
    void vectorQ8MatchesTheScalarReference() {
        Random rnd = new Random(3);
        int nb = 512;
        float[] x = new float[nb * 32 + 5];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * (i % 97 == 0 ? 5f : 0.02f);
        // edge blocks: all zero, exact ties of the rounding (k + 0.5 steps), a lone huge weight, tiny values
        for (int j = 0; j < 32; j++) {
            x[5 + j] = 0f;
            x[5 + 32 + j] = (j - 16) * 0.5f;
            x[5 + 64 + j] = j == 7 ? 1e4f : 1e-3f * j;
            x[5 + 96 + j] = 1e-30f * (j - 16);
        }
        byte[] qv = new byte[nb * 32], qs = new byte[nb * 32];
        short[] dv = new short[nb], ds = new short[nb];
        Quantizer.q8Vector(x, 5, nb, qv, dv);
        Quantizer.q8Scalar(x, 5, nb, qs, ds);
        assertArrayEquals(ds, dv, "scales");
        assertArrayEquals(qs, qv, "quants");
        assertEquals(0, qs[0], "an all-zero block quantizes to zeros");
        assertEquals(127, qs[64 + 7], "a block's largest weight lands on 127");
    }
}
