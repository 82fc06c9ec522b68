package org.longform.engine.model;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.longform.engine.Assets;
import org.longform.engine.Fixtures;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.Generator;
import org.longform.engine.io.ModelFormatException;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.sample.SamplerSettings;
import org.longform.engine.token.Tokenizer;

/**
 * Run by {@link TruncatedMappingTest} in a child JVM (a SIGBUS that HotSpot does not catch would
 * kill the test JVM): loads a copy of a safetensors model, generates, truncates the file under the
 * mapping, and reports what the engine and a raw read past the new end do. One line per outcome.
 */
public final class TruncatedMappingChild {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Tokenizer tok = Tokenizer.load(Assets.tokenizer());
        int[] ids = {510, 5898, 273, 253, 3186, 369};
        SamplerSettings s = SamplerSettings.defaults().withMaxTokens(4).withTemperature(0);
        for (String backend : new String[] {"scalar", "vector"}) {
            Path dir = work.resolve(backend);
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(Fixtures.modelDir("tiny-mpt-6h"))) {
                for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
            }
            Path weights = dir.resolve("model.safetensors");
            try (Model m = Model.load(dir);
                    Generator g = new Generator(m, tok, EngineOptions.defaults().withBackend(backend))) {
                g.generate(new GenerationRequest(ids, s), null, null);
                System.out.println(backend + " GENERATED");
                try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
                    ch.truncate(4096);
                }
                try {
                    g.generate(new GenerationRequest(ids, s), null, null);
                    System.out.println(backend + " NOT REFUSED");
                } catch (ModelFormatException e) {
                    System.out.println(backend + " REFUSED " + e.getMessage());
                }
                // the same read without the engine's check: past the file's new end
                g.session().reset();
                try {
                    g.session().feed(ids);
                    System.out.println(backend + " READ WITHOUT A FAULT");
                } catch (InternalError e) {
                    System.out.println(backend + " FAULT " + e.getMessage());
                }
            }
        }
        System.out.println("ALIVE");
    }
}
