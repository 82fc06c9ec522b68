package org.longform.bench;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.longform.engine.kv.KvDType;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.EngineOptions;
import org.longform.engine.runtime.Session;

/**
 * One model and session for {@link PrefillAb}, per engine build (each in its own class loader), so
 * it uses only API every build has: loading, a session and feeding a prompt.
 */
public final class PrefillAbCase {
    private Model model;
    private Session session;
    private int[] prompt;

    public void open(String path, int tokens, int threads) throws Exception {
        model = Model.load(Path.of(path));
        session = Session.open(
                model, EngineOptions.defaults().withThreads(threads).withKvDType(KvDType.F16));
        SplittableRandom r = new SplittableRandom(42);
        prompt = new int[tokens];
        for (int i = 0; i < tokens; i++)
            prompt[i] = 2 + r.nextInt(50000 % model.config().vocabSize());
    }

    public void feed() {
        session.reset();
        session.feed(prompt, 0, prompt.length, null, null, null);
    }

    public void close() throws Exception {
        session.close();
        model.close();
    }
}
