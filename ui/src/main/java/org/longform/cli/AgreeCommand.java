package org.longform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.Session;
import org.longform.engine.token.Tokenizer;
import org.longform.server.ModelOptions;
import org.longform.ui.story.TextEncoding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code longform agree}: how closely a model (a quantized file, an approximation) follows a
 * reference on the same real text: top-1 agreement of next-token predictions, max |Δlogit|, mean
 * KL(reference ‖ model) and each one's perplexity. The question the issue asks of a Q4_K_M file
 * from llama.cpp's quantizer against the f16 file it came from.
 */
@Command(
        name = "agree",
        description = "Compare a model's next-token predictions with a reference model's on the same text.")
public final class AgreeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(
            names = "--reference",
            required = true,
            paramLabel = "DIR|FILE.gguf",
            description = "The reference model (same vocabulary), run with the same engine options.")
    Path reference;

    @Option(
            names = "--file",
            required = true,
            paramLabel = "TEXT",
            description = "The text to read (any common encoding).")
    Path file;

    @Option(
            names = "--tokens",
            defaultValue = "512",
            description = "How many tokens of the text to read (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(
            names = "--windows",
            defaultValue = "1",
            description = "Read this many consecutive stretches of --tokens, each from a fresh cache, so a model"
                    + " trained on short sequences is compared within its length (default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(
            names = "--skip-chars",
            defaultValue = "0",
            description = "Start this many characters into the text (past a title page; default: ${DEFAULT-VALUE}).")
    int skipChars;

    @Option(names = "--json", description = "One JSON object instead of text.")
    boolean json;

    /** What one model predicted at every position: the whole logits rows. */
    private record Run(float[] logits, double loadSeconds, String form) {}

    @Override
    public Integer call() throws IOException {
        // both models' logits rows are held (4 bytes x vocabulary a token each): 4,096 tokens of a 50k
        // vocabulary are 1.6 GB
        if (tokens < 2 || windows < 1 || (long) windows * tokens > 4096)
            throw new IllegalArgumentException(
                    "--tokens must be at least 2, --windows at least 1, and --windows x" + " --tokens at most 4096");
        if (!Files.isRegularFile(file)) throw new ModelFormatException(file, "file not found");
        String text = TextEncoding.decode(Files.readAllBytes(file)).text();
        if (skipChars < 0 || skipChars >= text.length())
            throw new IllegalArgumentException(
                    "--skip-chars " + skipChars + " is outside the text (" + text.length() + " characters)");
        // a character budget generous enough for any tokenizer (>= 1 char a token), then cut to --tokens
        int total = windows * tokens;
        String part = text.substring(skipChars, (int) Math.min(text.length(), skipChars + 16L * total));
        // the model is loaded once: its tokenizer reads the text, then it runs; the reference after it
        int[] ids;
        Run cand, ref;
        long t0 = System.nanoTime();
        try (Model m = Model.load(model.modelDir(), model.quant());
                Tokenizer tok = Tokenizer.load(m.tokenizerJson())) {
            double load = (System.nanoTime() - t0) / 1e9;
            ids = tok.encode(part);
            if (ids.length < total) throw new ModelFormatException(file, "holds only " + ids.length + " tokens");
            ids = Arrays.copyOf(ids, total);
            cand = run(m, ids, load);
        }
        long t1 = System.nanoTime();
        try (Model r = Model.load(reference, model.quant())) {
            ref = run(r, ids, (System.nanoTime() - t1) / 1e9);
        }
        int V = ref.logits.length / total;
        if (cand.logits.length != ref.logits.length)
            throw new IllegalArgumentException(
                    "the models' vocabularies differ (" + V + " vs " + cand.logits.length / total + ")");
        int agree = 0, predicted = 0;
        double maxDiff = 0, kl = 0, nllRef = 0, nllCand = 0;
        for (int p = 0; p < total; p++) {
            int o = p * V;
            if (TopK.indices(ref.logits, o, V, 1)[0] == TopK.indices(cand.logits, o, V, 1)[0]) agree++;
            double lr = TopK.logSumExp(ref.logits, o, V), lc = TopK.logSumExp(cand.logits, o, V);
            double klp = 0;
            for (int i = 0; i < V; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(ref.logits[o + i] - cand.logits[o + i]));
                double a = ref.logits[o + i] - lr, b = cand.logits[o + i] - lc;
                klp += Math.exp(a) * (a - b);
            }
            kl += klp;
            if ((p + 1) % tokens != 0) { // the next token of the window is known: its negative log-likelihood
                nllRef += lr - ref.logits[o + ids[p + 1]];
                nllCand += lc - cand.logits[o + ids[p + 1]];
                predicted++;
            }
        }
        double rate = (double) agree / total;
        double pplRef = Math.exp(nllRef / predicted), pplCand = Math.exp(nllCand / predicted);
        if (json) {
            System.out.printf(
                    Locale.ROOT,
                    "{\"tokens\":%d,\"windows\":%d,\"top1_agree\":%d,\"top1_rate\":%.6f,\"max_abs_dlogit\":%.6g,\"mean_kl\":%.6g,"
                            + "\"ppl_reference\":%.6g,\"ppl_model\":%.6g,\"model_form\":\"%s\",\"reference_form\":\"%s\","
                            + "\"model_load_s\":%.3f,\"reference_load_s\":%.3f}%n",
                    total,
                    windows,
                    agree,
                    rate,
                    maxDiff,
                    kl / total,
                    pplRef,
                    pplCand,
                    cand.form,
                    ref.form,
                    cand.loadSeconds,
                    ref.loadSeconds);
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "%d tokens (%d x %d) of %s: top-1 agreement %d/%d = %.2f%%, max |dlogit| %.4g, mean KL %.4g nats,"
                            + " perplexity %.4f (reference, %s) vs %.4f (model, %s)%n",
                    total,
                    windows,
                    tokens,
                    file.getFileName(),
                    agree,
                    total,
                    100 * rate,
                    maxDiff,
                    kl / total,
                    pplRef,
                    ref.form,
                    pplCand,
                    cand.form);
        }
        return 0;
    }

    private Run run(Model m, int[] ids, double loadSeconds) {
        int V = m.config().vocabSize();
        for (int id : ids)
            if (id >= V)
                throw new IllegalArgumentException(m.dir() + ": token id " + id + " is outside its vocabulary");
        float[] out = new float[ids.length * V];
        for (int w = 0; w < windows; w++) {
            int from = w * tokens;
            int[] window = Arrays.copyOfRange(ids, from, from + tokens); // a fresh cache: slots from 0
            try (Session s = Session.open(m, model.engineOptions(256))) {
                s.feed(
                        window,
                        0,
                        tokens,
                        (pos, row, off) -> System.arraycopy(row, off, out, (from + pos) * V, V),
                        null,
                        null);
            }
        }
        return new Run(out, loadSeconds, m.weightForm());
    }
}
