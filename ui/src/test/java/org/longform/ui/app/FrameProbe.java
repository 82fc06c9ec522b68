package org.longform.ui.app;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Per-frame readings of every thread that can make a JavaFX frame late, for the editor benchmark.
 *
 * <p>Under Monocle the scene is rasterised in software on Prism's renderer thread; the FX thread
 * waits for the previous frame's render before it syncs the next one, and the pulse itself is
 * posted by Monocle's timer thread every 16 ms. So the FX thread's CPU alone cannot say why a frame
 * came late. Each frame this reads, from Linux's {@code /proc/self/task/<tid>/schedstat} (time on
 * a CPU and time runnable but waiting for one, both in ns), the FX thread, the renderer, the timer,
 * and the JVM's GC, JIT-compiler and VM (safepoint) threads, plus the GC pause time the JVM
 * reports. The files stay open and are re-read in place: a reading costs microseconds.
 */
final class FrameProbe {
    /** What is read per frame, in this order; each is a delta since the previous frame, in ns. */
    enum Col {
        INTERVAL("interval"),
        FX_CPU("FX CPU"),
        FX_WAIT("FX runnable-waiting"),
        RENDER_CPU("renderer CPU"),
        RENDER_WAIT("renderer runnable-waiting"),
        TIMER_WAIT("timer runnable-waiting"),
        GC_CPU("GC threads CPU"),
        GC_PAUSE("GC pause"),
        JIT_CPU("JIT threads CPU"),
        VM_CPU("VM thread CPU"),
        PROBE("probe's own time");

        final String label;

        Col(String label) {
            this.label = label;
        }
    }

    /** Threads read together: the sum of their schedstat fields. */
    private record Group(List<FileChannel> files) {
        long[] read(ByteBuffer buf) {
            long cpu = 0, wait = 0;
            for (FileChannel f : files) {
                try {
                    buf.clear();
                    int n = f.read(buf, 0);
                    String[] s = new String(buf.array(), 0, Math.max(0, n), StandardCharsets.US_ASCII)
                            .trim()
                            .split(" ");
                    cpu += Long.parseLong(s[0]);
                    wait += Long.parseLong(s[1]);
                } catch (IOException | RuntimeException e) {
                    // a thread that ended reads as idle from then on
                }
            }
            return new long[] {cpu, wait};
        }
    }

    private final Group fx, render, timer, gc, jit, vm;
    private final ByteBuffer buf = ByteBuffer.allocate(128);
    private final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    private final CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
    private final boolean available;
    private long[] last;
    private long[][] rows = new long[Col.values().length][20_000];
    private final long[] at = new long[20_000];
    private int n;
    /** Adds to System.nanoTime() to give the JVM's uptime (what -Xlog's "uptime" decoration prints), ns. */
    private final long uptimeOffset = ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000 - System.nanoTime();

