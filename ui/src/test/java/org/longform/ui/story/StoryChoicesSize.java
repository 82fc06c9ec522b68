package org.longform.ui.story;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Assets;
import org.longform.engine.gen.GenerationRequest;
import org.longform.engine.gen.GenerationResult;
import org.longform.engine.gen.Generator;
import org.longform.engine.gen.TokenChoice;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.runtime.EngineOptions;
import org.longform.ui.TestSupport;

/**
 * What keeping the choices costs in a story file: the demo model writes {@code -Dchoices.tokens} (2,000) tokens
 * of a story with 8 alternatives each; the file is written with and without them. Run on request:
 * {@code mvn -pl ui -am test -Dtest=StoryChoicesSize -Dgroups=benchmark -Dui.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class StoryChoicesSize {
    @Test
    void fileSizeWithAndWithoutChoices(@TempDir Path dir) throws Exception {
        int n = Integer.getInteger("choices.tokens", 2000);
        String opening = Files.readString(TestSupport.home().resolve("replay/stories/christmas-carol-opening.txt"))
                .substring(0, 1200);
        List<StoryChoices.Token> tokens = new ArrayList<>();
        String text;
        try (Generator g = Generator.open(Assets.demoModel(), EngineOptions.defaults())) {
            GenerationResult r = g.generate(
                    new GenerationRequest(
                            g.tokenizer().encode(opening),
                            StoryData.EDITOR_SAMPLER.withSeed(1L).withMaxTokens(n)),
                    new TokenListener() {
                        @Override
                        public int alternatives() {
                            return 8;
                        }

                        @Override
                        public void onChoice(TokenChoice c) {
                            int s = c.offset() < 0 ? -1 : opening.length() + c.offset();
                            tokens.add(new StoryChoices.Token(s, c));
                        }
                    },
                    null);
            text = opening + r.text();
        }
        int end = text.length();
        tokens.removeIf(t -> t.start() >= end);
        StoryChoices.Run run = new StoryChoices.Run(opening.length(), end, tokens);
        StoryData story = StoryData.blank("size").withText(text).withChoices(new StoryChoices(List.of(run)));
        Path with = dir.resolve("with.longform"), without = dir.resolve("without.longform");
        StoryFile.write(with, story);
        StoryFile.write(without, story.withChoices(StoryChoices.empty()));
        long a = Files.size(with), b = Files.size(without);
        double perToken = (a - b) / (double) tokens.size();
        System.out.printf(
                "choices: %d tokens, %d chars generated; file %d bytes without, %d with: %.1f bytes per token"
                        + " (%.0f KB for %d tokens)%n",
                tokens.size(),
                end - opening.length(),
                b,
                a,
                perToken,
                perToken * StoryChoices.MAX_TOKENS / 1024,
                StoryChoices.MAX_TOKENS);
        assertEquals(tokens.size(), StoryFile.read(with).choices().tokenCount());
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            StoryChoices.encode(run);
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("encoding %d tokens: %.1f ms (best of 20)%n", tokens.size(), best / 1e6);
    }
}
