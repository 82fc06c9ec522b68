package org.longform.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.longform.engine.kernels.CpuCores;
import org.longform.engine.kernels.MemoryBandwidth;
import org.longform.engine.kernels.Parallel;
import org.longform.engine.kernels.TimedBackend;
import org.longform.engine.model.Config;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.Session;
import org.longform.server.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code longform bench}: prefill and decode speed of a model on this machine, next to the memory
 * bandwidth measured in the same run, so decode can be read as a fraction of its bound.
 */
@Command(
        name = "bench",
        description = "Measure prefill and decode tokens/s, bytes read per token and the memory-bandwidth bound.")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--prompt-tokens", defaultValue = "512")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "128")
    int genTokens;

    @Option(
            names = "--chunk",
            defaultValue = "512",
            description = "Prefill chunk size (default: ${DEFAULT-VALUE}, as llama.cpp's ubatch).")
    int chunk;

    @Option(
            names = "--bandwidth-mib",
            defaultValue = "1024",
            description = "Buffer size for the bandwidth measurement.")
    long bwMib;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(
            names = "--reps",
            defaultValue = "1",
            description = "Measured repetitions after the warm-up; the median is reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(
            names = "--profile",
            description =
                    "Also time every backend call during the last decode run and print where a token's time goes (each matrix, attention, LayerNorm, the rest).")
    boolean profile;

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 1 || genTokens < 1)
            throw new IllegalArgumentException("--prompt-tokens and --gen-tokens must be at least 1");
        if (reps < 1) throw new IllegalArgumentException("--reps must be at least 1");
        long l0 = System.nanoTime();
        TimedBackend[] timed = new TimedBackend[1];
        try (Model m = Model.load(model.modelDir(), model.quant());
                Session s = Session.open(
                        m, model.engineOptions(chunk), b -> profile ? (timed[0] = new TimedBackend(b)) : b)) {
            double loadS = (System.nanoTime() - l0) / 1e9;
            Config c = m.config();
            SplittableRandom r = new SplittableRandom(42);
            int[] prompt = new int[promptTokens];
            for (int i = 0; i < prompt.length; i++) prompt[i] = 2 + r.nextInt(50000 % c.vocabSize());
            // warm-up: a full run of up to 1024 prompt tokens (C2 compiles the big kernels only after
            // thousands of calls; the 64-token warm-up this replaced left pp512 measuring the compiler)
            run(s, Arrays.copyOf(prompt, Math.min(prompt.length, 1024)), Math.min(genTokens, 16), timed[0]);
            double[] pre = new double[reps], dec = new double[reps];
            double lastDecodeS = 0; // the run a profile covers
            for (int i = 0; i < reps; i++) {
                double[] t = run(s, prompt, genTokens, timed[0]);
                pre[i] = promptTokens / t[0];
                dec[i] = genTokens / t[1];
                lastDecodeS = t[1];
            }
            double prefillTps = median(pre), decodeTps = median(dec);
            double prefillS = promptTokens / prefillTps, decodeS = genTokens / decodeTps;

            long weightBytes = weightBytesPerToken(m);
            long kvBytes = s.kvBytesPerToken() * (promptTokens + genTokens / 2); // mean context during decode
            long perToken = weightBytes + kvBytes;
            double bw;
            try (Parallel par = new Parallel(threads(s))) {
                bw = MemoryBandwidth.measure(par, bwMib * 1024 * 1024, 5);
            }
            double fraction = perToken * decodeTps / 1e9 / bw;
            if (json) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                o.put("model", m.dir().toString())
                        .put("weights", m.weightForm())
                        .put("load_s", loadS)
                        .put("backend", s.backend().name())
                        .put("threads", threads(s))
                        .put("prompt_tokens", promptTokens)
                        .put("gen_tokens", genTokens)
                        .put("prefill_tok_s", prefillTps)
                        .put("decode_tok_s", decodeTps)
                        .put("reps", reps)
                        .put("prefill_tok_s_min", min(pre))
                        .put("prefill_tok_s_max", max(pre))
                        .put("decode_tok_s_min", min(dec))
                        .put("decode_tok_s_max", max(dec))
                        .put("bytes_per_token", perToken)
                        .put("weight_bytes_per_token", weightBytes)
                        .put("kv_bytes_per_token", kvBytes)
                        .put("bandwidth_gb_s", bw)
                        .put("bound_fraction", fraction)
                        .put("params", c.parameterCount());
                if (timed[0] != null) {
                    var arr = o.putArray("decode_profile");
                    for (Profile.Row pr : Profile.rows(timed[0], genTokens, lastDecodeS)) {
                        arr.addObject()
                                .put("kind", pr.kind())
                                .put("calls_per_token", pr.callsPerToken())
                                .put("ms_per_token", pr.msPerToken())
                                .put("share", pr.share())
                                .put("gb_s", pr.gbPerS());
                    }
                }
                System.out.println(o);
            } else {
                System.out.printf(
                        "model      %s (%,d params, d %d, %d layers)%n",
                        m.dir(), c.parameterCount(), c.dModel(), c.nLayers());
                System.out.printf("weights    %s (loaded in %.1f s)%n", m.weightForm(), loadS);
                System.out.printf("backend    %s%n", s.backend().name());
                String of = reps > 1 ? String.format(" (median of %d; %.1f - %.1f)", reps, min(pre), max(pre)) : "";
                System.out.printf(
                        "prefill    %d tokens in %.2f s = %.1f tok/s%s%n", promptTokens, prefillS, prefillTps, of);
                of = reps > 1 ? String.format(" (median of %d; %.2f - %.2f)", reps, min(dec), max(dec)) : "";
                System.out.printf("decode     %d tokens in %.2f s = %.2f tok/s%s%n", genTokens, decodeS, decodeTps, of);
                System.out.printf("bytes/tok  %,d (weights %,d + KV %,d)%n", perToken, weightBytes, kvBytes);
                System.out.printf(
                        "bandwidth  %.1f GB/s measured; decode runs at %.0f%% of that bound%n", bw, 100 * fraction);
                if (timed[0] != null) Profile.print(Profile.rows(timed[0], genTokens, lastDecodeS), System.out);
            }
        }
        return 0;
    }

    /** One measured run from an empty cache: {prefill seconds, decode seconds}; a profile, if any, covers its decode. */
    private static double[] run(Session s, int[] prompt, int gen, TimedBackend timed) {
        s.reset();
        if (timed != null) timed.enable(false);
        long t0 = System.nanoTime();
        float[] logits = s.feed(prompt, 0, prompt.length, null, null, null);
        long t1 = System.nanoTime();
        if (timed != null) {
            timed.reset();
            timed.enable(true);
        }
        for (int i = 0; i < gen; i++) logits = s.feed(argmax(logits));
        long t2 = System.nanoTime();
        if (timed != null) timed.enable(false);
        return new double[] {(t1 - t0) / 1e9, (t2 - t1) / 1e9};
    }

    static double median(double[] a) {
        double[] b = a.clone();
        Arrays.sort(b);
        return b.length % 2 == 1 ? b[b.length / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElse(0);
    }

    private static double max(double[] a) {
        return Arrays.stream(a).max().orElse(0);
    }

    private int threads(Session s) {
        return CpuCores.resolve(model.threads());
    }

    /** Every weight matrix is read once per decoded token (the tied embedding once, as the LM head). */
    static long weightBytesPerToken(Model m) {
        return m.weights().bytesPerToken();
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }
}
