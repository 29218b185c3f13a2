package org.conv4j.cli;

import java.io.PrintStream;
import java.util.List;

/** A subcommand of the {@code ./conv4j} launcher. */
public interface Command {
    /** The word that selects it, e.g. {@code info}. */
    String name();

    /** Usage line(s) after the name, e.g. {@code [--quick] [--filter IDS]}. */
    String usage();

    /** One line for the command list. */
    String summary();

    /**
     * Runs the command.
     *
     * @return the process exit code
     * @throws UsageException for bad arguments (the launcher prints the message and usage, exit code 2)
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
