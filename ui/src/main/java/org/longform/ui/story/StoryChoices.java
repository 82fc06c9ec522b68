package org.longform.ui.story;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.sample.Alternative;

/**
 * The model's choices over a story's generated text, as its file keeps them: per generation (run) its
 * tokens, where each begins, the token drawn and the alternatives weighed (see {@link Alternative}). A file
 * keeps those of the last {@link #MAX_TOKENS} generated tokens.
 *
 * <p>In the file a run's tokens are one compact string ({@link #encode}): token ids as varints, probabilities
 * quantized to 15 bits (error at most 1/65534, about 0.0015 percentage points) plus the filters' kept flag,
 * the chosen token as an index into the alternatives; deflated, then base64. Measured on the demo model
 * (StoryChoicesSize, 8 alternatives): 31.9 bytes per generated token, about 620 KB for {@link #MAX_TOKENS}.
 *
 * @param runs the generations, in text order, none overlapping
 */
public record StoryChoices(List<Run> runs) {
    /** Generated tokens whose choices a file keeps: the newest ones, about 620 KB in the file. */
    public static final int MAX_TOKENS = 20_000;

    /** Format of the encoded string; a file with another one has its choices dropped, never its story. */
    static final int CODEC = 1;

    private static final int INSIDE_CHAR = 0;
    private static final int CHOSEN_OUTSIDE = 0xFF;
    private static final double STEPS = 32767;

    /** @param start the char where the token's text begins, -1 when it begins inside a character */
    public record Token(int start, TokenChoice choice) {}

    /** One generation over text [start, end); its tokens in order. */
    public record Run(int start, int end, List<Token> tokens) {
        public Run {
            tokens = List.copyOf(tokens);
        }
    }

    public StoryChoices {
        runs = List.copyOf(runs);
    }

    public static StoryChoices empty() {
        return new StoryChoices(List.of());
    }

    public boolean isEmpty() {
        return runs.isEmpty();
    }

    public int tokenCount() {
        int n = 0;
        for (Run r : runs) n += r.tokens.size();
        return n;
    }

    /**
     * The choices of the newest {@code max} tokens: older runs go whole; the oldest run kept may lose its
     * first tokens (it then begins at the first kept token that begins a character).
     */
    public StoryChoices newest(int max) {
        if (tokenCount() <= max) return this;
        List<Run> out = new ArrayList<>();
        int left = max;
        for (int i = runs.size() - 1; i >= 0 && left > 0; i--) {
            Run r = runs.get(i);
            if (r.tokens.size() <= left) {
                out.addFirst(r);
                left -= r.tokens.size();
                continue;
            }
            int from = r.tokens.size() - left;
            while (from < r.tokens.size() && r.tokens.get(from).start() < 0) from++;
            if (from < r.tokens.size()) {
                List<Token> kept = r.tokens.subList(from, r.tokens.size());
                out.addFirst(new Run(kept.getFirst().start(), r.end, kept));
            }
            break;
        }
        return new StoryChoices(out);
    }

    /**
     * A run's tokens as the file's string: the bytes below, deflated, then base64. Column by column, so that
     * like sits with like for the deflater (ids of common words repeat, a probability's high byte is mostly
     * small): codec, token count; per token the gap to the previous start (0: inside a character); per token
     * its alternatives' count; per token the chosen one's index among them (255: outside, listed after them);
     * every entry's id (varint); every entry's probability high byte; every low byte (bit 0: kept).
     */
    public static String encode(Run run) {
        Bytes head = new Bytes(), counts = new Bytes(), chosen = new Bytes(), ids = new Bytes();
        Bytes hi = new Bytes(), lo = new Bytes();
        head.varint(CODEC);
        head.varint(run.tokens.size());
        int prev = run.start;
        List<Alternative> entries = new ArrayList<>();
        for (Token t : run.tokens) {
            if (t.start() < 0) head.varint(INSIDE_CHAR);
            else {
                head.varint(t.start() - prev + 1);
                prev = t.start();
            }
            TokenChoice c = t.choice();
            int n = Math.min(c.top().size(), CHOSEN_OUTSIDE - 1);
            counts.out.write(n);
            int at = CHOSEN_OUTSIDE;
            for (int k = 0; k < n; k++) {
                Alternative a = c.top().get(k);
                entries.add(a);
                if (at == CHOSEN_OUTSIDE && a.id() == c.chosen().id()) at = k;
            }
            chosen.out.write(at);
            if (at == CHOSEN_OUTSIDE) entries.add(c.chosen());
        }
        for (Alternative a : entries) {
            ids.varint(a.id());
            int q = (int) Math.round(Math.clamp(a.probability(), 0, 1) * STEPS) << 1 | (a.kept() ? 1 : 0);
            hi.out.write(q >>> 8);
            lo.out.write(q & 0xFF);
        }
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (Bytes b : List.of(head, counts, chosen, ids, hi, lo)) {
            d.setInput(b.out.toByteArray());
            while (!d.needsInput()) z.write(buf, 0, d.deflate(buf));
        }
        d.finish();
        while (!d.finished()) z.write(buf, 0, d.deflate(buf));
        d.end();
        return Base64.getEncoder().encodeToString(z.toByteArray());
    }

