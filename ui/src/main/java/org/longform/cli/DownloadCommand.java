package org.longform.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.longform.hub.AppDirs;
import org.longform.hub.DownloadControl;
import org.longform.hub.DownloadListener;
import org.longform.hub.DownloadPlan;
import org.longform.hub.DownloadResult;
import org.longform.hub.HubClient;
import org.longform.hub.HubDownloader;
import org.longform.hub.LocalModel;
import org.longform.hub.RecentModels;
import org.longform.hub.RepoFile;
import org.longform.hub.Sizes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code longform download REPO}: fetches a model from the Hugging Face hub into a folder,
 * resuming {@code .part} files, verifying checksums, and refusing up front when the disk is short.
 * Progress goes to stderr; the finished folder's path is the only line on stdout.
 */
@Command(
        name = "download",
        description = {
            "Download an MPT model from the Hugging Face hub (resumable: run it again after an interruption; every file is checksum-verified).",
            "Example: longform download mosaicml/mpt-7b-storywriter"
        })
public final class DownloadCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "REPO",
            description = "Hub repository, owner/name (e.g. mosaicml/mpt-7b-storywriter).")
    String repo;

    @Option(
            names = "--revision",
            defaultValue = "main",
            description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(
            names = "--to",
            paramLabel = "DIR",
            description = "Target folder (default: the user's Longform models folder, OWNER/NAME).")
    Path to;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description = "Hub URL (default: $HF_ENDPOINT or https://huggingface.co).")
    String endpoint;

    @Option(
            names = "--all",
            description = "Every file, including other frameworks' weights (default: only what Longform can load).")
    boolean all;

    @Option(names = "--dry-run", description = "Only print what would be downloaded and the disk space check.")
    boolean dryRun;

    private static volatile Function<HubClient, HubDownloader> downloaders = HubDownloader::new;

    /** Tests swap in a downloader with an injected free-space probe and fast retries; null restores the default. */
    public static void useDownloaders(Function<HubClient, HubDownloader> factory) {
        downloaders = factory != null ? factory : HubDownloader::new;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        HubClient.checkRepo(repo);
        Path dir = (to != null ? to : AppDirs.detect().modelDir(repo)).toAbsolutePath();
        HubDownloader dl = downloaders.apply(HubClient.fromEnvironment(endpoint));
        DownloadPlan plan = dl.plan(repo, revision, dir, all);
        err.println(repo + " @ " + revision + " (commit " + plan.shortCommit() + ") from " + plan.endpoint() + ": "
                + plan.files().size() + " files, " + Sizes.human(plan.bytesTotal())
                + (plan.bytesMissing() < plan.bytesTotal()
                        ? ", " + Sizes.human(plan.bytesMissing()) + " still to fetch"
                        : "")
                + (plan.skipped().isEmpty()
                        ? ""
                        : " (skipped " + plan.skipped().size() + " files Longform does not use; --all takes them)"));
        err.println("into " + dir);
        dl.checkSpace(plan); // throws with bytes needed and available
        if (dryRun) {
            for (RepoFile f : plan.files())
                err.println("  " + f.path() + "  " + Sizes.human(f.size()) + (f.lfs() ? "  sha256 " + f.sha256() : ""));
            return 0;
        }
        err.println("(interrupting keeps the partial files: run the same command again to resume)");
        DownloadResult r = dl.download(plan, new ProgressPrinter(err), new DownloadControl());
        err.println();
        if (!r.complete()) {
            err.println("paused; run the same command again to resume");
            return 3;
        }
        err.println("done: " + plan.files().size() + " files verified in " + dir);
        try {
            LocalModel m = LocalModel.inspect(dir);
            RecentModels.standard().add(m);
            err.println(m.summary() + "; use it with --model " + dir);
        } catch (RuntimeException | IOException e) {
            // not every hub repo is a model Longform can open (or the recent list is not writable): the files are there
            // all the same
            err.println("note: " + e.getMessage());
        }
        System.out.println(dir);
        return 0;
    }

    /** One status line, redrawn at most 4 times a second (a line per file when stderr is not a terminal). */
    static final class ProgressPrinter implements DownloadListener {
        private final PrintStream err;
        private final boolean tty = System.console() != null;
        private long lastDraw, started = System.nanoTime(), startBytes = -1;

        ProgressPrinter(PrintStream err) {
            this.err = err;
        }

        @Override
        public void fileStarted(RepoFile f, long offset) {
            if (!tty)
                err.println("  " + f.path() + " (" + Sizes.human(f.size())
                        + (offset > 0 ? ", resuming at " + Sizes.human(offset) : "") + ")");
        }

        @Override
        public void progress(RepoFile f, long fileDone, long totalDone, long totalBytes) {
            if (startBytes < 0) startBytes = totalDone;
            long now = System.nanoTime();
            if (!tty || now - lastDraw < 250_000_000L) return;
            lastDraw = now;
            double secs = (now - started) / 1e9, rate = (totalDone - startBytes) / Math.max(secs, 1e-3);
            err.printf(
                    "\r  %5.1f%%  %s / %s  %s/s  %s      ",
                    100.0 * totalDone / Math.max(1, totalBytes),
                    Sizes.human(totalDone),
                    Sizes.human(totalBytes),
                    Sizes.human((long) rate),
                    f.path());
        }

        @Override
        public void retrying(RepoFile f, int attempt, long offset, Exception cause) {
            err.println((tty ? "\n" : "") + "  " + f.path() + ": " + cause.getMessage() + "; retry " + attempt
                    + " from byte " + offset);
        }
    }
}
