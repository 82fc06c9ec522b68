package org.longform.engine.kv;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.longform.engine.model.Config;

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

    /** As above, and no more than the room beside {@code weightBytes} of resident weights (at least one token). */
    public static long defaultBytes(long bytesPerToken, long weightBytes) {
        long phys = physicalBytes();
        long d = defaultBytes(bytesPerToken);
        return phys > 0 ? Math.max(bytesPerToken, Math.min(d, roomBytes(phys, weightBytes))) : d;
    }

    /** Memory kept for the OS, the desktop, the Java heap and the documents (what the system check keeps). */
    public static long reserveBytes(long phys) {
        return Math.max(1L << 30, phys / 10);
    }

    /** What the KV cache may take beside the weights (mapped, they must stay resident or every token pages). */
    static long roomBytes(long phys, long weightBytes) {
        return phys - weightBytes - reserveBytes(phys);
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

    /**
     * Refuses, before anything is allocated, weights that leave no room on this machine ({@code
     * phys} bytes), or an asked-for KV budget that does not fit beside them; the message says what
     * fits. {@code budgetBytes} 0: the default, which is sized to fit.
     */
    public static void checkFits(long phys, long weightBytes, long budgetBytes, Config c, KvDType t) {
        if (phys <= 0) return;
        long room = roomBytes(phys, weightBytes);
        long perToken = KvPool.bytesPerToken(c, t);
        if (room < perToken * 1024L)
            throw new IllegalArgumentException("the weights take " + gib(weightBytes) + " as loaded; with "
                    + gib(reserveBytes(phys)) + " kept for the system this machine's " + gib(phys)
                    + " of memory leaves no room for a KV cache of 1,024 tokens (" + gib(perToken * 1024L) + ", "
                    + t.label() + "): quantize the weights at load (q8_0 halves bf16, q4_0 quarters it)"
                    + " or use a smaller model");
        if (budgetBytes > room)
            throw new IllegalArgumentException("a KV budget of " + gib(budgetBytes) + " (" + budgetBytes / perToken
                    + " tokens at " + perToken + " bytes per token, " + t.label()
                    + ") does not fit beside the weights ("
                    + gib(weightBytes) + ") in this machine's " + gib(phys) + " of memory; "
                    + fitting(room, c) + " fit");
    }

    /** "123,904 tokens in f32, 247,808 in f16, 464,896 in int8" for {@code room} bytes. */
    static String fitting(long room, Config c) {
        StringBuilder b = new StringBuilder();
        for (KvDType d : new KvDType[] {KvDType.F32, KvDType.F16, KvDType.INT8}) {
            long n = room / KvPool.bytesPerToken(c, d);
            b.append(
                            b.isEmpty()
                                    ? String.format(Locale.ROOT, "%,d tokens in ", n)
                                    : String.format(Locale.ROOT, ", %,d in ", n))
                    .append(d.label());
        }
        return b.toString();
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
