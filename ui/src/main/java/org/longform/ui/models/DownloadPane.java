package org.longform.ui.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.longform.hub.ChecksumMismatchException;
import org.longform.hub.DownloadControl;
import org.longform.hub.DownloadListener;
import org.longform.hub.DownloadPlan;
import org.longform.hub.DownloadResult;
import org.longform.hub.FreeSpace;
import org.longform.hub.HubClient;
import org.longform.hub.HubDownloader;
import org.longform.hub.LocalModel;
import org.longform.hub.NotEnoughSpaceException;
import org.longform.hub.RepoFile;
import org.longform.hub.Sizes;
import org.longform.hub.SuggestedModels;

/**
 * "Download from Hugging Face": a repository id, the plan (files, size, commit) and the disk-space
 * verdict before the first byte, then a progress bar with bytes and speed, Pause / Resume (the
 * downloader keeps {@code .part} files and resumes them with range requests), Cancel (deletes the
 * partial files) and "Load it" at the end. Hub requests and the download run on the network
 * thread; progress reaches the FX thread at most once per pulse.
 */
public final class DownloadPane extends VBox {
    public enum State {
        IDLE,
        CHECKING,
        READY,
        NO_SPACE,
        RUNNING,
        PAUSED,
        DONE,
        FAILED
    }

    private final ModelServices services;
    private final Consumer<Path> loader;
    private final Supplier<Window> owner;
    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(State.IDLE);
    private final ComboBox<String> repo = new ComboBox<>();
    private final Label about = new Label();
    private final Label dirLabel = new Label();
    private final Label planText = new Label();
    private final Label space = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Label progress = new Label();
    private final Label message = new Label();
    private final Button check = new Button("Check size and space");
    private final Button download = new Button("Download");
    private final Button pause = new Button("Pause");
    private final Button resume = new Button("Resume");
    private final Button cancel = new Button("Cancel");
    private final Button loadIt = new Button("Load it");
    private final Button changeDir = new Button("Change folder…");

    private Path dir;
    private boolean dirChosen;
    private HubDownloader downloader;
    private DownloadPlan plan;
    private DownloadControl control;
    private LocalModel downloaded;
    private volatile boolean cancelRequested;
    private int run; // which download run the progress on screen belongs to (FX thread only)

    public DownloadPane(ModelServices services, Consumer<Path> loader, Supplier<Window> owner) {
        this.services = services;
        this.loader = loader;
        this.owner = owner;
        setSpacing(8);
        setPadding(new Insets(12));
        repo.setId("hub-repo");
        about.setId("hub-about");
        dirLabel.setId("hub-dir");
        planText.setId("hub-plan");
        space.setId("hub-space");
        bar.setId("hub-progress");
        progress.setId("hub-progress-text");
        message.setId("hub-message");
        check.setId("hub-check");
        download.setId("hub-download");
        pause.setId("hub-pause");
        resume.setId("hub-resume");
        cancel.setId("hub-cancel");
        loadIt.setId("hub-load");
        changeDir.setId("hub-change-dir");
        for (Label l : new Label[] {about, dirLabel, planText, space, progress, message}) l.setWrapText(true);
        repo.setEditable(true);
        repo.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(repo, Priority.ALWAYS);
        for (SuggestedModels.Suggestion s : SuggestedModels.ALL) repo.getItems().add(s.repo());
        repo.setValue(SuggestedModels.defaultModel().repo());
        repo.valueProperty().addListener((o, a, v) -> repoChanged());
        bar.setMaxWidth(Double.MAX_VALUE);
        check.setOnAction(e -> check());
        download.setOnAction(e -> start(false));
        resume.setOnAction(e -> start(true));
        pause.setOnAction(e -> pause());
        cancel.setOnAction(e -> cancel());
        loadIt.setOnAction(e -> {
            if (downloaded != null) loader.accept(downloaded.path());
        });
        changeDir.setOnAction(e -> {
            Path p = services.choosers().folder(owner.get(), "Download the model into this folder");
            if (p != null) {
                dir = p;
                dirChosen = true;
                repoChanged();
            }
        });
        Label repoLabel = new Label("Repository (owner/name):");
        getChildren()
                .addAll(
                        new HBox(6, repoLabel, repo),
                        about,
                        new HBox(6, dirLabel, changeDir),
                        check,
                        planText,
                        space,
                        new HBox(6, download, pause, resume, cancel, loadIt),
                        bar,
                        progress,
                        message);
        repoChanged();
    }

