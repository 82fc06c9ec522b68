package org.longform.engine.kv;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * How much KV memory a session may use and what a window costs, with the messages a writer sees
 * when a window does not fit (bytes per token and what would fit, instead of an OutOfMemoryError).
 */
public final class KvBudget {
    private KvBudget() {}

    /** StoryWriter extrapolates to 84k tokens with ALiBi: the default window when memory allows. */
    public static final int DEFAULT_WINDOW = 86_016;

    /** Physical memory of the machine (0 if the JVM cannot tell). */
    public static long physicalBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** The default budget: an 84k window, capped at half the physical memory (weights and the OS need the rest). */
    public static long defaultBytes(long bytesPerToken) {
        long window = DEFAULT_WINDOW * bytesPerToken;
        long phys = physicalBytes();
        return phys > 0 ? Math.min(window, phys / 2) : window;
    }

    /** Refuses a budget larger than the machine's memory, naming what would fit. */
    public static void checkAffordable(long budgetBytes, long bytesPerToken, KvDType t) {
        long phys = physicalBytes();
        if (phys > 0 && budgetBytes > phys) {
            throw new IllegalArgumentException(
                    "a KV budget of " + gib(budgetBytes) + " is more than this machine's " + gib(phys)
                            + " of memory; at " + bytesPerToken + " bytes per token (" + t.label()
                            + ") half of the memory holds "
                            + (phys / 2 / bytesPerToken) + " tokens");
        }
    }

    /** Why a window of {@code window} tokens does not fit the pool, and what would. */
    public static String windowMessage(int window, KvPool pool) {
        long per = pool.bytesPerToken();
        return "a window of " + window + " tokens needs " + gib(window * per) + " of KV cache at " + per
                + " bytes per token ("
                + pool.dtype.label() + "); the KV budget of " + gib((long) pool.maxBlocks * pool.blockBytes())
                + " holds "
                + pool.capacityTokens() + " tokens. Ask for a window of " + pool.capacityTokens()
                + " or less, raise the KV budget" + cheaper(pool.dtype);
    }

    /** Why the cache cannot take {@code more} tokens after {@code used}. */
    public static String fullMessage(int used, int more, KvPool pool) {
        String why = pool.allocationFailure() != null && pool.blocksInUse() < pool.maxBlocks
                ? "the machine ran out of memory (" + pool.allocationFailure() + ")"
                : "the KV cache holds " + pool.capacityTokens() + " tokens (" + pool.bytesPerToken()
                        + " bytes per token, " + pool.dtype.label() + ")";
        return why + " and " + used + " are in use; " + more
                + " more do not fit. Use a smaller window or raise the KV budget" + cheaper(pool.dtype);
    }

    private static String cheaper(KvDType t) {
        return switch (t) {
            case F32 -> ", or store KV in bf16 (half) or int8 (a quarter)";
            case BF16, F16 -> ", or store KV in int8 (half)";
            case INT8 -> "";
        };
    }

    public static String gib(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
