package org.longform.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.runtime.Session;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;
import org.longform.server.ModelOptions;
import org.longform.server.remote.RemoteCompletions;
import org.longform.server.remote.RemoteOptions;
import org.longform.ui.story.TextEncoding;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code longform continue}: streams a continuation of a prompt, a file or token ids to stdout.
 * Progress and statistics go to stderr only, so stdout can be piped.
 */
@Command(
        name = "continue",
        description = "Continue a text and stream the continuation to stdout (statistics on stderr).")
public final class ContinueCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    RemoteOptions remote;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", description = "The text to continue.")
        String prompt;

        @Option(
                names = "--file",
                paramLabel = "F",
                description = "Continue this text file (UTF-8, UTF-16 with a BOM, Windows-1252 or Latin-1,"
                        + " as the editor reads it).")
        Path file;

        @Option(names = "--ids", paramLabel = "1,2,3", description = "Continue these token ids.")
        String ids;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(
            names = "--max-tokens",
            defaultValue = "200",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(
            names = "--temperature",
            description = "0 = greedy: plain argmax, no repetition penalty unless --rep-pen is given (default: 0.8).")
    Double temperature;

    @Option(names = "--top-k", description = "0 = off (default: 40).")
    Integer topK;

    @Option(names = "--top-p", description = "1 = off (default: 0.95).")
    Double topP;

    @Option(names = "--min-p", description = "0 = off (default: 0.05).")
    Double minP;

    @Option(names = "--typical", description = "1 = off (default: 1).")
    Double typical;

    @Option(names = "--rep-pen", description = "Repetition penalty, 1 = off (default: 1.1).")
    Double repPen;

    @Option(names = "--rep-range", description = "Tokens the repetition penalty looks back over (default: 256).")
    Integer repRange;

    @Option(names = "--seed", description = "Seed for reproducible output.")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop sequence (repeatable); it is not printed.")
    List<String> stops = new ArrayList<>();

    @Option(names = "--ban", paramLabel = "PHRASE", description = "Phrase never to generate (repeatable).")
    List<String> banned = new ArrayList<>();

    @Option(names = "--dry-multiplier", description = "DRY sequence-repetition penalty strength, 0 = off (default: 0).")
    Double dryMultiplier;

    @Option(names = "--dry-base", description = "DRY growth per token past the allowed length (default: 1.75).")
    Double dryBase;

    @Option(names = "--dry-allowed-length", description = "Longest repeat DRY leaves alone (default: 2).")
    Integer dryAllowedLength;

    @Option(names = "--dry-range", description = "Tokens DRY searches back over, 0 = all (default: 0).")
    Integer dryRange;

    @Option(
            names = "--dry-breaker",
            paramLabel = "TEXT",
            description = "DRY sequence breaker (repeatable; replaces the"
                    + " defaults newline, colon, quote, asterisk; \\n = newline).")
    List<String> dryBreakers = new ArrayList<>();

    @Option(names = "--xtc-threshold", description = "XTC: tokens at least this likely are top choices (default: 0.2).")
    Double xtcThreshold;

    @Option(
            names = "--xtc-probability",
            description = "XTC: chance per token of excluding top choices, 0 = off" + " (default: 0).")
    Double xtcProbability;

    @Option(names = "--logit-bias", paramLabel = "ID:BIAS", description = "Add BIAS to token ID's logit (repeatable).")
    List<String> logitBias = new ArrayList<>();

    @Option(
            names = "--bias-phrase",
            paramLabel = "TEXT:BIAS",
            description = "Add BIAS to the first token of TEXT, as"
                    + " written and after a space (repeatable; the last colon splits).")
    List<String> phraseBias = new ArrayList<>();

    @Option(
            names = "--window",
            defaultValue = "0",
            description = "Tokens in the model's view (0 = what the KV budget holds).")
    int window;

    @Option(
            names = "--keep",
            defaultValue = "0",
            description = "Tokens at the start pinned in view when the window shifts.")
    int keep;

    @Option(names = "--chunk", defaultValue = "512", description = "Prefill chunk size (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--print-ids", description = "Print only the generated ids, space-separated, on one line.")
    boolean printIds;

    @Option(
            names = "--kv-file",
            paramLabel = "PATH",
            description = "Restore the KV cache from PATH when it was saved"
                    + " by this model for this text (else recompute), and save it there afterwards: a directory store"
                    + " that later saves update page by page (a single file saved by an older version is still read and"
                    + " written as such).")
    Path kvFile;

    @Option(
            names = "--approx-reuse",
            description =
                    "After an edit in the middle, keep the unchanged text's KV instead of recomputing from the edit (approximate; needs --kv-file to have a cache).")
    boolean approxReuse;

    @Override
    public Integer call() throws IOException {
        SamplerSettings st = sampler();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = System.err;
        if (remote.enabled()) return callRemote(st, out, err);
        long t0 = System.nanoTime();
        try (Generator g = Generator.open(model.modelDir(), model.engineOptions(chunk))) {
            double loadS = (System.nanoTime() - t0) / 1e9;
            int[] prompt = promptIds(g);
            if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
            CancelToken cancel = new CancelToken();
            Thread hook = new Thread(cancel::cancel);
            Runtime.getRuntime().addShutdownHook(hook);
            GenerationRequest req = new GenerationRequest(
                    prompt, st, window, keep, approxReuse ? Session.Reuse.APPROXIMATE : Session.Reuse.EXACT);
            // an existing regular file is the single-file format of earlier versions; otherwise a directory store
            KvStore store = kvFile != null && !Files.isRegularFile(kvFile) ? new KvStore(kvFile) : null;
            if (kvFile != null) {
                KvFile.Restore r = store != null ? g.session().loadKv(store, null) : g.restoreKv(kvFile);
                err.println(r.used() ? "kv cache: " + r.reason() : "kv cache: not used, " + r.reason());
            }
            TokenListener listener = new TokenListener() {
                @Override
                public void onPrefill(int done, int total) {
                    if (total > 512) err.printf("\rprompt %d/%d tokens", done, total);
                    if (total > 512 && done == total) err.println();
                }

                @Override
                public void onToken(int id, String text) {
                    if (!printIds && !text.isEmpty()) out.print(text);
                }
            };
            GenerationResult r = g.generate(req, listener, cancel);
            finish(r, out);
            err.printf(
                    "[%s] model %.2f s | prompt %d tokens, %d recomputed in %.2f s (%.1f tok/s)%s | %d generated in %.2f s (%.2f tok/s) | %d shifted out | stop: %s%n",
                    g.session().backend().name(),
                    loadS,
                    r.promptTokens(),
                    r.recomputedTokens(),
                    r.prefillNanos() / 1e9,
                    r.prefillTokensPerSecond(),
                    r.approximateTokens() > 0 ? ", " + r.approximateTokens() + " kept approximately" : "",
                    r.ids().length,
                    r.decodeNanos() / 1e9,
                    r.decodeTokensPerSecond(),
                    r.shiftedTokens(),
                    r.reason().name().toLowerCase(Locale.ROOT));
            err.println("kv: " + g.session().describeKv());
            if (kvFile != null && g.session().onDevice()) {
                err.println("kv cache: not saved to " + kvFile
                        + ": the cache is on the GPU, and saving it from there is not supported yet");
            } else if (store != null) {
                long t1 = System.nanoTime();
                KvStore.Stats s = g.session().saveKv(store);
                err.printf(
                        "kv cache: saved %d tokens to %s in %.2f s (%d of %d pages written, %.1f MiB)%n",
                        s.tokens(),
                        kvFile,
                        (System.nanoTime() - t1) / 1e9,
                        s.pagesWritten(),
                        s.pages(),
                        s.bytesWritten() / 1048576.0);
            } else if (kvFile != null) {
                long t1 = System.nanoTime();
                g.saveKv(kvFile);
                err.printf(
                        "kv cache: saved %d tokens to %s in %.2f s%n",
                        g.session().length(), kvFile, (System.nanoTime() - t1) / 1e9);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
        return 0;
    }

    /** The same request sent to a remote OpenAI-compatible server; our tokenizer still counts and fits the prompt. */
    private int callRemote(SamplerSettings st, PrintStream out, PrintStream err) throws IOException {
        if (!banned.isEmpty())
            throw new IllegalArgumentException("--ban needs the local engine (not available with --remote)");
        try (Tokenizer tok = RemoteOptions.localTokenizer(model.modelArgument());
                RemoteCompletions rc = remote.open(tok)) {
            int[] prompt = promptIds(tok, Integer.MAX_VALUE);
            if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
            GenerationResult r = rc.generate(
                    new GenerationRequest(prompt, st, window, keep),
                    new TokenListener() {
                        @Override
                        public void onToken(int id, String text) {
                            if (!printIds && !text.isEmpty()) out.print(text);
                        }
                    },
                    new CancelToken());
            finish(r, out);
            err.printf(
                    "[remote %s] prompt %d tokens | %d generated in %.2f s (%.2f tok/s) | stop: %s%n",
                    remote.url(),
                    r.promptTokens(),
                    r.ids().length,
                    r.decodeNanos() / 1e9,
                    r.decodeTokensPerSecond(),
                    r.reason().name().toLowerCase(Locale.ROOT));
        }
        return 0;
    }

    private void finish(GenerationResult r, PrintStream out) {
        if (printIds) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.ids().length; i++)
                sb.append(i == 0 ? "" : " ").append(r.ids()[i]);
            out.println(sb);
        } else {
            out.println();
        }
        out.flush();
    }

    private int[] promptIds(Generator g) throws IOException {
        return promptIds(g.tokenizer(), g.model().config().vocabSize());
    }

    private int[] promptIds(Tokenizer tokenizer, int vocab) throws IOException {
        if (input.ids != null) {
            int[] ids = IdList.parse(input.ids, "--ids");
            int V = vocab;
            for (int id : ids)
                if (id < 0 || id >= V)
                    throw new IllegalArgumentException(
                            "--ids: token id " + id + " is outside the vocabulary [0, " + V + ")");
            return ids;
        }
        String text = input.prompt;
        if (input.file != null) {
            if (!Files.isRegularFile(input.file)) throw new ModelFormatException(input.file, "file not found");
            // the editor's own detection: a Windows-1252, Latin-1 or UTF-16 file reads with a one-line notice
            TextEncoding.Decoded d = TextEncoding.decode(Files.readAllBytes(input.file));
            if (d.readAs() != null) System.err.println("longform: " + input.file.getFileName() + " was " + d.readAs());
            text = d.text();
        }
        return tokenizer.encode(text);
    }

    private SamplerSettings sampler() {
        SamplerSettings s = SamplerSettings.defaults()
                .withMaxTokens(maxTokens)
                .withStopSequences(stops)
                .withBannedPhrases(banned);
        if (temperature != null) s = s.withTemperature(temperature);
        if (temperature != null && temperature == 0) s = s.withRepetitionPenalty(1); // greedy means the plain argmax
        if (topK != null) s = s.withTopK(topK);
        if (topP != null) s = s.withTopP(topP);
        if (minP != null) s = s.withMinP(minP);
        if (typical != null) s = s.withTypicalP(typical);
        if (repPen != null) s = s.withRepetitionPenalty(repPen);
        if (repRange != null) s = s.withRepetitionRange(repRange);
        if (seed != null) s = s.withSeed(seed);
        SamplerSettings.Dry d = s.dry();
        s = s.withDry(new SamplerSettings.Dry(
                dryMultiplier != null ? dryMultiplier : d.multiplier(),
                dryBase != null ? dryBase : d.base(),
                dryAllowedLength != null ? dryAllowedLength : d.allowedLength(),
                dryRange != null ? dryRange : d.range(),
                dryBreakers.isEmpty()
                        ? d.sequenceBreakers()
                        : dryBreakers.stream().map(x -> x.replace("\\n", "\n")).toList()));
        s = s.withXtc(new SamplerSettings.Xtc(
                xtcThreshold != null ? xtcThreshold : s.xtc().threshold(),
                xtcProbability != null ? xtcProbability : s.xtc().probability()));
        Map<Integer, Double> ids = new LinkedHashMap<>();
        for (String b : logitBias) {
            String[] kv = splitBias(b, "--logit-bias", "ID:BIAS");
            try {
                ids.merge(Integer.parseInt(kv[0].strip()), parseBias(kv[1], b, "--logit-bias"), Double::sum);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--logit-bias " + b + ": \"" + kv[0] + "\" is not a token id"
                        + " (use --bias-phrase for text)");
            }
        }
        Map<String, Double> phrases = new LinkedHashMap<>();
        for (String b : phraseBias) {
            String[] kv = splitBias(b, "--bias-phrase", "TEXT:BIAS");
            phrases.merge(kv[0], parseBias(kv[1], b, "--bias-phrase"), Double::sum);
        }
        return s.withLogitBias(ids).withPhraseBias(phrases);
    }

    /** KEY:BIAS split at the last colon, so a phrase may hold colons and a bias may be negative. */
    private static String[] splitBias(String arg, String option, String form) {
        int colon = arg.lastIndexOf(':');
        if (colon <= 0 || colon == arg.length() - 1) {
            throw new IllegalArgumentException(option + " " + arg + ": expected " + form);
        }
        return new String[] {arg.substring(0, colon), arg.substring(colon + 1)};
    }

    private static double parseBias(String bias, String arg, String option) {
        try {
            return Double.parseDouble(bias.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " " + arg + ": \"" + bias + "\" is not a number");
        }
    }
}
