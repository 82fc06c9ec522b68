package org.longform.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.longform.cli.Cli;
import org.longform.cli.DownloadCommand;
import org.longform.engine.model.Weights;
import org.longform.engine.quant.WeightType;

/** {@code longform download} and {@code longform doctor} as a person runs them, in-process, against the fake hub. */
@Timeout(60)
class CliDownloadTest {
    record Run(int code, String out, String err) {}

    FakeHub hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub(HubDownloaderTest.FIXTURE);
        System.setProperty(
                "longform.config", tmp.resolve("config").toString()); // keep the recent list out of the user's home
    }

    @AfterEach
    void stop() {
        hub.close();
        DownloadCommand.useDownloaders(null);
        System.clearProperty("longform.config");
    }

    static synchronized Run run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Cli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    @Test
    void downloadPrintsTheFolderAndRemembersTheModel() throws Exception {
        Path to = tmp.resolve("m");
        hub.dropOnce("model.safetensors", 4_000_000);
        DownloadCommand.useDownloaders(c -> new HubDownloader(c, FreeSpace.system(), 3, Duration.ofMillis(10)));
        Run r = run("download", FakeHub.REPO, "--endpoint", hub.endpoint(), "--to", to.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(to.toAbsolutePath() + System.lineSeparator(), r.out());
        assertTrue(r.err().contains("3 files"), r.err());
        assertTrue(r.err().contains("retry 1 from byte"), r.err());
        assertTrue(r.err().contains("done: 3 files verified"), r.err());
        assertArrayEquals(
                Files.readAllBytes(HubDownloaderTest.FIXTURE.resolve("model.safetensors")),
                Files.readAllBytes(to.resolve("model.safetensors")));
        assertEquals(
                to.toAbsolutePath(),
                new RecentModels(tmp.resolve("config/recent-models.json"), 5)
                        .list()
                        .getFirst()
                        .path());
    }

    @Test
    void fullDiskIsOneLineNamingBothNumbers() {
        DownloadCommand.useDownloaders(c -> new HubDownloader(c, d -> 4096, 3, Duration.ofMillis(10)));
        Run r = run(
                "download",
                FakeHub.REPO,
                "--endpoint",
                hub.endpoint(),
                "--to",
                tmp.resolve("m").toString());
        assertEquals(2, r.code());
        String last = r.err().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("longform: not enough disk space for " + FakeHub.REPO), last);
        assertTrue(last.contains("4,096 bytes) available"), last);
        assertFalse(Files.exists(tmp.resolve("m")));
    }

    @Test
    void badRepositoryNameIsRefusedBeforeAnyRequest() {
        Run r = run("download", "not-a-repo", "--endpoint", hub.endpoint());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("owner/name"), r.err());
        assertTrue(hub.log.isEmpty());
    }

    @Test
    void doctorExplainsOnOneScreen() {
        Run r = run("doctor", "--model", "../assets/models/mpt-demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Recommended  KV dtype"), r.out());
        assertTrue(r.out().contains("small demo model"), r.out());
        assertTrue(
                r.out().lines().count() <= 24, "one screen: " + r.out().lines().count() + " lines");
    }

    @Test
    void doctorPricesTheWeightsAsTheyWillBeLoaded() {
        Run r = run("doctor", "--quant", "q4_0");
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out()
                        .contains("mosaicml/mpt-7b-storywriter (q4_0 weights): 6.65B parameters, "
                                + Sizes.human(Weights.bytesFor(SystemCheck.STORYWRITER.config(), WeightType.Q4_0))
                                + " of weights"),
                r.out());
        Run bad = run("doctor", "--quant", "q5");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown quantization 'q5'"), bad.err());
    }
}
