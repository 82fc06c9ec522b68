package org.longform;

import org.longform.cli.Cli;
import org.longform.ui.App;

/**
 * Entry point of {@code bin/longform}: a known subcommand runs headless (no JavaFX class is
 * touched); anything else (no arguments, {@code --open FILE}) starts the GUI.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        // DJL logs through SLF4J; without a provider SLF4J warns on stderr, which would pollute CLI output
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "ERROR");
        if (args.length > 0 && Cli.isCommand(args[0])) {
            System.exit(Cli.run(args));
        }
        App.start(args);
    }
}
