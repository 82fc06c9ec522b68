package org.longform.engine.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs mutated inputs through one parser, each case on a worker thread with a time box, and sorts
 * the outcomes: accepted, refused with the documented exception (a one-line message naming the
 * file), or a failure: any other exception, any Error (OutOfMemoryError, StackOverflowError), a
 * message that does not name the file, or a case that runs past its time box (a hang). Failing
 * inputs are kept under target/fuzz-failures with the case number, so a run can be replayed.
 *
 * <p>Case counts: {@code -Dfuzz.cases=N} per parser (the bounded default keeps {@code mvn verify}
 * well under a minute); {@code -Dfuzz.seed=S} changes the seed.
 */
public final class FuzzRunner {
    /** Parses the file; returns normally when the input was accepted. */
    public interface Target {
        void parse(Path file) throws Exception;
    }

    /** What one parser did with its cases; {@code failures} lists each bad case in one line. */
    public record Report(String parser, int cases, int accepted, int refused, List<String> failures, long millis) {
        @Override
        public String toString() {
            return String.format(
                    "fuzz %-22s %6d cases: %6d accepted, %6d refused, %d failures, %d ms",
                    parser, cases, accepted, refused, failures.size(), millis);
        }
    }

    private static final long TIME_BOX_SECONDS = 20;

    private FuzzRunner() {}

    /** Cases per parser: {@code -Dfuzz.cases}, else {@code bounded}. */
    public static int cases(int bounded) {
        return Integer.getInteger("fuzz.cases", bounded);
    }

    public static long seed() {
        return Long.getLong("fuzz.seed", 18L);
    }

    /**
     * Runs {@code cases} mutations of the {@code seeds} (round robin), each written to
     * {@code dir/fileName} before {@code target} parses it; {@code refusal} is the documented error.
     */
    public static Report run(
            String parser,
            List<byte[]> seeds,
            int hot,
            int cases,
            Path dir,
            String fileName,
            Class<? extends Exception> refusal,
            Target target)
            throws IOException {
        Path file = dir.resolve(fileName);
        int accepted = 0, refused = 0;
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        ExecutorService worker = newWorker();
        try {
            for (int c = 0; c < cases; c++) {
                long caseSeed = seed() * 1_000_003L + c;
                byte[] input = new Mutator(caseSeed).mutate(seeds.get(c % seeds.size()), hot);
                Files.write(file, input);
                String bad = null;
                Future<?> f = worker.submit(() -> {
                    target.parse(file);
                    return null;
                });
                try {
                    f.get(TIME_BOX_SECONDS, TimeUnit.SECONDS);
                    accepted++;
                } catch (TimeoutException e) {
                    f.cancel(true);
                    worker.shutdownNow();
                    worker = newWorker();
                    bad = "hang (over " + TIME_BOX_SECONDS + " s)";
                } catch (ExecutionException e) {
                    Throwable t = e.getCause();
                    String m = String.valueOf(t.getMessage());
                    if (refusal.isInstance(t) && m.contains(fileName) && !m.contains("\n")) refused++;
                    else
                        bad = t.getClass().getName() + ": "
                                + m.lines().findFirst().orElse("")
                                + (refusal.isInstance(t)
                                        ? " (message must be one line naming " + fileName + ")"
                                        : " at " + where(t));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                if (bad != null) failures.add(keep(parser, c, caseSeed, input) + ": " + bad);
            }
        } finally {
            worker.shutdownNow();
        }
        Report r = new Report(parser, cases, accepted, refused, failures, (System.nanoTime() - t0) / 1_000_000);
        System.out.println(r);
        failures.stream().limit(10).forEach(s -> System.out.println("  " + s));
        return r;
    }

    private static ExecutorService newWorker() {
        // A large stack, as the app's own threads have (-Xss4m), so deep recursion is a finding, not noise.
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(null, r, "fuzz-case", 4L << 20);
            t.setDaemon(true);
            return t;
        });
    }

    private static String where(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        for (StackTraceElement e : st) if (e.getClassName().startsWith("org.longform")) return e.toString();
        return st.length > 0 ? st[0].toString() : "?";
    }

    /** Keeps a failing input for replay; returns how to name it. */
    private static String keep(String parser, int c, long caseSeed, byte[] input) {
        Path out = Path.of("target", "fuzz-failures", parser + "-case" + c + "-seed" + caseSeed + ".bin");
        try {
            Files.createDirectories(out.getParent());
            Files.write(out, input);
        } catch (IOException e) {
            return "case " + c + " (not kept: " + e.getMessage() + ")";
        }
        return "case " + c + " (" + out + ")";
    }
}
