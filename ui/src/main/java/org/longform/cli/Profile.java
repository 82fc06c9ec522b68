package org.longform.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.longform.engine.kernels.TimedBackend;

/** {@code bench --profile}: a decode run's backend time per kind of call, largest first, plus what ran outside the backend. */
final class Profile {
    private Profile() {}

    record Row(String kind, double callsPerToken, double msPerToken, double share, double gbPerS) {}

    static List<Row> rows(TimedBackend t, int tokens, double decodeS) {
        List<Row> rows = new ArrayList<>();
        double total = decodeS * 1e3 / tokens, inside = 0;
        for (var e : t.entries().entrySet()) {
            double ms = e.getValue().nanos / 1e6 / tokens;
            inside += ms;
            double gb = e.getValue().nanos > 0 ? e.getValue().bytes / (double) e.getValue().nanos : 0;
            rows.add(new Row(e.getKey(), e.getValue().calls / (double) tokens, ms, ms / total, gb));
        }
        rows.sort(Comparator.comparingDouble(Row::msPerToken).reversed());
        double rest = Math.max(0, total - inside);
        rows.add(new Row(
                "outside the backend (embedding, KV stores, clamp, logit scale, sampling)", 1, rest, rest / total, 0));
        return rows;
    }

    static void print(List<Row> rows, PrintStream out) {
        out.println("decode profile (per token; GB/s = bytes the call reads / its time):");
        for (Row r : rows) {
            out.printf(
                    "  %6.3f ms  %5.1f%%  %6s  %s%n",
                    r.msPerToken(),
                    100 * r.share(),
                    r.gbPerS() > 0 ? String.format("%.1f", r.gbPerS()) : "",
                    r.kind() + (r.callsPerToken() != 1 ? String.format(" (x%.0f)", r.callsPerToken()) : ""));
        }
    }
}
