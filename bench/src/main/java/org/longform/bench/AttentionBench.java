package org.longform.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.longform.engine.kernels.Alibi;
import org.longform.engine.kernels.Backend;
import org.longform.engine.kernels.ScalarBackend;
import org.longform.engine.kernels.VectorBackend;
import org.longform.engine.kv.KvCache;
import org.longform.engine.kv.KvDType;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.openjdk.jmh.annotations.*;

/**
 * One layer of causal ALiBi attention over the paged KV cache: decode (1 query after {@code past}
 * cached tokens) and a prefill chunk (512 queries after {@code past}), for the 125M head shape
 * (12 x 64) and StoryWriter's (32 x 128), per KV dtype. The scalar backend is the oracle the vector
 * kernel is tested against; compare the two in one run (-p backend=scalar,vector).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx6g"})
public class AttentionBench {
    @Param({"12x64", "32x128"})
    String heads;

    @Param({"1", "512"})
    int tokens;

    @Param({"4096"})
    int past;

    @Param({"F32", "F16"})
    KvDType kv;

    @Param({"vector"})
    String backend;

    @Param({"2"})
    int threads;

    Backend be;
    KvPool pool;
    KvCache cache;
    float[] qkv, out, slopes;
    float scale;

    @Setup
    public void setup() {
        String[] hx = heads.split("x");
        int H = Integer.parseInt(hx[0]), hd = Integer.parseInt(hx[1]), d = H * hd;
        int S = past + tokens;
        // one layer is enough: attention reads only its own layer's pages
        Config c = new Config(d, H, 1, 4, 16, S, 1e-5f, 8, 0, (float) (1 / Math.sqrt(hd)), 1);
        pool = new KvPool(c, 64, (long) KvPool.bytesPerToken(c, kv) * (S + 64), kv);
        cache = new KvCache(pool);
        if (!cache.reserve(S)) throw new IllegalStateException("KV budget too small");
        SplittableRandom r = new SplittableRandom(1);
        float[] row = new float[hd];
        for (int s = 0; s < S; s++) {
            for (int k = 0; k < 2; k++)
                for (int h = 0; h < H; h++) {
                    for (int i = 0; i < hd; i++) row[i] = (float) r.nextGaussian();
                    cache.writeRow(s, 0, k, h, row, 0);
                }
        }
        cache.advance(S);
        qkv = Shapes.vector(tokens * 3 * d, 2);
        out = new float[tokens * d];
        slopes = Alibi.slopes(H, 8);
        scale = c.softmaxScale();
        be = backend.equals("scalar") ? new ScalarBackend() : new VectorBackend(threads);
    }

    @TearDown
    public void tearDown() {
        be.close();
        cache.close();
        pool.close();
    }

    @Benchmark
    public float attention() {
        // queries at slots past .. past + tokens - 1, over everything before them
        be.attention(qkv, tokens, cache, 0, past, slopes, scale, out);
        return out[0];
    }
}
