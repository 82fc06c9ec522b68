package org.longform.hub;

import java.util.Locale;

/** Byte counts for people: "13.3 GB (13,298,765,432 bytes)". Decimal units, as disks are sold. */
public final class Sizes {
    private Sizes() {}

    public static String human(long bytes) {
        if (bytes < 1000) return bytes + " B";
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** Human size with the exact count, for messages where the number matters (disk space). */
    public static String exact(long bytes) {
        return human(bytes) + " (" + String.format(Locale.ROOT, "%,d", bytes) + " bytes)";
    }

    /** Binary units for memory, where the OS reports GiB. */
    public static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
