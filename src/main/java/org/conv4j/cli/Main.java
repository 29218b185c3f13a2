package org.conv4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Entry point of the {@code ./conv4j} launcher: dispatches to a {@link Command}. */
public final class Main {
    /** Exit code for bad arguments. */
    public static final int USAGE_ERROR = 2;

    private Main() {
    }

    /** Every subcommand; each registers with one line here. */
    static List<Command> commands() {
        List<Command> list = new ArrayList<>();
        list.add(new InfoCommand());
        list.add(new BenchCommand());
        list.add(new DemoCommand());
        list.add(new RunCommand());
        return list;
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        List<Command> commands = commands();
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            usage(commands, args.isEmpty() ? err : out);
            return args.isEmpty() ? USAGE_ERROR : 0;
        }
        String name = args.get(0);
        for (Command c : commands) {
            if (c.name().equals(name)) {
                try {
                    return c.run(args.subList(1, args.size()), out, err);
                } catch (UsageException e) {
                    err.println("conv4j " + name + ": " + e.getMessage());
                    err.println("usage: ./conv4j " + name + " " + c.usage());
                    return USAGE_ERROR;
                } catch (IllegalArgumentException | IllegalStateException e) {
                    err.println("conv4j " + name + ": " + e.getMessage());
                    return 1;
                } catch (Exception e) {
                    err.println("conv4j " + name + ": failed: " + e);
                    e.printStackTrace(err);
                    return 1;
                }
            }
        }
        err.println("conv4j: unknown command '" + name + "'");
        usage(commands, err);
        return USAGE_ERROR;
    }

    private static void usage(List<Command> commands, PrintStream s) {
        s.println("usage: ./conv4j COMMAND [ARGS]");
        s.println("  test " + " ".repeat(Math.max(1, 38 - 5)) + "run the whole test suite (./mvnw -B verify)");
        for (Command c : commands) {
            String head = c.name() + " " + c.usage();
            s.println("  " + head + " ".repeat(Math.max(1, 38 - head.length())) + c.summary());
        }
    }
}
