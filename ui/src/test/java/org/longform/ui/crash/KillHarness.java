package org.longform.ui.crash;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.longform.engine.Assets;
import org.longform.engine.context.KvStore;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;
import org.longform.ui.app.AutosaveStore;
import org.longform.ui.story.StoryData;
import org.longform.ui.story.StoryFile;

/**
 * Child process of {@link KillNineTest}: a headless writing session that never stops. Each round
 * it types a line (autosave: recovery copy, story file, history version) and generates a few
 * tokens into a KV cache that it saves to a KV store. Before each save it prints what it is about
 * to write (SAVING n hash, KVSAVING), after it what is done (SAVED n, KVSAVED tokens), so the
 * parent knows, whenever it kills the process, which states are acceptable on disk.
 */
public final class KillHarness {
    static final int STEP = 8, MAX_TOKENS = 256;

    /** The token the session holds at position i: the same in the child and in the parent's check. */
    static int token(int i) {
        return 11 + (i * 7919) % 4000;
    }

    static EngineOptions options() {
        return EngineOptions.defaults()
                .withBlockSize(16)
                .withChunkSize(32)
                .withBackend("scalar")
                .withThreads(1);
    }

    static Path modelDir() {
        return Assets.home().resolve("engine/src/test/resources/fixtures/tiny-mpt-4h");
    }

    static String line(int n) {
        return "Line " + n + ": the lamp guttered and the wind came in off the moor.\n";
    }

    /** Flushed at once: the parent must see a line the moment it is true. */
    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        Path config = home.resolve("config"), story = home.resolve("novel.longform");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Model model = Model.load(modelDir());
                Session s = Session.open(model, options());
                KvStore kv = new KvStore(home.resolve("kv"))) {
            AutosaveStore store =
                    new AutosaveStore(config, ProcessHandle.current().pid());
            StoryData d = StoryData.blank("Night");
            say("READY " + d.id());
            StringBuilder text = new StringBuilder();
            for (int n = 1; ; n++) {
                text.append(line(n));
                d = d.withText(text.toString());
                String hash = HexFormat.of().formatHex(sha.digest(StoryFile.toJson(d)));
                say("SAVING " + n + " " + hash);
                store.save(d, story);
                say("SAVED " + n);
                if (s.length() + STEP > MAX_TOKENS) s.reset();
                int from = s.length();
                int[] ids = new int[STEP];
                for (int i = 0; i < STEP; i++) ids[i] = token(from + i);
                s.feed(ids);
                say("KVSAVING " + s.length());
                s.saveKv(kv);
                say("KVSAVED " + s.length());
            }
        }
    }
}