    /** Opens the threads' schedstat files; call once the FX toolkit runs (its threads exist). */
    FrameProbe() {
        List<FileChannel> f = new ArrayList<>(), r = new ArrayList<>(), t = new ArrayList<>();
        List<FileChannel> g = new ArrayList<>(), j = new ArrayList<>(), v = new ArrayList<>();
        boolean ok = true;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String name;
                FileChannel ch;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                    ch = FileChannel.open(task.resolve("schedstat"));
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                List<FileChannel> into = name.startsWith("JavaFX Applicat")
                        ? f
                        : name.startsWith("QuantumRenderer")
                                ? r
                                : name.startsWith("Monocle Timer")
                                        ? t
                                        : name.startsWith("GC Thread") || name.startsWith("G1 ")
                                                ? g
                                                : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")
                                                        ? j
                                                        : name.equals("VM Thread") ? v : null;
                if (into != null) into.add(ch);
                else ch.close();
            }
        } catch (IOException e) {
            ok = false; // not Linux: only the interval and the JVM's GC pause time are read
        }
        available = ok && !f.isEmpty();
        fx = new Group(f);
        render = new Group(r);
        timer = new Group(t);
        gc = new Group(g);
        jit = new Group(j);
        vm = new Group(v);
    }

    /** Whether per-thread readings are available (Linux /proc); otherwise those columns read 0. */
    boolean available() {
        return available;
    }

    /** Records one frame at pulse time {@code now} (ns); the first call only sets the baseline. */
    void frame(long now) {
        long t0 = System.nanoTime();
        long[] f = fx.read(buf), r = render.read(buf), t = timer.read(buf);
        long[] g = gc.read(buf), j = jit.read(buf), v = vm.read(buf);
        long pause = 0;
        for (GarbageCollectorMXBean b : gcs) {
            // G1's "Concurrent GC" bean times concurrent cycles, which do not stop the FX thread
            if (!b.getName().contains("Concurrent")) pause += Math.max(0, b.getCollectionTime());
        }
        long[] cur = {now, f[0], f[1], r[0], r[1], t[1], g[0], pause * 1_000_000, j[0], v[0], 0};
        if (last != null && n < rows[0].length) {
            for (int c = 0; c < cur.length; c++) rows[c][n] = cur[c] - last[c];
            rows[Col.PROBE.ordinal()][n] = System.nanoTime() - t0;
            at[n++] = now + uptimeOffset;
        }
        last = cur;
    }

    /** Total JIT compile time the JVM reports, ms (for a whole phase; not per frame). */
    long compileMillis() {
        return compiler.isCompilationTimeMonitoringSupported() ? compiler.getTotalCompilationTime() : -1;
    }

    /** The frames recorded since the last take, and starts again (the next frame sets a new baseline). */
    Frames take() {
        long[][] out = new long[rows.length][];
        for (int c = 0; c < rows.length; c++) out[c] = Arrays.copyOf(rows[c], n);
        long[] times = Arrays.copyOf(at, n);
        n = 0;
        last = null;
        return new Frames(out, times);
    }

    /** One phase's frames, column-major (see {@link Col}), and each frame's time as JVM uptime in ns. */
    record Frames(long[][] cols, long[] uptime) {
        int size() {
            return cols[0].length;
        }

        /** Several phases' frames as one (the steady-state pass streams three times for a firmer p99). */
        static Frames concat(Frames... parts) {
            int total = 0;
            for (Frames f : parts) total += f.size();
            long[][] out = new long[parts[0].cols.length][total];
            long[] times = new long[total];
            int at = 0;
            for (Frames f : parts) {
                for (int c = 0; c < out.length; c++) System.arraycopy(f.cols[c], 0, out[c], at, f.size());
                System.arraycopy(f.uptime, 0, times, at, f.size());
                at += f.size();
            }
            return new Frames(out, times);
        }

        long[] col(Col c) {
            return cols[c.ordinal()];
        }

        /** One CSV row per frame: phase, uptime in ms, then every column in ms. */
        String csv(String phase) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < size(); i++) {
                sb.append(phase).append(',').append(String.format(Locale.ROOT, "%.3f", uptime[i] / 1e6));
                for (long[] c : cols) sb.append(String.format(Locale.ROOT, ",%.3f", c[i] / 1e6));
                sb.append('\n');
            }
            return sb.toString();
        }

        static String csvHeader() {
            StringBuilder sb = new StringBuilder("phase,uptime_ms");
            for (Col c : Col.values())
                sb.append(',').append(c.name().toLowerCase(Locale.ROOT)).append("_ms");
            return sb.append('\n').toString();
        }

        /**
         * Late frames against on-time ones: for frames whose interval is over {@code lateMs}, the
         * mean of each column next to the mean over the others, so what grows with lateness shows.
         */
        String lateness(double lateMs) {
            long[] iv = col(Col.INTERVAL);
            int late = 0;
            for (long v : iv) if (v > lateMs * 1e6) late++;
            StringBuilder sb = new StringBuilder(String.format(
                    Locale.ROOT, "%d of %d frames over %.0f ms; mean late | on time, ms:", late, iv.length, lateMs));
            for (Col c : Col.values()) {
                double sl = 0, so = 0;
                for (int i = 0; i < iv.length; i++) {
                    if (iv[i] > lateMs * 1e6) sl += col(c)[i];
                    else so += col(c)[i];
                }
                sb.append(String.format(
                        Locale.ROOT,
                        " %s %.1f | %.1f;",
                        c.label,
                        late == 0 ? 0 : sl / late / 1e6,
                        iv.length == late ? 0 : so / (iv.length - late) / 1e6));
            }
            return sb.toString();
        }
    }
}
