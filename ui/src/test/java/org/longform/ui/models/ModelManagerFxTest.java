package org.longform.ui.models;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.longform.hub.FakeHub;
import org.longform.hub.HubClient;
import org.longform.hub.HubDownloader;
import org.longform.hub.LocalModel;
import org.longform.hub.RecentModels;
import org.longform.ui.TestSupport;
import org.longform.ui.app.AppConfig;
import org.testfx.framework.junit5.ApplicationTest;

/**
 * The model manager window on its own, against the loopback fake hub serving the tiny fixture
 * model: downloads through the dialog, pause and resume, a corrupt file, a full disk, local
 * folders and the recent list. Choosers are injected (no native dialogs); hub work runs on a
 * background thread as in the app.
 */
class ModelManagerFxTest extends ApplicationTest {
    static final Path FIXTURE = TestSupport.tinyModel();
    static final String WEIGHTS = "model.safetensors";

    @TempDir
    Path tmp;

    FakeHub hub;
    ModelManagerDialog dialog;
    RecentModels recent;
    final List<Path> loaded = new CopyOnWriteArrayList<>();
    volatile long freeSpace = Long.MAX_VALUE;
    volatile Path chosen;

    @Override
    public void start(Stage stage) throws Exception {
        hub = new FakeHub(FIXTURE);
        recent = new RecentModels(tmp.resolve("config/recent-models.json"), 12);
        ModelServices.Choosers choosers = new ModelServices.Choosers() {
            @Override
            public Path folder(Window owner, String title) {
                return chosen;
            }

            @Override
            public Path ggufFile(Window owner) {
                return chosen;
            }
        };
        ModelServices services = new ModelServices(
                AppConfig.daemon("test-io"),
                AppConfig.daemon("test-net"),
                Platform::runLater,
                recent,
                endpoint -> new HubDownloader(
                        new HubClient(hub.endpoint(), null, Duration.ofSeconds(5), Duration.ofSeconds(5)),
                        dir -> freeSpace,
                        3,
                        Duration.ofMillis(10)),
                repo -> tmp.resolve("models").resolve(repo),
                choosers);
        dialog = new ModelManagerDialog(stage, services, loaded::add, null);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    Path target() {
        return tmp.resolve("models").resolve(FakeHub.REPO);
    }

    void openDownloadPage() {
        interact(() -> {
            dialog.show(true);
            dialog.download().setRepo(FakeHub.REPO);
        });
    }

    DownloadPane.State state() {
        return fx(() -> dialog.download().stateProperty().get());
    }

    void waitForState(DownloadPane.State s) {
        waitFor("download state " + s, () -> dialog.download().stateProperty().get() == s);
    }

    @Test
    void downloadsThroughTheDialogShowsPlanAndProgressAndLoadsIt() throws Exception {
        openDownloadPage();
        assertTrue(fx(() -> dialog.showingDownloadPage()));
        clickOn("#hub-check");
        waitForState(DownloadPane.State.READY);
        String plan = fx(() -> dialog.download().planText());
        assertTrue(plan.contains("3 files") && plan.contains("config.json") && plan.contains(WEIGHTS), plan);
        assertTrue(plan.contains("skipped 1 file Longform does not use"), plan);
        assertTrue(
                fx(() -> dialog.download().spaceText()).startsWith("Disk space: enough room"),
                "the space verdict comes before the first byte");
        assertFalse(Files.exists(target()), "checking writes nothing");

        clickOn("#hub-download");
        waitForState(DownloadPane.State.DONE);
        assertEquals(1.0, fx(() -> dialog.download().progressValue()));
        assertTrue(fx(() -> dialog.download().progressText()).contains("all 3 files verified"));
        String msg = fx(() -> dialog.download().messageText());
        assertTrue(msg.startsWith("Done: tiny-mpt — MPT"), msg);
        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(WEIGHTS)), Files.readAllBytes(target().resolve(WEIGHTS)));
        assertEquals(
                target().toAbsolutePath(),
                recent.list().getFirst().path(),
                "a finished download goes to the recent models");

