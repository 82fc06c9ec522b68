package org.longform.ui.app;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javafx.application.Platform;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.longform.hub.CudaStatus;
import org.longform.hub.HubClient;
import org.longform.hub.HubDownloader;
import org.longform.hub.KvPlan;
import org.longform.hub.RecentModels;
import org.longform.hub.Sizes;
import org.longform.hub.SystemCheck;
import org.longform.hub.SystemReport;
import org.longform.ui.TestSupport;
import org.longform.ui.firstrun.FirstRun;
import org.longform.ui.models.ModelManagerDialog;
import org.longform.ui.models.ModelServices;

/** The model manager and the first-run screen inside the real main window. */
class ModelsAndFirstRunFxTest extends FxTestBase {
    static final long GIB = 1L << 30;
    static final Path SAMPLE = TestSupport.home().resolve("assets/stories/the-time-machine-chapter-1.txt");

    /** A fixed machine: 32 GiB, AVX-512, no CUDA; the KV plan computed the real way for StoryWriter. */
    static final SystemReport REPORT = new SystemReport(
            "25.0.1",
            "Test JDK",
            "Linux 6.1",
            "amd64",
            8,
            512,
            "",
            List.of("avx2", "fma", "avx512f"),
            32 * GIB,
            20 * GIB,
            16 * GIB,
            new CudaStatus("libcuda.so.1", false, 0, -1, List.of(), "libcuda.so.1 not found: no NVIDIA driver"),
            SystemCheck.STORYWRITER,
            KvPlan.recommend(SystemCheck.STORYWRITER.config(), SystemCheck.STORYWRITER.weightBytes(), 32 * GIB));

    RecentModels recent;

    @Override
    public void start(Stage stage) {
        super.start(stage);
        recent = new RecentModels(config.resolve("recent-models.json"), 12);
        window.setModelServices(new ModelServices(
                AppConfig.daemon("t-io"),
                AppConfig.daemon("t-net"),
                Platform::runLater,
                recent,
                ep -> new HubDownloader(
                        new HubClient("http://127.0.0.1:9", null, Duration.ofSeconds(1), Duration.ofSeconds(1))),
                repo -> config.resolve("models").resolve(repo),
                new ModelServices.Choosers() {
                    @Override
                    public Path folder(Window owner, String title) {
                        return TestSupport.tinyModel();
                    }

                    @Override
                    public Path ggufFile(Window owner) {
                        return null;
                    }
                }));
        window.setFirstRun(new FirstRun(config, AppConfig.daemon("t-check"), Platform::runLater, () -> REPORT, SAMPLE));
    }

    String label(String id) {
        return fx(() -> lookup(id).queryAs(Label.class).getText());
    }

    @Test
    void modelsMenuOpensTheManagerAndItsFolderLoadsInTheWindow() {
        waitForModel();
        interact(() -> window.actions()
                .get("models")
                .run()); // the menu bar's "Model" would collide with the side tab of that name
        ModelManagerDialog d = fx(() -> window.showModels(false));
        assertTrue(fx(() -> d.stage().isShowing()) && !fx(d::showingDownloadPage));
        clickOn("#open-folder");
        waitFor("inspected", () -> d.local().summaryText().startsWith("tiny-mpt-6h"));
        clickOn("#local-load");
        waitFor(
                "engine model loaded",
                () -> window.model().infoProperty().get() != null
                        && TestSupport.tinyModel()
                                .toAbsolutePath()
                                .normalize()
                                .toString()
                                .equals(String.valueOf(
                                        window.model().infoProperty().get().dir())));
        assertFalse(fx(() -> d.stage().isShowing()));
        assertEquals(
                TestSupport.tinyModel().toAbsolutePath().normalize(),
                recent.list().getFirst().path());
    }

    @Test
    void firstRunShowsTheCheckOnceOpensTheSampleAndLeadsToTheDownloadPage() throws Exception {
        waitForModel();
        Stage shown =
                window.firstRun().showIfFirstRun(fx(window::firstRunHooks)).get();
        assertNotNull(shown, "no marker yet: first run");
        assertTrue(fx(shown::isShowing));
        assertTrue(Files.exists(config.resolve(FirstRun.MARKER)));
        assertEquals("Welcome to Longform", label("#fr-title"));
        assertTrue(label("#fr-memory")
                .startsWith("Memory: " + Sizes.gib(32 * GIB) + " in all, " + Sizes.gib(20 * GIB) + " free now"));
        assertTrue(label("#fr-cpu")
                .contains("8 cores, 512-bit vector instructions (16 numbers at once): avx2 fma avx512f"));
        assertTrue(label("#fr-gpu").contains("no usable NVIDIA GPU (libcuda.so.1 not found: no NVIDIA driver)"));
        KvPlan kv = REPORT.kv();
        assertTrue(
                label("#fr-kv")
                        .startsWith("Recommended for mosaicml/mpt-7b-storywriter: KV cache "
                                + kv.dtype().label() + " (" + KvPlan.description(kv.dtype()) + "), a window of "
                                + String.format(Locale.ROOT, "%,d", kv.window()) + " tokens"),
                label("#fr-kv"));
        assertTrue(label("#fr-demo").contains("small demo model")
                && label("#fr-demo").contains("mosaicml/mpt-7b-storywriter"));
        assertEquals(
                REPORT.render(),
                fx(() -> lookup("#fr-report").queryTextInputControl().getText()));

        waitFor("sample story open", () -> window.stories().size() == 2);
        assertTrue(text().startsWith("The Time Machine, by H. G. Wells (1895). Chapter I, Introduction."));
        assertTrue(text().contains("The Time Traveller (for so it will be convenient to speak of him)"));

        clickOn("#fr-download");
        assertFalse(fx(shown::isShowing));
        ModelManagerDialog d = fx(() -> window.showModels(true));
        assertTrue(fx(d::showingDownloadPage));
        interact(() -> d.stage().hide());

        // later starts: nothing
        assertNull(window.firstRun().showIfFirstRun(fx(window::firstRunHooks)).get());
        assertEquals(2, fx(() -> window.stories().size()), "the sample opens only once");
    }

    @Test
    void helpSystemCheckReopensTheScreen() {
        waitForModel();
        clickOn("Help");
        clickOn("#menu-system-check");
        waitFor("system check shown", () -> lookup("#fr-title").tryQuery().isPresent());
        assertEquals("System check", label("#fr-title"));
        assertTrue(label("#fr-memory").contains(Sizes.gib(32 * GIB)));
        assertFalse(Files.exists(config.resolve(FirstRun.MARKER)), "reopening it is not the first run");
        assertEquals(1, fx(() -> window.stories().size()));
    }
}
