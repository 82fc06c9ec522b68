package org.longform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.engine.Assets;

/** {@code longform agree}: a model against itself agrees fully; against its q4_0 form it does not quite. */
class AgreeCommandTest {
    @TempDir
    Path dir;

    private Path text() throws Exception {
        Path f = dir.resolve("chapter.txt");
        Files.writeString(f, """
                The Time Traveller (for so it will be convenient to speak of him) was expounding a recondite
                matter to us. His grey eyes shone and twinkled, and his usually pale face was flushed and
                animated. The fire burned brightly, and the soft radiance of the incandescent lights in the
                lilies of silver caught the bubbles that flashed and passed in our glasses.
                """.repeat(4));
        return f;
    }

    @Test
    void theSameModelAgreesEverywhere() throws Exception {
        String demo = Assets.demoModel().toString();
        CliTest.Run r = CliTest.run(
                "agree",
                "--model",
                demo,
                "--reference",
                demo,
                "--file",
                text().toString(),
                "--tokens",
                "48",
                "--windows",
                "2",
                "--threads",
                "1",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertEquals(96, o.get("tokens").asInt());
        assertEquals(96, o.get("top1_agree").asInt());
        // not bit for bit: the model runs first, partly before C2 compiles the kernels, and the
        // Vector API's interpreted lane sums add in another order than the compiled ones (~1e-5)
        assertTrue(o.get("max_abs_dlogit").asDouble() <= 6e-5, r.out());
        assertEquals(o.get("ppl_reference").asDouble(), o.get("ppl_model").asDouble(), 1e-3, r.out());
    }

    @Test
    void quantizedWeightsDifferMeasurably() throws Exception {
        Path q = dir.resolve("demo-q4_0.gguf");
        assertEquals(
                0,
                CliTest.run("export-gguf", "--type", "q4_0", "--out", q.toString())
                        .code());
        CliTest.Run r = CliTest.run(
                "agree",
                "--model",
                q.toString(),
                "--reference",
                Assets.demoModel().toString(),
                "--file",
                text().toString(),
                "--tokens",
                "64",
                "--threads",
                "1",
                "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertTrue(o.get("max_abs_dlogit").asDouble() > 1e-3, r.out());
        assertTrue(o.get("mean_kl").asDouble() > 0, r.out());
        assertTrue(o.get("top1_rate").asDouble() > 0.5, r.out()); // still the same model
        assertTrue(o.get("model_form").asText().startsWith("q4_0"), r.out());
    }

    @Test
    void aMissingTextIsOneLine() throws Exception {
        CliTest.Run r = CliTest.run(
                "agree",
                "--reference",
                Assets.demoModel().toString(),
                "--file",
                dir.resolve("none.txt").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("none.txt"), r.err());
    }
}
