package org.longform.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.longform.engine.model.Model;
import org.longform.engine.runtime.Session;
import org.longform.server.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code longform logits}: feeds token ids and prints, for every fed position, the top-K logits,
 * the log-sum-exp and the logits of probe ids, as one JSON object on stdout.
 */
@Command(name = "logits", description = "Print next-token logits for every position of --ids as one JSON object.")
public final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--ids", required = true, paramLabel = "1,2,3", description = "Token ids to feed.")
    String idsText;

    @Option(
            names = "--chunk",
            defaultValue = "256",
            description = "Prefill chunk size; 1 feeds tokens one at a time through the KV cache.")
    int chunk;

    @Option(
            names = "--top",
            defaultValue = "5",
            description = "How many top logits per position (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--probe", paramLabel = "5,9", description = "Ids whose logits are printed at every position.")
    String probeText;

    @Option(
            names = "--evict",
            paramLabel = "START:END",
            description = "After --ids, drop cache slots [START, END) (context shift).")
    String evict;

    @Option(
            names = "--then-ids",
            paramLabel = "5,6,7",
            description = "Ids fed after the eviction; their positions are printed instead of --ids'.")
    String thenIdsText;

    private int[] ids, probe, thenIds;

    @Option(names = "--json", description = "Output JSON (the only format; accepted for scripts).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ids = IdList.parse(idsText, "--ids");
        probe = probeText == null ? new int[0] : IdList.parse(probeText, "--probe");
        thenIds = thenIdsText == null ? null : IdList.parse(thenIdsText, "--then-ids");
        if (ids.length == 0) throw new IllegalArgumentException("--ids is empty");
        if (top < 1) throw new IllegalArgumentException("--top must be at least 1");
        try (Model m = Model.load(model.modelDir(), model.quant());
                Session s = Session.open(m, model.engineOptions(chunk))) {
            int V = m.config().vocabSize();
            for (int id : concat(ids, thenIds)) {
                if (id < 0 || id >= V)
                    throw new IllegalArgumentException(
                            "token id " + id + " is outside the model's vocabulary [0, " + V + ")");
            }
            for (int p : probe) {
                if (p < 0 || p >= V)
                    throw new IllegalArgumentException(
                            "probe id " + p + " is outside the model's vocabulary [0, " + V + ")");
            }
            OutputStream out = System.out;
            JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            g.writeStartObject();
            g.writeArrayFieldStart("positions");
            boolean printFirst = thenIds == null;
            int[] index = {0};
            s.feed(
                    ids,
                    0,
                    ids.length,
                    printFirst ? (pos, row, off) -> write(g, index[0]++, row, off, V) : null,
                    null,
                    null);
            if (thenIds != null) {
                if (evict != null) {
                    int[] range = parseRange(evict, s.length());
                    s.evict(range[0], range[1]);
                }
                index[0] = ids.length;
                s.feed(thenIds, 0, thenIds.length, (pos, row, off) -> write(g, index[0]++, row, off, V), null, null);
            } else if (evict != null) {
                throw new IllegalArgumentException("--evict needs --then-ids (the positions to print after the shift)");
            }
            g.writeEndArray();
            g.writeEndObject();
            g.flush();
            out.write('\n');
            out.flush();
        }
        return 0;
    }

    private void write(JsonGenerator g, int index, float[] row, int off, int V) {
        try {
            g.writeStartObject();
            g.writeNumberField("index", index);
            g.writeArrayFieldStart("top");
            for (int id : TopK.indices(row, off, V, top)) {
                g.writeStartArray();
                g.writeNumber(id);
                g.writeNumber(row[off + id]);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeNumberField("lse", TopK.logSumExp(row, off, V));
            g.writeArrayFieldStart("probe");
            for (int p : probe) g.writeNumber(row[off + p]);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] parseRange(String s, int length) {
        String[] p = s.split(":");
        try {
            if (p.length == 2) {
                int a = Integer.parseInt(p[0].trim()), b = Integer.parseInt(p[1].trim());
                if (0 <= a && a <= b && b <= length) return new int[] {a, b};
                throw new IllegalArgumentException("--evict " + s + " is outside the " + length + " cached slots");
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new IllegalArgumentException("--evict expects START:END, got '" + s + "'");
    }

    private static int[] concat(int[] a, int[] b) {
        if (b == null) return a;
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
