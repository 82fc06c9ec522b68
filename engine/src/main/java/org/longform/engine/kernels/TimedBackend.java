package org.longform.engine.kernels;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.longform.engine.kv.KvCache;
import org.longform.engine.quant.Matrix;

/**
 * A backend that times each call of the one it wraps, summed per kind of call (each matrix by its
 * name's last part and shape, attention, LayerNorm), for {@code bench --profile}. Calls are
 * synchronous, so wall time around a call is that call's whole cost, its team dispatch and the
 * wait for the slowest thread included. Not for production use: it allocates a map entry per new
 * kind and reads the clock twice a call.
 */
public final class TimedBackend implements Backend {
    /** Time and calls of one kind; mutable, read after the run. */
    public static final class Entry {
        public long nanos;
        public long calls;
        public long bytes;
    }

    private final Backend inner;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private boolean on = true;

    public TimedBackend(Backend inner) {
        this.inner = inner;
    }

    /** Starts (or stops) counting; calls made while off run untimed. */
    public void enable(boolean on) {
        this.on = on;
    }

    public void reset() {
        entries.clear();
    }

    /** Kind of call to its totals, in first-call order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void matmul(Matrix w, float[] x, int T, float[] out, Epilogue ep) {
        if (!on) {
            inner.matmul(w, x, T, out, ep);
            return;
        }
        long t0 = System.nanoTime();
        inner.matmul(w, x, T, out, ep);
        add("matmul " + role(w.name()) + " " + w.type().label() + "[" + w.rows() + "x" + w.cols() + "]", t0).bytes +=
                w.byteSize();
    }

    @Override
    public void layerNorm(float[] x, float[] weight, float eps, int T, int d, float[] out) {
        if (!on) {
            inner.layerNorm(x, weight, eps, T, d, out);
            return;
        }
        long t0 = System.nanoTime();
        inner.layerNorm(x, weight, eps, T, d, out);
        add("layernorm", t0);
    }

    @Override
    public void attention(
            float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] out) {
        if (!on) {
            inner.attention(qkv, T, cache, layer, firstSlot, slopes, scale, out);
            return;
        }
        long t0 = System.nanoTime();
        inner.attention(qkv, T, cache, layer, firstSlot, slopes, scale, out);
        add("attention", t0).bytes +=
                (long) (firstSlot + T) * cache.pool().bytesPerToken() / Math.max(1, cache.pool().layers);
    }

    @Override
    public void close() {
        inner.close();
    }

    /** Counts one call of {@code kind} that started at {@code t0}; returns its entry. */
    private Entry add(String kind, long t0) {
        long dt = System.nanoTime() - t0;
        Entry e = entries.computeIfAbsent(kind, k -> new Entry());
        e.nanos += dt;
        e.calls++;
        return e;
    }

    /** "transformer.blocks.3.attn.Wqkv.weight" -> "attn.Wqkv": the part that names the matrix's role, not its layer. */
    static String role(String name) {
        String n = name.endsWith(".weight") ? name.substring(0, name.length() - 7) : name;
        String[] p = n.split("\\.");
        int i = p.length - 1;
        while (i > 0 && !p[i - 1].chars().allMatch(Character::isDigit)) i--;
        return i > 0 ? String.join(".", Arrays.copyOfRange(p, i, p.length)) : n;
    }
}