    /** A new repository or folder: forget the old plan and say what the repository is when we know it. */
    private void repoChanged() {
        if (busy()) return;
        plan = null;
        downloaded = null;
        String r = repo.getValue() == null ? "" : repo.getValue().strip();
        SuggestedModels.Suggestion s = SuggestedModels.ALL.stream()
                .filter(x -> x.repo().equals(r))
                .findFirst()
                .orElse(null);
        about.setText(
                s == null
                        ? "Any MPT repository on the hub works; Longform reads its config.json and safetensors or PyTorch weights."
                        : s.title() + " — " + s.why() + " (about " + Sizes.human(s.approxBytes()) + ")");
        planText.setText("");
        say(space, "", false);
        say(message, "", false);
        progress.setText("");
        bar.setProgress(0);
        try {
            if (!dirChosen) dir = services.modelDir().apply(HubClient.checkRepo(r));
            dirLabel.setText("Into: " + dir);
            setState(State.IDLE);
        } catch (IllegalArgumentException e) {
            dirLabel.setText("Into: —");
            say(message, e.getMessage(), true);
            setState(State.IDLE);
            check.setDisable(true);
        }
    }

    private String repoText() {
        String v = repo.getEditor().getText(); // what is typed, committed with Enter or not
        return v == null ? "" : v.strip();
    }

    /** Sets the repository (as typing it and pressing Enter would). */
    public void setRepo(String r) {
        repo.setValue(r);
    }