    /**
     * The run over [start, end) that {@code data} encodes. Token indices count from 0 in the run and offsets
     * from its start (a saved run may join several generations).
     *
     * @throws IllegalArgumentException the string is not such an encoding, or its tokens lie outside [start, end)
     */
    public static Run decode(int start, int end, String data) {
        byte[] raw;
        try {
            Inflater inf = new Inflater();
            inf.setInput(Base64.getDecoder().decode(data));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary()))
                    throw new IllegalArgumentException("the choices' data is cut short");
                out.write(buf, 0, n);
                if (out.size() > 64 << 20) throw new IllegalArgumentException("the choices' data is too large");
            }
            inf.end();
            raw = out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("the choices' data is not deflated: " + e.getMessage());
        }
        Reader r = new Reader(raw);
        int codec = r.varint();
        if (codec != CODEC) throw new IllegalArgumentException("unknown choices encoding " + codec);
        int count = r.varint();
        if (count > raw.length) throw new IllegalArgumentException("the choices' data is cut short");
        int[] starts = new int[count];
        int prev = start;
        for (int i = 0; i < count; i++) {
            int gap = r.varint();
            if (gap == INSIDE_CHAR) {
                if (i == 0) throw new IllegalArgumentException("a run begins inside a character");
                starts[i] = -1;
                continue;
            }
            long s = (long) prev + gap - 1;
            if (s < start || s >= end) throw new IllegalArgumentException("a token lies outside its run");
            starts[i] = prev = (int) s;
        }
        int[] n = new int[count], chosen = new int[count];
        int entries = 0;
        for (int i = 0; i < count; i++) entries += n[i] = r.u8();
        for (int i = 0; i < count; i++) {
            chosen[i] = r.u8();
            if (chosen[i] == CHOSEN_OUTSIDE) entries++;
            else if (chosen[i] >= n[i]) throw new IllegalArgumentException("a chosen token index is out of range");
        }
        if (entries > raw.length) throw new IllegalArgumentException("the choices' data is cut short");
        int[] id = new int[entries];
        for (int e = 0; e < entries; e++) id[e] = r.varint();
        int[] q = new int[entries];
        for (int e = 0; e < entries; e++) q[e] = r.u8() << 8;
        for (int e = 0; e < entries; e++) q[e] |= r.u8();
        if (!r.done()) throw new IllegalArgumentException("the choices' data runs on after its tokens");
        List<Token> tokens = new ArrayList<>(count);
        int e = 0;
        for (int i = 0; i < count; i++) {
            List<Alternative> top = new ArrayList<>(n[i]);
            for (int k = 0; k < n[i]; k++, e++) top.add(new Alternative(id[e], (q[e] >>> 1) / STEPS, (q[e] & 1) == 1));
            Alternative c;
            if (chosen[i] != CHOSEN_OUTSIDE) c = top.get(chosen[i]);
            else {
                c = new Alternative(id[e], (q[e] >>> 1) / STEPS, (q[e] & 1) == 1);
                e++;
            }
            int s = starts[i];
            tokens.add(new Token(s, new TokenChoice(i, s < 0 ? -1 : s - start, c, top)));
        }
        return new Run(start, end, tokens);
    }

    /** A probability as the file keeps it: the nearest of 32768 steps in [0, 1]. */
    static double quantized(double p) {
        return Math.round(Math.clamp(p, 0, 1) * STEPS) / STEPS;
    }

    private static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varint(int v) {
            while ((v & ~0x7F) != 0) {
                out.write((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write(v);
        }
    }

    private static final class Reader {
        private final byte[] b;
        private int at;

        Reader(byte[] b) {
            this.b = b;
        }

        int u8() {
            if (at >= b.length) throw new IllegalArgumentException("the choices' data is cut short");
            return b[at++] & 0xFF;
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int x = u8();
                v |= (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    if (v < 0) break;
                    return v;
                }
            }
            throw new IllegalArgumentException("a number in the choices' data is out of range");
        }

        boolean done() {
            return at == b.length;
        }
    }
}
