package org.longform.cli;

import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.longform.server.ServeCommand;
import picocli.CommandLine;

/** The headless subcommands of bin/longform. */
@CommandLine.Command(
        name = "longform",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // `longform bench --help` works as `longform help bench` does
        versionProvider = Cli.Version.class,
        description = "Longform: write long stories with MPT-7B-StoryWriter. Without a subcommand the editor starts.",
        subcommands = {
            LogitsCommand.class,
            AgreeCommand.class,
            ContinueCommand.class,
            BenchCommand.class,
            MakeModelCommand.class,
            ExportGgufCommand.class,
            ReplayCommand.class,
            SoakCommand.class,
            DownloadCommand.class,
            DoctorCommand.class,
            ExportCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Cli {
    /** The words that are not subcommand names but still mean "the headless CLI", not the editor. */
    private static final Set<String> FLAGS = Set.of("--help", "-h", "--version", "-V");

    /** Held so the level set on it is not lost to garbage collection of an unreferenced logger. */
    private static final Logger CUDA_LOG = Logger.getLogger("org.longform.engine.cuda");

    public static boolean isCommand(String first) {
        return FLAGS.contains(first) || commandNames().contains(first);
    }

    /** The subcommand words, in the order help lists them (for "unknown command" messages). */
    public static List<String> commandNames() {
        return List.copyOf(new CommandLine(new Cli()).getSubcommands().keySet());
    }

    public static int run(String[] args) {
        // "cuda backend skipped: no NVIDIA driver" is the normal case on most machines: on the command
        // line it would be a second line before every error message; `longform doctor` reports it instead
        if (!Boolean.getBoolean("longform.debug")) CUDA_LOG.setLevel(Level.WARNING);
        CommandLine cl = new CommandLine(new Cli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // a user never sees a stack trace: one line naming the problem (and the file, where there is one)
            cmd.getErr().println("longform: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (Boolean.getBoolean("longform.debug")) ex.printStackTrace(cmd.getErr());
            return 2;
        });
        return cl.execute(args);
    }

    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"longform " + (v != null ? v : "0.1.0-SNAPSHOT") + " (Java " + Runtime.version() + ")"
            };
        }
    }
}
