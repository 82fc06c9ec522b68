package org.longform;

import java.util.List;
import org.longform.cli.Cli;
import org.longform.ui.App;
import org.longform.ui.app.EditorArgs;

/**
 * Entry point of {@code bin/longform}: a known subcommand runs headless (no JavaFX class is
 * touched); anything else (no arguments, {@code --open FILE}, {@code --model PATH}) starts the GUI,
 * after its arguments are checked and a display is found (else one line says what is wrong).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        // DJL logs through SLF4J; without a provider SLF4J warns on stderr, which would pollute CLI output
        if (System.getProperty("slf4j.internal.verbosity") == null)
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        if (args.length > 0 && Cli.isCommand(args[0])) {
            System.exit(Cli.run(args));
        }
        List<String> commands = Cli.commandNames();
        try {
            EditorArgs.parse(List.of(args), commands);
        } catch (EditorArgs.BadArgs e) {
            System.err.println("longform: " + e.getMessage());
            System.exit(2);
        }
        String noDisplay = EditorArgs.noDisplay(
                System.getenv(), System.getProperty("os.name", ""), System.getProperty("glass.platform"));
        if (noDisplay != null) exitNoDisplay(noDisplay, commands);
        try {
            App.start(args);
        } catch (RuntimeException e) {
            // the window system would not start: JavaFX says so by exception
            String why = EditorArgs.windowSystemFailure(e);
            if (why != null) exitNoDisplay(why, commands);
            throw e;
        }
    }

    private static void exitNoDisplay(String why, List<String> commands) {
        System.err.println("longform: " + EditorArgs.needsDisplay(why, commands));
        System.exit(2);
    }
}
