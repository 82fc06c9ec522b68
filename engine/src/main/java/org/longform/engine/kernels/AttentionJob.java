package org.longform.engine.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import org.longform.engine.kv.KvCache;

/**
 * Attention of one layer as a reusable team job: threads claim (head, query group) units from a
 * counter, longest first (see {@link Attention#units}). A static split by token gave the thread with
 * the later tokens of a causal chunk about three times the work of the other.
 */
final class AttentionJob implements Parallel.Job {
    private final Attention.Scratch[] scratch;
    private final AtomicInteger next = new AtomicInteger();
    private float[] qkv, slopes, out;
    private KvCache cache;
    private int T, layer, firstSlot, units;
    private float scale;

    AttentionJob(int threads) {
        scratch = new Attention.Scratch[Math.max(1, threads)];
    }

    AttentionJob set(
            float[] qkv, int T, KvCache cache, int layer, int firstSlot, float[] slopes, float scale, float[] out) {
        this.qkv = qkv;
        this.T = T;
        this.cache = cache;
        this.layer = layer;
        this.firstSlot = firstSlot;
        this.slopes = slopes;
        this.scale = scale;
        this.out = out;
        this.units = Attention.units(T, cache.pool().heads);
        for (int i = 0; i < scratch.length; i++) {
            // made here, on the calling thread, so run() never allocates
            if (scratch[i] == null || !scratch[i].fits(cache.pool()))
                scratch[i] = new Attention.Scratch(cache.pool(), true);
        }
        next.set(0);
        return this;
    }

    @Override
    public void run(int worker) {
        Attention.Scratch s = scratch[worker];
        int u;
        while ((u = next.getAndIncrement()) < units)
            Attention.runUnit(s, qkv, T, cache, layer, firstSlot, slopes, scale, out, u);
    }
}
