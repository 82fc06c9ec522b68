package org.longform.engine.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded byte-level mutations of a real input: bit flips, random bytes, truncations, deleted and
 * duplicated chunks, and "interesting" values (0, -1, 2^31-1, 2^62, ...) written as little-endian
 * lengths or as ASCII numbers. Positions favour the first and last {@code hot} bytes, where headers,
 * metadata and zip directories live; the bulk of a weights file is raw data no parser interprets.
 */
public final class Mutator {
    private static final long[] INTERESTING = {
        0,
        1,
        -1,
        7,
        8,
        0x7F,
        0x80,
        0xFF,
        0x7FFF,
        0xFFFF,
        0x7FFF_FFFFL,
        0xFFFF_FFFFL,
        0x1_0000_0000L,
        1L << 40,
        1L << 62,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        Integer.MIN_VALUE,
        1 << 24,
        1 << 26
    };
    private static final String[] NUMBERS = {
        "-1", "0", "4611686018427387904", "9223372036854775807", "18446744073709551616", "1e309", "-0",
        "2147483648", "NaN", "\"\"", "null", "[]", "{}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
    };

    private final SplittableRandom random;

    public Mutator(long seed) {
        random = new SplittableRandom(seed);
    }

    /** One to four stacked mutations of {@code seed}; the seed array itself is not changed. */
    public byte[] mutate(byte[] seed, int hot) {
        byte[] b = seed.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n && b.length > 0; i++) b = once(b, hot);
        return b;
    }

    private byte[] once(byte[] b, int hot) {
        int at = position(b.length, hot);
        switch (random.nextInt(9)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) random.nextInt(256);
            case 2 -> {
                return Arrays.copyOf(b, at);
            }
            case 3, 4 -> {
                long v = INTERESTING[random.nextInt(INTERESTING.length)];
                int width = random.nextBoolean() ? 8 : random.nextBoolean() ? 4 : 2;
                byte[] le = ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(v)
                        .array();
                System.arraycopy(le, 0, b, at, Math.min(width, b.length - at));
            }
            case 5 -> {
                int len = Math.min(b.length - at, 1 + random.nextInt(64));
                byte[] r = new byte[b.length - len];
                System.arraycopy(b, 0, r, 0, at);
                System.arraycopy(b, at + len, r, at, b.length - at - len);
                return r;
            }
            case 6 -> {
                int from = position(b.length, hot), len = Math.min(b.length - from, 1 + random.nextInt(64));
                return insert(b, at, Arrays.copyOfRange(b, from, from + len));
            }
            case 7 -> {
                // text formats: a hostile number or structure where a digit or delimiter was
                byte[] s = NUMBERS[random.nextInt(NUMBERS.length)].getBytes(StandardCharsets.US_ASCII);
                int start = at;
                while (start < b.length && !isToken(b[start])) start++;
                if (start == b.length) return insert(b, at, s);
                int end = start;
                while (end < b.length && Character.isDigit(b[end])) end++;
                byte[] r = new byte[b.length - (end - start) + s.length];
                System.arraycopy(b, 0, r, 0, start);
                System.arraycopy(s, 0, r, start, s.length);
                System.arraycopy(b, end, r, start + s.length, b.length - end);
                return r;
            }
            default -> {
                // bytes that parsers special-case: quotes, braces, newlines, high bytes, NUL
                byte[] specials = {'"', '{', '}', '[', ']', ',', ':', '\\', '\n', 0, (byte) 0xC3, (byte) 0xFF};
                b[at] = specials[random.nextInt(specials.length)];
            }
        }
        return b;
    }

    private static boolean isToken(byte c) {
        return Character.isDigit(c) || c == '"' || c == '[' || c == '{' || c == ':' || c == ',';
    }

    private static byte[] insert(byte[] b, int at, byte[] s) {
        byte[] r = new byte[b.length + s.length];
        System.arraycopy(b, 0, r, 0, at);
        System.arraycopy(s, 0, r, at, s.length);
        System.arraycopy(b, at, r, at + s.length, b.length - at);
        return r;
    }

    /** 45% in the first {@code hot} bytes, 35% in the last {@code hot}, 20% anywhere. */
    private int position(int length, int hot) {
        int h = Math.max(1, Math.min(hot, length));
        double p = random.nextDouble();
        if (p < 0.45) return random.nextInt(h);
        if (p < 0.80) return length - 1 - random.nextInt(h);
        return random.nextInt(length);
    }
}
