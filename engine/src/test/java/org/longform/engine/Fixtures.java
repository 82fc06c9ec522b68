package org.longform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.StreamSupport;

/** The shared reference fixtures (copied from ../shared/fixtures) and the checks they pin. */
public final class Fixtures {
    public static final double TOL = 2e-3; // never loosen: the reference is fp32 and exact
    public static final String[] MODELS = {"tiny-mpt-4h", "tiny-mpt-6h"};

    private Fixtures() {}

    public static Path root() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path modelDir(String name) {
        return root().resolve(name);
    }

    public static JsonNode expected(String name) {
        try {
            return new ObjectMapper()
                    .readTree(root().resolve(name + ".expected.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode testCase(JsonNode expected, String caseName) {
        for (JsonNode c : expected.get("cases")) if (c.get("name").asText().equals(caseName)) return c;
        throw new IllegalArgumentException("no case " + caseName);
    }

    public static int[] ints(JsonNode arr) {
        return StreamSupport.stream(arr.spliterator(), false)
                .mapToInt(JsonNode::asInt)
                .toArray();
    }

    public static float[] lastLogits(String name) {
        try {
            byte[] b = Files.readAllBytes(root().resolve(name + ".prompt-last-logits.f32"));
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int argmax(float[] row, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (row[off + i] > row[off + best]) best = i;
        return best;
    }

    public static double logSumExp(float[] row, int off, int n) {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) m = Math.max(m, row[off + i]);
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(row[off + i] - m);
        return m + Math.log(s);
    }

    /** Returns the largest |delta| seen; fails on a top-1 mismatch or any delta above TOL. */
    public static double checkSummary(JsonNode summary, int[] probeIds, float[] row, int off, int vocab, String where) {
        JsonNode top5 = summary.get("top5");
        assertEquals(top5.get(0).get(0).asInt(), argmax(row, off, vocab), where + ": top-1 id");
        double worst = 0;
        for (JsonNode e : top5) {
            double d = Math.abs(row[off + e.get(0).asInt()] - e.get(1).asDouble());
            worst = Math.max(worst, d);
            assertTrue(d <= TOL, where + ": logit of top5 id " + e.get(0).asInt() + " off by " + d);
        }
        double dl = Math.abs(logSumExp(row, off, vocab) - summary.get("lse").asDouble());
        assertTrue(dl <= TOL, where + ": lse off by " + dl);
        worst = Math.max(worst, dl);
        JsonNode probe = summary.get("probe");
        for (int i = 0; i < probeIds.length; i++) {
            double d = Math.abs(row[off + probeIds[i]] - probe.get(i).asDouble());
            worst = Math.max(worst, d);
            assertTrue(d <= TOL, where + ": probe id " + probeIds[i] + " off by " + d);
        }
        return worst;
    }
}
