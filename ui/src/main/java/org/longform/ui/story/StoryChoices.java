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
 * <p>In the file a run's tokens are one compact string ({@link #encode}): per token the gap to the previous
 * token's start, its alternatives as token id (varint) and probability quantized to 15 bits (error at most
 * 1/65534, about 0.0015 percentage points) plus the filters' kept flag, and the chosen token as an index
 * into them; deflated, then base64. About 27 bytes per token with 8 alternatives (see StoryChoicesTest).
 *
 * @param runs the generations, in text order, none overlapping
 */
public record StoryChoices(List<Run> runs) {
    /** Generated tokens whose choices a file keeps: the newest ones, about 0.5 MB in the file. */
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

    /** A run's tokens as the file's string (base64 of the deflated bytes described above). */
    public static String encode(Run run) {
        Bytes b = new Bytes();
        b.varint(CODEC);
        b.varint(run.tokens.size());
        int prev = run.start;
        for (Token t : run.tokens) {
            if (t.start() < 0) b.varint(INSIDE_CHAR);
            else {
                b.varint(t.start() - prev + 1);
                prev = t.start();
            }
            TokenChoice c = t.choice();
            int n = Math.min(c.top().size(), CHOSEN_OUTSIDE - 1);
            b.out.write(n);
            int chosen = CHOSEN_OUTSIDE;
            for (int k = 0; k < n; k++) {
                Alternative a = c.top().get(k);
                b.alternative(a);
                if (chosen == CHOSEN_OUTSIDE && a.id() == c.chosen().id()) chosen = k;
            }
            b.out.write(chosen);
            if (chosen == CHOSEN_OUTSIDE) b.alternative(c.chosen());
        }
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(b.out.toByteArray());
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
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
        List<Token> tokens = new ArrayList<>(Math.min(count, raw.length));
        int prev = start;
        for (int i = 0; i < count; i++) {
            int gap = r.varint();
            int s = -1;
            if (gap != INSIDE_CHAR) {
                s = prev + gap - 1;
                if (s < start || s >= end) throw new IllegalArgumentException("a token lies outside its run");
                prev = s;
            } else if (i == 0) throw new IllegalArgumentException("a run begins inside a character");
            int n = r.u8();
            List<Alternative> top = new ArrayList<>(n);
            for (int k = 0; k < n; k++) top.add(r.alternative());
            int chosen = r.u8();
            Alternative c;
            if (chosen == CHOSEN_OUTSIDE) c = r.alternative();
            else if (chosen < n) c = top.get(chosen);
            else throw new IllegalArgumentException("a chosen token index is out of range");
            tokens.add(new Token(s, new TokenChoice(i, s < 0 ? -1 : s - start, c, top)));
        }
        if (!r.done()) throw new IllegalArgumentException("the choices' data runs on after its tokens");
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

        void alternative(Alternative a) {
            varint(a.id());
            int q = (int) Math.round(Math.clamp(a.probability(), 0, 1) * STEPS) << 1 | (a.kept() ? 1 : 0);
            out.write(q >>> 8);
            out.write(q & 0xFF);
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

        Alternative alternative() {
            int id = varint();
            int q = u8() << 8 | u8();
            return new Alternative(id, (q >>> 1) / STEPS, (q & 1) == 1);
        }

        boolean done() {
            return at == b.length;
        }
    }
}
