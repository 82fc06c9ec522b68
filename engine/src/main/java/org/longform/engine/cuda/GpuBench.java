package org.longform.engine.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import org.longform.engine.kv.KvPool;
import org.longform.engine.model.Config;
import org.longform.engine.model.RandomModel;
import org.longform.engine.model.Weights;
import org.longform.engine.runtime.EngineOptions;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import static jcuda.driver.JCudaDriver.*;

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
                case "--contexts" -> contexts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
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
            System.out.println(json("event", "\"unavailable\"", "reason", quote(probe.reason())));
            System.exit(2);
        }
        CudaRuntime rt = CudaRuntime.get();
        rt.makeCurrent();
        double bw = copyBandwidth();
        System.out.println(json("event", "\"device\"", "name", quote(probe.name()), "cc", quote(probe.ccMajor() + "." + probe.ccMinor()),
                "total_gib", fmt(probe.totalBytes() / (double) (1L << 30)), "sms", Integer.toString(rt.sms),
                "copy_gb_s", fmt(bw / 1e9), "driver", Integer.toString(probe.driverVersion())));

        Config c = RandomWeights.config(RandomModel.Shape.named(shape));
        int maxCtx = Arrays.stream(contexts).max().orElse(2048);
        long kvPerToken = 2L * c.nLayers() * c.dModel() * (precision.equals("exact") ? 4 : 2);
        long tokens = maxCtx + (long) decode * contexts.length + chunk;
        EngineOptions o0 = EngineOptions.defaults().withBlockSize(block).withChunkSize(chunk);
        EngineOptions o = o0.withKvBudget(tokens * KvPool.bytesPerToken(c, o0.kvDType()));   // a budget is a window of tokens
        try (Arena arena = Arena.ofShared()) {
            long tw = System.nanoTime();
            Weights w = RandomWeights.build(c, arena, 42);
            double buildS = secs(tw);
            tw = System.nanoTime();
            try (CudaSession s = CudaSession.open(c, w, o, precision)) {
                System.out.println(json("event", "\"model\"", "shape", quote(shape), "params_b", fmt(c.parameterCount() / 1e9),
                        "build_s", fmt(buildS), "upload_s", fmt(secs(tw)), "session", quote(s.describe())));
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
                        System.out.println(json("event", "\"skipped\"", "context", Integer.toString(ctx), "reason", "\"time budget\""));
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
                    System.out.println(json("event", "\"result\"", "engine", "\"longform\"", "context", Integer.toString(ctx),
                            "prefill_tokens", Integer.toString(ctx - from), "prefill_s", fmt(prefillS),
                            "prefill_tok_s", fmt((ctx - from) / prefillS), "decode_tokens", Integer.toString(decode),
                            "decode_ms", fmt(perTok * 1e3), "decode_tok_s", fmt(1 / perTok),
                            "bytes_per_token", fmt(bytes), "bound_fraction", fmt(bytes / bw / perTok)));
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

    static double secs(long since) { return (System.nanoTime() - since) / 1e9; }

    static String fmt(double v) { return String.format(Locale.ROOT, "%.4g", v); }

    static String quote(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    static String json(String... kv) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) b.append(", ");
            b.append('"').append(kv[i]).append("\": ").append(kv[i + 1]);
        }
        return b.append('}').toString();
    }
}
