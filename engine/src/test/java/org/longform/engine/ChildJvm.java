package org.longform.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
