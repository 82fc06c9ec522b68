package org.longform.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line of a child JVM running a test's own class path, for the tests that must kill,
 * starve or crash a process without taking the test JVM with them: this JVM's java, the Vector API
 * module, native access (mapped model files), no hsperfdata file, then the given options, the main
 * class and its arguments.
 */
public final class ChildJvm {
    private ChildJvm() {}

    public static List<String> command(List<String> options, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-XX:-UsePerfData"));
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** How a child ended: its exit status and everything it wrote (stdout and stderr together). */
    public record Finished(int exit, String text) {}

    /**
     * Runs {@link #command} with stdout and stderr into {@code out} and waits for it; a child still
     * running after 240 s is killed and fails the test with what it wrote.
     */
    public static Finished run(Path out, List<String> options, Class<?> main, String... args)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(options, main, args))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child hung: " + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Finished(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
