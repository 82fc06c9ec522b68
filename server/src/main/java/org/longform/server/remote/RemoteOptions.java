package org.longform.server.remote;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.longform.engine.Assets;
import org.longform.engine.token.Tokenizer;
import picocli.CommandLine.Option;

/**
 * The {@code --remote*} options, as a picocli mixin for {@code continue} (and any command that
 * can write on a remote server): {@code @Mixin RemoteOptions remote;}.
 */
public final class RemoteOptions {
    @Option(
            names = "--remote",
            paramLabel = "URL",
            description =
                    "Continue on a remote OpenAI-compatible completions server (vLLM, TGI, longform serve) instead of the local engine, e.g. http://gpu-box:8000/v1.")
    URI remote;

    @Option(
            names = "--remote-key",
            paramLabel = "KEY",
            defaultValue = "${env:LONGFORM_REMOTE_KEY}",
            description = "API key for --remote (default: $LONGFORM_REMOTE_KEY).")
    String key;

    @Option(
            names = "--remote-model",
            paramLabel = "NAME",
            description = "Model name on the remote server (default: the first one it lists).")
    String model;

    @Option(
            names = "--remote-context",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "The remote model's window in tokens; longer prompts keep their start (--keep) and most recent text (default: 0 = send all).")
    int contextTokens;

    @Option(
            names = "--remote-standard",
            description =
                    "Send only standard OpenAI fields (no top_k/min_p/typical_p/repetition_penalty), for servers that reject unknown fields.")
    boolean standardOnly;

    public boolean enabled() {
        return remote != null;
    }

    public URI url() {
        return remote;
    }

    /** Connects (lazily: the first request connects) with our tokenizer for fitting and the context map. */
    public RemoteCompletions open(Tokenizer tokenizer) {
        RemoteCompletions.Options o = RemoteCompletions.Options.defaults()
                .withTokenizer(tokenizer)
                .withContextTokens(contextTokens)
                .withStandardOnly(standardOnly);
        return new RemoteCompletions(remote, key, model, o);
    }

    /**
     * Our tokenizer without loading weights: {@code modelDir/tokenizer.json} when the folder has one,
     * else the bundled GPT-NeoX-20B tokenizer (MPT-7B-StoryWriter's).
     */
    public static Tokenizer localTokenizer(Path modelDir) {
        if (modelDir != null && Files.isRegularFile(modelDir.resolve("tokenizer.json")))
            return Tokenizer.load(modelDir.resolve("tokenizer.json"));
        return Tokenizer.load(Assets.tokenizer());
    }
}
