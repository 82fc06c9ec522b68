package org.longform.engine.cuda;

import static jcuda.driver.JCudaDriver.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.SplittableRandom;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.RandomModel;
import org.longform.engine.model.Weights;
import org.longform.engine.runtime.EngineOptions;

/**
 * GPU benchmark for tools/gpu-check.sh: one sequence of a random-weight model (default MPT-7B
 * shape, bf16, fast precision) is prefilled to each context in turn (2k, 16k, 65k) and decodes a
 * few tokens there. Prints one JSON object per line on stdout: the device and its measured copy
 * bandwidth, then per context the prefill and decode rates and the decode's fraction of the HBM
 * bound (weights + the K and V read per token, at the measured bandwidth).
 *
 * <pre>java -cp ... org.longform.engine.cuda.GpuBench [--shape 7b] [--contexts 2048,16384,65536]
 *      [--decode 32] [--chunk 2048] [--block 64] [--precision fast] [--budget-s 240]</pre>
 */
public final class GpuBench {
    private GpuBench() {}

    public static void main(String[] args) throws Exception {
        String shape = "7b", precision = "fast";
        int[] contexts = {2048, 16384, 65536};
        int decode = 32, chunk = 2048, block = 64;
        double budget = 240;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shape" -> shape = args[++i];
                case "--contexts" ->
                    contexts = Arrays.stream(args[++i].split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                case "--decode" -> decode = Integer.parseInt(args[++i]);
                case "--chunk" -> chunk = Integer.parseInt(args[++i]);
                case "--block" -> block = Integer.parseInt(args[++i]);
                case "--precision" -> precision = args[++i];
                case "--budget-s" -> budget = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long t0 = System.nanoTime();
        CudaProbe.Result probe = CudaProbe.probe();
        if (!probe.ok()) {
            System.out.println(json("event", "unavailable", "reason", probe.reason()));
            System.exit(2);
        }
        CudaRuntime rt = CudaRuntime.get();
        rt.makeCurrent();
        double bw = copyBandwidth();
        System.out.println(json(
                "event",
                "device",
                "name",
                probe.name(),
                "cc",
                probe.ccMajor() + "." + probe.ccMinor(),
                "total_gib",
                probe.totalBytes() / (double) (1L << 30),
                "sms",
                rt.sms,
                "copy_gb_s",
                bw / 1e9,
                "driver",
                probe.driverVersion()));

        Config c = RandomWeights.config(RandomModel.Shape.named(shape));
        int maxCtx = Arrays.stream(contexts).max().orElse(2048);
        long kvPerToken = 2L * c.nLayers() * c.dModel() * (precision.equals("exact") ? 4 : 2);
        long tokens = maxCtx + (long) decode * contexts.length + chunk;
        EngineOptions o0 = EngineOptions.defaults().withBlockSize(block).withChunkSize(chunk);
        EngineOptions o =
                o0.withKvBudget(tokens * KvPool.bytesPerToken(c, o0.kvDType())); // a budget is a window of tokens
        try (Arena arena = Arena.ofShared()) {
            long tw = System.nanoTime();
            Weights w = RandomWeights.build(c, arena, 42);
            double buildS = secs(tw);
            tw = System.nanoTime();
            try (CudaSession s = CudaSession.open(c, w, o, precision)) {
                System.out.println(json(
                        "event",
                        "model",
                        "shape",
                        shape,
                        "params_b",
                        c.parameterCount() / 1e9,
                        "build_s",
                        buildS,
                        "upload_s",
                        secs(tw),
                        "session",
                        s.describe()));
                long weightBytes = 2L * (c.parameterCount() - (long) c.nLayers() * 2 * c.dModel() - c.dModel());
                SplittableRandom r = new SplittableRandom(1);
                int[] ids = new int[maxCtx + decode * contexts.length];
                for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(c.vocabSize());
                // warm-up: JIT of the Java side and first launches, then start clean
                s.feed(ids, 0, Math.min(chunk, maxCtx), null, null, null);
                s.feed(ids[0]);
                s.reset();
                for (int ctx : contexts) {
                    if (secs(t0) > budget) {
                        System.out.println(json("event", "skipped", "context", ctx, "reason", "time budget"));
                        continue;
                    }
                    int from = s.length();
                    if (ctx <= from) continue;
                    long tp = System.nanoTime();
                    s.feed(ids, from, ctx, null, null, null);
                    double prefillS = secs(tp);
                    float[] logits = s.lastLogits();
                    long td = System.nanoTime();
                    for (int i = 0; i < decode; i++) logits = s.feed(argmax(logits));
                    double decodeS = secs(td);
                    double perTok = decodeS / decode;
                    double ctxMid = ctx + decode / 2.0;
                    double bytes = weightBytes + ctxMid * kvPerToken;
                    System.out.println(json(
                            "event",
                            "result",
                            "engine",
                            "longform",
                            "context",
                            ctx,
                            "prefill_tokens",
                            ctx - from,
                            "prefill_s",
                            prefillS,
                            "prefill_tok_s",
                            (ctx - from) / prefillS,
                            "decode_tokens",
                            decode,
                            "decode_ms",
                            perTok * 1e3,
                            "decode_tok_s",
                            1 / perTok,
                            "bytes_per_token",
                            bytes,
                            "bound_fraction",
                            bytes / bw / perTok));
                }
            }
        }
    }

    /** Device-to-device copy bandwidth (read + write bytes per second) over a 1 GiB buffer. */
    static double copyBandwidth() {
        long n = 1L << 30;
        CUdeviceptr a = new CUdeviceptr(), b = new CUdeviceptr();
        Cu.check(cuMemAlloc(a, n), "cuMemAlloc");
        Cu.check(cuMemAlloc(b, n), "cuMemAlloc");
        CUevent e0 = new CUevent(), e1 = new CUevent();
        cuEventCreate(e0, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(e1, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            cuMemcpyDtoD(b, a, n);
            cuCtxSynchronize();
            int reps = 10;
            cuEventRecord(e0, null);
            for (int i = 0; i < reps; i++) cuMemcpyDtoDAsync(i % 2 == 0 ? b : a, i % 2 == 0 ? a : b, n, null);
            cuEventRecord(e1, null);
            Cu.check(cuEventSynchronize(e1), "bandwidth probe");
            float[] ms = new float[1];
            cuEventElapsedTime(ms, e0, e1);
            return 2.0 * n * reps / (ms[0] / 1e3);
        } finally {
            cuEventDestroy(e0);
            cuEventDestroy(e1);
            cuMemFree(a);
            cuMemFree(b);
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One event line from name, value pairs, written by Jackson (strings escaped, control characters
     * included). Doubles keep 4 significant digits, as measurements deserve; one that is not finite is null.
     */
    static String json(Object... kv) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) {
            String k = (String) kv[i];
            switch (kv[i + 1]) {
                case String v -> o.put(k, v);
                case Integer v -> o.put(k, v);
                case Long v -> o.put(k, v);
                case Double v
                when Double.isFinite(v) ->
                    o.put(k, new BigDecimal(v).round(new MathContext(4)).doubleValue());
                case Double v -> o.putNull(k); // JSON has no NaN or infinity
                default -> throw new IllegalArgumentException(k + ": " + kv[i + 1]);
            }
        }
        return o.toString();
    }
}
