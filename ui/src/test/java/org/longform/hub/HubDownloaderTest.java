package org.longform.hub;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The hub downloader against a loopback fake hub serving the tiny-mpt-6h fixture. No internet. */
@Timeout(60)
class HubDownloaderTest {
    static final Path FIXTURE = Path.of("../engine/src/test/resources/fixtures/tiny-mpt-6h")
            .toAbsolutePath()
            .normalize();
    static final String WEIGHTS = "model.safetensors";

    FakeHub hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub(FIXTURE);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    HubDownloader downloader(FreeSpace space) {
        return new HubDownloader(
                new HubClient(hub.endpoint(), null, Duration.ofSeconds(5), Duration.ofSeconds(5)),
                space,
                3,
                Duration.ofMillis(10));
    }

    HubDownloader downloader() {
        return downloader(FreeSpace.system());
    }

    Path dir() {
        return tmp.resolve("models/tiny");
    }

    void assertSameAsFixture(Path dir) throws Exception {
        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(WEIGHTS)), Files.readAllBytes(dir.resolve(WEIGHTS)));
        assertArrayEquals(
                Files.readAllBytes(FIXTURE.resolve("config.json")), Files.readAllBytes(dir.resolve("config.json")));
    }

    Set<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void downloadsVerifiesAndSkipsOtherFrameworks() throws Exception {
        HubDownloader dl = downloader();
        DownloadPlan plan = dl.plan(FakeHub.REPO, "main", dir(), false);
        assertEquals(FakeHub.COMMIT, plan.commit());
        assertEquals(
                List.of("config.json", WEIGHTS, "README.md"),
                plan.files().stream().map(RepoFile::path).toList(),
                "pages followed, directory entries ignored");
        assertEquals(List.of("flax_model.msgpack"), plan.skipped());
        assertEquals(plan.bytesTotal(), plan.bytesMissing());
        List<String> verified = new ArrayList<>();
        DownloadResult r = dl.download(
                plan,
                new DownloadListener() {
                    @Override
                    public void fileDone(RepoFile f, boolean ok) {
                        if (ok) verified.add(f.path());
                    }
                },
                new DownloadControl());
        assertTrue(r.complete());
        assertEquals(plan.bytesTotal(), r.bytesDownloaded());
        assertEquals(List.of("config.json", WEIGHTS, "README.md"), verified, "sha256 for LFS, git sha1 for the rest");
        assertSameAsFixture(dir());
        assertEquals(Set.of("config.json", WEIGHTS, "README.md", DownloadManifest.FILE), names(dir()));
        assertEquals(1, hub.requestsFor("/cdn/").size(), "the hub redirects LFS files to its CDN");
        LocalModel m = LocalModel.inspect(dir());
        assertEquals(LocalModel.Kind.MPT_FOLDER, m.kind());

        // a second run finds everything verified and fetches nothing
        int before = hub.log.size();
        DownloadPlan again = dl.plan(FakeHub.REPO, "main", dir(), false);
        assertEquals(0, again.bytesMissing());
        assertTrue(dl.download(again, new DownloadListener() {}, new DownloadControl())
                .complete());
        assertTrue(hub.log.subList(before, hub.log.size()).stream()
                .noneMatch(q -> q.path().contains("/resolve/") || q.path().startsWith("/cdn/")));
    }

    @Test
    void resumesWithARangeRequestAfterTheConnectionDrops() throws Exception {
        hub.dropOnce(WEIGHTS, 3_000_000);
        List<Long> retries = new ArrayList<>();
        DownloadResult r = downloader()
                .download(
                        downloader().plan(FakeHub.REPO, "main", dir(), false),
                        new DownloadListener() {
                            @Override
                            public void retrying(RepoFile f, int attempt, long offset, Exception cause) {
                                retries.add(offset);
                            }
                        },
                        new DownloadControl());
        assertTrue(r.complete());
        assertSameAsFixture(dir());
        List<FakeHub.Request> cdn = hub.requestsFor("/cdn/");
        assertEquals(2, cdn.size(), cdn.toString());
        assertNull(cdn.get(0).range());
        long resumedAt = Long.parseLong(cdn.get(1).range().replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(resumedAt > 0 && resumedAt <= 3_000_000, "resumed at " + resumedAt);
        assertEquals(List.of(resumedAt), retries);
    }

    @Test
    void pauseKeepsThePartAndTheNextRunResumesIt() throws Exception {
        DownloadControl control = new DownloadControl();
        HubDownloader dl = downloader();
        DownloadResult first = dl.download(
                dl.plan(FakeHub.REPO, "main", dir(), false),
                new DownloadListener() {
                    @Override
                    public void progress(RepoFile f, long fileDone, long totalDone, long total) {
                        if (f.path().equals(WEIGHTS) && fileDone > 1_000_000) control.pause();
                    }
                },
                control);
        assertEquals(DownloadResult.Status.PAUSED, first.status());
        Path part = dir().resolve(WEIGHTS + ".part");
        long partSize = Files.size(part);
        assertTrue(partSize > 1_000_000 && partSize < Files.size(FIXTURE.resolve(WEIGHTS)), "part " + partSize);
        assertFalse(Files.exists(dir().resolve(WEIGHTS)));

        // a new process would start from the plan: it counts the part as present
        DownloadPlan plan = dl.plan(FakeHub.REPO, "main", dir(), false);
        assertEquals(plan.bytesTotal() - partSize - Files.size(dir().resolve("config.json")), plan.bytesMissing());
        assertTrue(dl.download(plan, new DownloadListener() {}, new DownloadControl())
                .complete());
        assertSameAsFixture(dir());
        assertFalse(Files.exists(part));
        List<FakeHub.Request> cdn = hub.requestsFor("/cdn/");
        assertEquals("bytes=" + partSize + "-", cdn.getLast().range());
    }

    @Test
    void cancelDiscardsTheParts() throws Exception {
        DownloadControl control = new DownloadControl();
        HubDownloader dl = downloader();
        DownloadPlan plan = dl.plan(FakeHub.REPO, "main", dir(), false);
        dl.download(
                plan,
                new DownloadListener() {
                    @Override
                    public void progress(RepoFile f, long fileDone, long totalDone, long total) {
                        if (f.path().equals(WEIGHTS) && fileDone > 500_000) control.pause();
                    }
                },
                control);
        long part = Files.size(dir().resolve(WEIGHTS + ".part"));
        assertEquals(part, dl.discardPartial(plan));
        assertFalse(Files.exists(dir().resolve(WEIGHTS + ".part")));
        assertTrue(Files.exists(dir().resolve("config.json")), "verified files stay");
        assertEquals(
                plan.bytesTotal() - Files.size(dir().resolve("config.json")),
                dl.plan(FakeHub.REPO, "main", dir(), false).bytesMissing());
    }

    @Test
    void aCorruptFileIsRejectedAndDeleted() throws Exception {
        hub.corrupt.put(WEIGHTS, true);
        HubDownloader dl = downloader();
        ChecksumMismatchException e = assertThrows(
                ChecksumMismatchException.class,
                () -> dl.download(
                        dl.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl()));
        assertTrue(
                e.getMessage()
                        .startsWith(dir().resolve(WEIGHTS) + ": checksum mismatch (sha256 expected "
                                + hub.files.get(WEIGHTS).sha256()),
                e.getMessage());
        assertTrue(e.getMessage().contains("deleted"), e.getMessage());
        assertFalse(Files.exists(dir().resolve(WEIGHTS)));
        assertFalse(Files.exists(dir().resolve(WEIGHTS + ".part")));

        // once the server is healthy again the same call succeeds
        hub.corrupt.clear();
        assertTrue(dl.download(
                        dl.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl())
                .complete());
        assertSameAsFixture(dir());
    }

    @Test
    void refusesUpFrontWhenTheDiskIsShort() throws Exception {
        HubDownloader dl = downloader(d -> 1_000);
        DownloadPlan plan = dl.plan(FakeHub.REPO, "main", dir(), false);
        NotEnoughSpaceException e = assertThrows(
                NotEnoughSpaceException.class,
                () -> dl.download(plan, new DownloadListener() {}, new DownloadControl()));
        assertEquals(plan.bytesTotal(), e.needed());
        assertEquals(1_000, e.available());
        assertTrue(e.getMessage().contains(String.format("%,d bytes", plan.bytesTotal())), e.getMessage());
        assertTrue(e.getMessage().contains("1,000 bytes) available"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.toString()), "names the folder: " + e.getMessage());
        assertTrue(
                hub.requestsFor("/cdn/").isEmpty()
                        && hub.requestsFor("/" + FakeHub.REPO + "/resolve/").isEmpty(),
                "no byte fetched");
        assertFalse(Files.exists(dir()), "nothing written");
    }

    @Test
    void theSpaceCheckCountsOnlyWhatIsMissing() throws Exception {
        HubDownloader full = downloader();
        full.download(full.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl());
        HubDownloader dl = downloader(d -> 0); // a full disk is fine when nothing is missing
        assertTrue(dl.download(
                        dl.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl())
                .complete());
    }

    @Test
    void aServerThatIgnoresRangesStillYieldsTheRightFile() throws Exception {
        hub.dropOnce(WEIGHTS, 2_000_000);
        hub.ignoreRange = true;
        HubDownloader dl = downloader();
        assertTrue(dl.download(
                        dl.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl())
                .complete());
        assertSameAsFixture(dir());
    }

    @Test
    void givesUpAfterRepeatedFailuresAndKeepsThePart() throws Exception {
        hub.drop(WEIGHTS, 0, 100); // every request dies before the first body byte
        HubDownloader dl = downloader();
        HubException e = assertThrows(
                HubException.class,
                () -> dl.download(
                        dl.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl()));
        assertTrue(e.getMessage().startsWith(WEIGHTS + ": download failed 4 times in a row"), e.getMessage());
        assertTrue(e.getMessage().contains("run again to resume"), e.getMessage());
        hub.dropTimes.clear();
        assertTrue(dl.download(
                        dl.plan(FakeHub.REPO, "main", dir(), false), new DownloadListener() {}, new DownloadControl())
                .complete());
        assertSameAsFixture(dir());
    }

    @Test
    void unknownRepositoryIsNamed() {
        HubDownloader dl = downloader();
        HubException e = assertThrows(HubException.class, () -> dl.plan("nobody/nothing", "main", dir(), false));
        assertTrue(e.getMessage().startsWith("nobody/nothing: HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("no such repository"), e.getMessage());
    }

    @Test
    void anUnreachableHubIsSaidInWords() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        HubDownloader dl = new HubDownloader(
                new HubClient("http://127.0.0.1:" + port, null, Duration.ofSeconds(2), Duration.ofSeconds(2)),
                FreeSpace.system(),
                1,
                Duration.ZERO);
        IOException e = assertThrows(IOException.class, () -> dl.plan(FakeHub.REPO, "main", dir(), false));
        assertTrue(e.getMessage().startsWith("cannot connect to http://127.0.0.1:" + port), e.getMessage());
    }

    @Test
    void allFilesOptionTakesEverything() throws Exception {
        DownloadPlan plan = downloader().plan(FakeHub.REPO, "main", dir(), true);
        assertEquals(4, plan.files().size());
        assertTrue(plan.skipped().isEmpty());
    }

    @Test
    void badNamesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new RepoFile("../evil", 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new RepoFile("a/../../evil", 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> new RepoFile("/etc/passwd", 1, null, null));
        assertThrows(IllegalArgumentException.class, () -> HubClient.checkRepo("no-slash"));
        assertThrows(IllegalArgumentException.class, () -> HubClient.checkRepo("a/b/c"));
        assertEquals("refs%2Fpr%2F1", HubClient.segment("refs/pr/1"));
    }
}
