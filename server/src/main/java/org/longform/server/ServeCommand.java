package org.longform.server;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.longform.engine.gen.Generator;
import org.longform.engine.runtime.EngineOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code longform serve}: the model behind the OpenAI completions API and the KoboldAI API, for
 * SillyTavern, KoboldAI Lite and scripts. Loopback by default; a non-loopback bind needs a key.
 */
@Command(
        name = "serve",
        description = {
            "Serve the model over HTTP: OpenAI-compatible /v1/completions and /v1/models, and the KoboldAI API",
            "(/api/v1/generate, /api/extra/generate/stream, /api/extra/tokencount, /api/extra/abort) that",
            "KoboldAI Lite and SillyTavern use. Requests run one at a time and share the KV cache (prefix reuse)."
        })
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions engine;

    @Option(
            names = "--host",
            defaultValue = ServerConfig.DEFAULT_HOST,
            description = "Address to bind (default: ${DEFAULT-VALUE}). Anything but loopback needs --api-key.")
    String host;

    @Option(names = "--port", defaultValue = "5001", description = "TCP port (default: ${DEFAULT-VALUE}, KoboldCpp's).")
    int port;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            defaultValue = "${env:LONGFORM_API_KEY}",
            description = "Require 'Authorization: Bearer KEY' on every request (default: $LONGFORM_API_KEY).")
    String apiKey;

    @Option(
            names = "--insecure-no-key",
            description = "Allow a non-loopback bind without a key (a warning is printed).")
    boolean insecureNoKey;

    @Option(
            names = "--model-name",
            paramLabel = "NAME",
            description = "Model id reported to clients (default: the model folder's name).")
    String modelName;

    @Option(
            names = "--max-body-kb",
            defaultValue = "8192",
            description = "Largest request body in KiB (default: ${DEFAULT-VALUE}).")
    long maxBodyKb;

    @Option(
            names = "--max-tokens-limit",
            defaultValue = "4096",
            description = "Largest max_tokens/max_length accepted (default: ${DEFAULT-VALUE}).")
    int maxTokensLimit;

    @Option(
            names = "--max-streams",
            defaultValue = "8",
            description = "Concurrent streaming responses (default: ${DEFAULT-VALUE}).")
    int maxStreams;

    @Option(
            names = "--max-queue",
            defaultValue = "32",
            description = "Generation requests waiting or running at once (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(
            names = "--max-connections",
            defaultValue = "64",
            description = "Open TCP connections (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(
            names = "--idle-timeout",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description = "Close connections idle this long (default: ${DEFAULT-VALUE}).")
    int idleTimeoutS;

    @Option(
            names = "--write-timeout",
            defaultValue = "15",
            paramLabel = "SECONDS",
            description = "Drop a stream whose client has not taken a write for this long, and stop its generation "
                    + "(default: ${DEFAULT-VALUE}).")
    int writeTimeoutS;

    @Option(
            names = "--cors",
            paramLabel = "ORIGIN",
            defaultValue = "*",
            description =
                    "Access-Control-Allow-Origin for browser front ends such as KoboldAI Lite; 'none' to send no CORS headers (default: ${DEFAULT-VALUE}).")
    String cors;

    @Option(names = "--chunk", defaultValue = "256", description = "Prefill chunk size (default: ${DEFAULT-VALUE}).")
    int chunk;

    /** Builds the server configuration from the options (and checks them). */
    ServerConfig config() {
        Path dir = engine.modelDir();
        String name = modelName != null
                ? modelName
                : dir.toAbsolutePath().normalize().getFileName().toString();
        return ServerConfig.defaults(name)
                .withHost(host)
                .withPort(port)
                .withApiKey(apiKey == null || apiKey.isBlank() ? null : apiKey)
                .withAllowNoKey(insecureNoKey)
                .withMaxBodyBytes(maxBodyKb * 1024)
                .withMaxTokensLimit(maxTokensLimit)
                .withMaxStreams(maxStreams)
                .withMaxQueue(maxQueue)
                .withMaxConnections(maxConnections)
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutS))
                .withWriteTimeout(Duration.ofSeconds(writeTimeoutS))
                .withCorsOrigin("none".equalsIgnoreCase(cors) ? null : cors);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
        ServerConfig cfg = config();
        List<String> warnings = cfg.checkBindPolicy(); // before loading anything: a refused bind costs nothing
        warnings.forEach(err::println);
        EngineOptions eo = engine.engineOptions(chunk);
        try (Generator g = Generator.open(engine.modelDir(), eo);
                LongformServer s = LongformServer.start(cfg, g)) {
            err.printf(
                    "longform serve: model '%s' (window %d tokens) at %s%n",
                    cfg.modelName(), g.contextWindow(), s.uri());
            err.printf("  OpenAI:   %s/v1   (POST /v1/completions, GET /v1/models)%n", s.uri());
            err.printf("  KoboldAI: %s      (SillyTavern: API type KoboldCpp; KoboldAI Lite: this URL)%n", s.uri());
            err.println(
                    cfg.apiKey() != null
                            ? "  API key required (Authorization: Bearer ...)."
                            : "  No API key (loopback only).");
            err.flush();
            Thread hook = new Thread(s::close, "longform-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            s.join();
        }
        return 0;
    }
}