        clickOn("#hub-load");
        assertEquals(List.of(target().toAbsolutePath()), loaded);
        assertFalse(fx(() -> dialog.stage().isShowing()), "the window closes once the model is handed over");
    }

    @Test
    void pauseKeepsThePartialFileAndResumeContinuesWithARangeRequest() throws Exception {
        pauseMidFile();
        Path part = target().resolve(WEIGHTS + ".part");
        assertEquals(1000, Files.size(part), "the bytes that arrived are kept");
        assertFalse(Files.exists(target().resolve(WEIGHTS)));
        assertTrue(fx(() -> dialog.download().messageText()).startsWith("Paused."));

        clickOn("#hub-resume");
        waitForState(DownloadPane.State.DONE);
        assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(WEIGHTS)), Files.readAllBytes(target().resolve(WEIGHTS)));
        assertFalse(Files.exists(part));
        List<String> ranges =
                hub.requestsFor("/cdn/").stream().map(FakeHub.Request::range).toList();
        assertTrue(ranges.contains("bytes=1000-"), "resumed from the kept bytes: " + ranges);
    }

    @Test
    void cancelDeletesThePartialDownload() throws Exception {
        pauseMidFile();
        clickOn("#hub-cancel");
        waitFor("cancelled", () -> dialog.download().messageText().startsWith("Cancelled"));
        assertEquals(DownloadPane.State.IDLE, state());
        assertFalse(Files.exists(target().resolve(WEIGHTS + ".part")));
        assertTrue(Files.exists(target().resolve("config.json")), "complete, verified files stay");
    }

    @Test
    void aCorruptFileIsNamedWithItsChecksums() {
        hub.corrupt(WEIGHTS);
        openDownloadPage();
        clickOn("#hub-check");
        waitForState(DownloadPane.State.READY);
        clickOn("#hub-download");
        waitForState(DownloadPane.State.FAILED);
        String msg = fx(() -> dialog.download().messageText());
        assertTrue(msg.startsWith("Checksum failed, the file is corrupt: "), msg);
        assertTrue(msg.contains(target().resolve(WEIGHTS).toString()) && msg.contains("sha256 expected"), msg);
        assertFalse(Files.exists(target().resolve(WEIGHTS)));
        assertFalse(Files.exists(target().resolve(WEIGHTS + ".part")), "the corrupt bytes are deleted");
        assertTrue(fx(() ->
                lookup("#hub-message").queryAs(Label.class).getStyleClass().contains("error-text")));
        assertTrue(recent.list().isEmpty());
    }

    @Test
    void notEnoughSpaceIsSaidBeforeTheFirstByte() {
        freeSpace = 1000;
        openDownloadPage();
        clickOn("#hub-check");
        waitForState(DownloadPane.State.NO_SPACE);
        String space = fx(() -> dialog.download().spaceText());
        assertTrue(space.startsWith("Not enough disk space: not enough disk space for " + FakeHub.REPO), space);
        assertTrue(space.contains("only 1.0 kB (1,000 bytes) available") && space.contains("Change folder…"), space);
        assertTrue(fx(() -> lookup("#hub-download").queryButton().isDisabled()));
        assertTrue(
                hub.requestsFor("/cdn/").isEmpty()
                        && hub.requestsFor("/" + FakeHub.REPO + "/resolve/").isEmpty(),
                "nothing was fetched");
        assertFalse(Files.exists(target()));
    }

    @Test
    void aBadRepositoryNameIsExplained() {
        interact(() -> {
            dialog.show(true);
            dialog.download().setRepo("not a repo");
        });
        String msg = fx(() -> dialog.download().messageText());
        assertTrue(msg.startsWith("repository must look like owner/name"), msg);
        assertTrue(fx(() -> lookup("#hub-check").queryButton().isDisabled()));
    }

    @Test
    void opensALocalFolderShowsWhatItIsAndLoadsIt() throws Exception {
        chosen = FIXTURE;
        interact(() -> dialog.show(false));
        clickOn("#open-folder");
        waitFor("inspected", () -> dialog.local().summaryText().startsWith("tiny-mpt-6h — MPT"));
        assertEquals("", fx(() -> dialog.local().errorText()));
        clickOn("#local-load");
        waitFor("loaded", () -> !loaded.isEmpty());
        assertEquals(List.of(FIXTURE.toAbsolutePath().normalize()), loaded);
        assertEquals(
                FIXTURE.toAbsolutePath().normalize(), recent.list().getFirst().path());
    }

    @Test
    void aBadFolderOrFileGetsOneLineNamingTheFileAndTheProblem() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("not-a-model"));
        chosen = empty;
        interact(() -> dialog.show(false));
        clickOn("#open-folder");
        waitFor("error shown", () -> !dialog.local().errorText().isEmpty());
        String err = fx(() -> dialog.local().errorText());
        assertEquals("Cannot use " + empty.resolve("config.json") + ": config.json not found", err);
        assertTrue(fx(() -> lookup("#local-load").queryButton().isDisabled()));

        Path notGguf = Files.writeString(tmp.resolve("story.gguf"), "just some text, not a model");
        chosen = notGguf;
        clickOn("#open-gguf");
        waitFor("second error", () -> dialog.local().errorText().contains("story.gguf"));
        err = fx(() -> dialog.local().errorText());
        assertEquals(
                "Cannot use " + notGguf + ": not a model: choose an MPT folder (with config.json) or a .gguf file",
                err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "never a stack trace");
        assertTrue(loaded.isEmpty());
    }

    @Test
    void recentListMarksMissingModelsLoadsOnDoubleClickAndRemoves() throws Exception {
        Path gone = tmp.resolve("moved-away");
        recent.add(new RecentModels.Entry(
                gone, LocalModel.Kind.MPT_FOLDER, "moved-away", Instant.parse("2024-01-01T00:00:00Z")));
        recent.add(LocalModel.inspect(FIXTURE));
        interact(() -> dialog.show(false));
        waitFor("recent list", () -> dialog.local().recentList().getItems().size() == 2);
        var rows = fx(() -> List.copyOf(dialog.local().recentList().getItems()));
        assertEquals("tiny-mpt-6h", rows.get(0).entry().name());
        assertTrue(rows.get(0).exists());
        assertFalse(rows.get(1).exists());
        assertEquals(
                1,
                fx(() -> from(dialog.local().recentList())
                        .lookup(".missing-model")
                        .queryAll()
                        .size()),
                "the missing one is marked");
        assertTrue(fx(() -> lookup(".missing-model").queryLabeled().getText().contains("(missing: moved or deleted)")));

        // loading the missing one says why instead
        interact(() -> dialog.local().recentList().getSelectionModel().select(1));
        clickOn("#recent-load");
        waitFor("missing error", () -> !dialog.local().errorText().isEmpty());
        assertEquals(
                "Cannot use " + gone + ": does not exist",
                fx(() -> dialog.local().errorText()));

        interact(() -> dialog.local().recentList().getSelectionModel().select(0));
        doubleClickOn(
                from(dialog.local().recentList()).lookup(".list-cell").nth(0).queryLabeled());
        waitFor("loaded", () -> !loaded.isEmpty());
        assertEquals(FIXTURE.toAbsolutePath().normalize(), loaded.getFirst());

        interact(() -> {
            dialog.show(false);
            dialog.local().recentList().getSelectionModel().select(1);
        });
        waitFor("list reread", () -> dialog.local().recentList().getItems().size() == 2);
        interact(() -> dialog.local()
                .recentList()
                .getSelectionModel()
                .select(dialog.local().recentList().getItems().stream()
                        .filter(r -> !r.exists())
                        .findFirst()
                        .orElseThrow()));
        clickOn("#recent-remove");
        waitFor("removed", () -> dialog.local().recentList().getItems().size() == 1);
        assertEquals(
                List.of(FIXTURE.toAbsolutePath().normalize()),
                recent.list().stream().map(RecentModels.Entry::path).toList());
    }

    /** Starts the download and pauses it after the hub has sent 1,000 bytes of the weights and holds the connection. */
    void pauseMidFile() throws Exception {
        var gate = hub.holdThenDrop(WEIGHTS, 1000);
        openDownloadPage();
        clickOn("#hub-check");
        waitForState(DownloadPane.State.READY);
        clickOn("#hub-download");
        waitFor("weights in progress", () -> dialog.download().progressText().contains(WEIGHTS));
        clickOn("#hub-pause");
        gate.countDown();
        waitForState(DownloadPane.State.PAUSED);
    }

    void waitFor(String what, BooleanSupplier condition) {
        TestSupport.waitOnFx(what, condition, 30);
    }

    <T> T fx(Callable<T> c) {
        return TestSupport.onFx(c);
    }
}