    /** Asks the hub what the download is and checks the disk before anything is written. */
    public void check() {
        String r = repoText();
        if (!r.equals(repo.getValue())) repo.setValue(r);
        try {
            HubClient.checkRepo(r);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        Path target = dir;
        setState(State.CHECKING);
        message.setText("Asking the hub about " + r + "…");
        services.network().execute(() -> {
            try {
                HubDownloader dl = services.downloaders().apply(null);
                DownloadPlan p = dl.plan(r, "main", target, false);
                String spaceProblem = null;
                try {
                    dl.checkSpace(p);
                } catch (NotEnoughSpaceException e) {
                    spaceProblem = e.getMessage();
                }
                String sp = spaceProblem;
                services.fx().accept(() -> showPlan(dl, p, sp));
            } catch (IOException | RuntimeException e) {
                services.fx().accept(() -> fail("Cannot plan the download of " + r + ": " + text(e)));
            }
        });
    }

    private void showPlan(HubDownloader dl, DownloadPlan p, String spaceProblem) {
        downloader = dl;
        plan = p;
        StringBuilder files = new StringBuilder();
        for (RepoFile f : p.files())
            files.append("\n   ").append(f.path()).append("  ").append(Sizes.human(f.size()));
        planText.setText(p.repo() + " at commit " + p.shortCommit() + " from " + p.endpoint() + ": "
                + p.files().size() + " files, "
                + Sizes.human(p.bytesTotal())
                + (p.bytesMissing() < p.bytesTotal() ? " (" + Sizes.human(p.bytesMissing()) + " still to fetch)" : "")
                + (p.skipped().isEmpty()
                        ? ""
                        : "; skipped " + p.skipped().size() + (p.skipped().size() == 1 ? " file" : " files")
                                + " Longform does not use")
                + files);
        say(message, "", false);
        if (spaceProblem != null) {
            say(
                    space,
                    "Not enough disk space: "
                            + spaceProblem.replace(
                                    "; free some space or choose another folder with --to",
                                    "; free some space or choose another folder (Change folder…)"),
                    true);
            setState(State.NO_SPACE);
        } else {
            say(
                    space,
                    p.bytesMissing() == 0
                            ? "Everything is already on disk; Download verifies it."
                            : "Disk space: enough room in " + FreeSpace.existingAncestor(p.dir()) + " for "
                                    + Sizes.exact(p.bytesMissing()) + ".",
                    false);
            setState(State.READY);
        }
    }

    /** Downloads the checked plan; {@code replan} (Resume) asks the hub again, so the byte counts start from what is on disk now. */
    void start(boolean replan) {
        if (downloader == null || plan == null) return;
        HubDownloader dl = downloader;
        DownloadPlan first = plan;
        DownloadControl c = new DownloadControl();
        control = c;
        cancelRequested = false;
        int thisRun = ++run;
        Relay relay = new Relay(thisRun);
        setState(State.RUNNING);
        message.setText(replan ? "Resuming…" : "Starting…");
        services.network().execute(() -> {
            try {
                DownloadPlan p = replan ? dl.plan(first.repo(), first.revision(), first.dir(), false) : first;
                DownloadResult r = dl.download(p, relay, c);
                if (!r.complete() && cancelRequested) {
                    long freed = dl.discardPartial(p);
                    services.fx().accept(() -> cancelled(freed));
                } else if (!r.complete()) {
                    services.fx().accept(() -> paused(p, r));
                } else {
                    finished(p);
                }
            } catch (NotEnoughSpaceException e) {
                services.fx().accept(() -> {
                    run++;
                    say(space, "Not enough disk space: " + e.getMessage(), true);
                    say(message, "", false);
                    setState(State.NO_SPACE);
                });
            } catch (ChecksumMismatchException e) {
                services.fx().accept(() -> fail("Checksum failed, the file is corrupt: " + e.getMessage()));
            } catch (IOException | RuntimeException e) {
                services.fx()
                        .accept(() -> fail("Download stopped: " + text(e)
                                + ". Files already verified are kept; Resume continues."));
            }
        });
    }

    /** Network thread: the folder is complete; see whether it opens as a model and remember it. */
    private void finished(DownloadPlan p) {
        LocalModel m = null;
        String problem = null;
        try {
            m = LocalModel.inspect(p.dir());
            services.recent().add(m);
        } catch (IOException e) {
            problem = "(the recent-models list could not be saved: " + e.getMessage() + ")";
        } catch (RuntimeException e) {
            problem = "but Longform cannot open it as a model: " + text(e);
        }
        LocalModel model = m;
        String why = problem;
        services.fx().accept(() -> {
            run++; // late progress updates of this run must not redraw over the result
            downloaded = model;
            bar.setProgress(1);
            progress.setText(Sizes.human(p.bytesTotal()) + " of " + Sizes.human(p.bytesTotal()) + " · all "
                    + p.files().size() + " files verified");
            say(
                    message,
                    "Done: " + (model != null ? model.summary() : p.dir().toString()) + (why == null ? "" : " " + why)
                            + "\nin " + p.dir(),
                    model == null);
            setState(State.DONE);
        });
    }

    private void paused(DownloadPlan p, DownloadResult r) {
        run++;
        say(message, "Paused. The partial file is kept in " + p.dir() + "; Resume continues where it stopped.", false);
        setState(State.PAUSED);
    }

    private void cancelled(long freed) {
        run++;
        bar.setProgress(0);
        progress.setText("");
        say(
                message,
                "Cancelled; " + Sizes.human(freed)
                        + " of partial downloads deleted (complete, verified files are kept).",
                false);
        plan = null;
        setState(State.IDLE);
    }

    public void pause() {
        if (control != null && state.get() == State.RUNNING) {
            control.pause();
            pause.setDisable(true);
            message.setText("Pausing…");
        }
    }

    public void cancel() {
        if (state.get() == State.RUNNING) {
            cancelRequested = true;
            control.pause(); // the run stops at the next buffer, then deletes the partial files
            message.setText("Cancelling…");
        } else if (plan != null && downloader != null && (state.get() == State.PAUSED || state.get() == State.FAILED)) {
            HubDownloader dl = downloader;
            DownloadPlan p = plan;
            services.network().execute(() -> {
                try {
                    long freed = dl.discardPartial(p);
                    services.fx().accept(() -> cancelled(freed));
                } catch (IOException e) {
                    services.fx()
                            .accept(() ->
                                    fail("Cannot delete the partial files in " + p.dir() + ": " + e.getMessage()));
                }
            });
        }
    }

    private void fail(String why) {
        run++;
        say(message, why, true);
        setState(plan == null ? State.IDLE : State.FAILED);
        if (plan == null) check.setDisable(false);
    }

    private static void say(Label l, String text, boolean error) {
        l.setText(text);
        l.getStyleClass().remove("error-text");
        if (error) l.getStyleClass().add("error-text");
    }

    private boolean busy() {
        State s = state.get();
        return s == State.RUNNING || s == State.CHECKING || s == State.PAUSED;
    }

    private void setState(State s) {
        state.set(s);
        boolean running = s == State.RUNNING;
        repo.setDisable(busy());
        changeDir.setDisable(busy());
        check.setDisable(busy());
        download.setDisable(s != State.READY);
        pause.setDisable(!running);
        resume.setDisable(s != State.PAUSED && !(s == State.FAILED && plan != null));
        cancel.setDisable(!(running || s == State.PAUSED || (s == State.FAILED && plan != null)));
        loadIt.setDisable(s != State.DONE || downloaded == null);
    }

    private static String text(Exception e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public String progressText() {
        return progress.getText();
    }

    public double progressValue() {
        return bar.getProgress();
    }

    public String messageText() {
        return message.getText();
    }

    public String spaceText() {
        return space.getText();
    }

    public String planText() {
        return planText.getText();
    }

    /**
     * Hands the downloader's callbacks (network thread) to the FX thread: each one only stores the
     * latest numbers, and one redraw is queued at a time, however many buffers arrive per frame.
     */
    private final class Relay implements DownloadListener {
        private record Snapshot(String file, long totalDone, long totalBytes, double speed, String note) {}

        private final int id;
        private final AtomicReference<Snapshot> latest = new AtomicReference<>();
        private final AtomicBoolean queued = new AtomicBoolean();
        private long startNanos = -1, startBytes;

        Relay(int id) {
            this.id = id;
        }

        @Override
        public void planned(DownloadPlan p) {
            post(new Snapshot("", p.bytesTotal() - p.bytesMissing(), p.bytesTotal(), 0, null));
        }

        /** Network thread; the speed is measured from the first buffer of this run. */
        @Override
        public void progress(RepoFile f, long fileDone, long totalDone, long totalBytes) {
            long now = System.nanoTime();
            if (startNanos < 0) {
                startNanos = now;
                startBytes = totalDone;
            }
            double secs = (now - startNanos) / 1e9;
            post(new Snapshot(f.path(), totalDone, totalBytes, secs < 0.2 ? 0 : (totalDone - startBytes) / secs, null));
        }

        @Override
        public void retrying(RepoFile f, int attempt, long offset, Exception cause) {
            Snapshot s = latest.get();
            post(new Snapshot(
                    f.path(),
                    s == null ? 0 : s.totalDone(),
                    s == null ? 0 : s.totalBytes(),
                    0,
                    f.path() + ": " + text(cause) + "; retry " + attempt + " from byte "
                            + String.format(Locale.ROOT, "%,d", offset)));
        }

        private void post(Snapshot s) {
            latest.set(s);
            if (queued.compareAndSet(false, true)) services.fx().accept(this::draw);
        }

        /** FX thread. */
        private void draw() {
            queued.set(false);
            Snapshot s = latest.get();
            if (s == null || id != run || state.get() != State.RUNNING) return;
            double speed = s.speed();
            bar.setProgress(s.totalBytes() == 0 ? 0 : (double) s.totalDone() / s.totalBytes());
            progress.setText(Sizes.human(s.totalDone()) + " of " + Sizes.human(s.totalBytes())
                    + (speed > 0 ? " · " + Sizes.human((long) speed) + "/s" : "")
                    + (s.file().isEmpty() ? "" : " · " + s.file()));
            if (s.note() != null) message.setText(s.note());
        }
    }
}
