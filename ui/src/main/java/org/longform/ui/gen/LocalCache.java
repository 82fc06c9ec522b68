package org.longform.ui.gen;

import java.io.IOException;
import org.longform.engine.context.KvFile;
import org.longform.engine.context.KvStore;
import org.longform.engine.gen.CancelToken;
import org.longform.engine.gen.TokenListener;
import org.longform.engine.kv.KvDType;

/**
 * The local engine's KV cache as the editor keeps it: saved with a story, mapped back when the
 * story opens, and repaired after approximate reuse. Model worker only (the engine's session is
 * not thread-safe); {@link TextGenerator#localCache()} is null where there is no local cache.
 */
public interface LocalCache {
    /** The fingerprint of the model's weights that a saved cache must match. */
    byte[] modelIdentity();

    KvDType kvDType();

    /** Writes the pages that changed since the last save or restore through {@code store}. */
    KvStore.Stats save(KvStore store) throws IOException;

    /** Replaces the cache with the store's (a foreign, stale or damaged store is not used; the reason says why). */
    KvFile.Restore restore(KvStore store);

    /** The first cached slot whose K and V are approximate (kept after an edit before it), -1 when exact. */
    int approximateFrom();

    /** Tokens cached now. */
    int length();

    /**
     * Recomputes the approximate slots in place (progress as done / total tokens): true when the
     * cache is exact; false when cancelled (what was rewritten stays exact; the next call resumes).
     */
    boolean repair(TokenListener listener, CancelToken cancel);
}
