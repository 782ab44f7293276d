package io.farmvet.cli;

import io.farmvet.agent.AgentCommand;
import io.farmvet.bench.BenchCommand;
import io.farmvet.config.ConfigException;
import io.farmvet.demo.DemoCommand;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code farmvet} command line, on picocli: each command is a thin door onto the same core calls the daemon
 * uses. Exit codes: 0 consistent, 1 inconsistencies found, 2 the primary or a node could not be vetted, 3 bad usage
 * or config. The report goes to stdout; logs and progress go to stderr. A usage error names the option or
 * argument, suggests the nearest name for a typo, and points at {@code farmvet help COMMAND}.
 */
public final class Main {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean progressOnTerminal;

    public Main(PrintStream out, PrintStream err, boolean progressOnTerminal) {
        this.out = out;
        this.err = err;
        this.progressOnTerminal = progressOnTerminal;
    }

    public static void main(String[] args) {
        // One-shot commands keep stderr for warnings and errors unless asked (logback.xml reads this property);
        // the daemon and the agent log at INFO, since their log is the only account of what they did.
        if (System.getProperty("farmvet.log.level") == null) {
            String level = System.getenv("FARMVET_LOG_LEVEL");
            boolean daemon = args.length > 0 && (args[0].equals("run") || args[0].equals("agent"));
            System.setProperty("farmvet.log.level", level != null ? level : daemon ? "INFO" : "WARN");
        }
        int code = new Main(System.out, System.err, TerminalProgress.stderrIsTerminal()).run(args);
        System.exit(code);
    }

    /** Runs one command line; returns its exit code. */
    public int run(String... args) {
        return commandLine().execute(args);
    }

    /** The whole command tree, wired to this instance's streams; also what the man pages are written from. */
    CommandLine commandLine() {
        CommandLine cli = new CommandLine(new FarmvetCommand())
                .addSubcommand(new DemoCommand(out, err))
                .addSubcommand(new VetCommand(out, err, progressOnTerminal))
                .addSubcommand(new DiffCommand(out, err))
                .addSubcommand(new RunCommand(err))
                .addSubcommand(new CheckConfigCommand(out))
                .addSubcommand(new DiscoverCommand(out, err))
                .addSubcommand(new AgentCommand(out, err))
                .addSubcommand(new BenchCommand(out, err))
                .addSubcommand(new CompletionCommand(out))
                .addSubcommand(new VersionCommand())
                .addSubcommand(new HelpCommand());
        // picocli would read "@x" as a file of arguments; here it is a file name like any other.
        cli.setExpandAtFiles(false);
        // Set last: these reach only the subcommands added before.
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler(this::usageError);
        cli.setExecutionExceptionHandler(this::failure);
        return cli;
    }

    private int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        err.println(command.getCommandSpec().qualifiedName() + ": " + describe(e));
        err.println(
                command.getParent() == null
                        ? "run 'farmvet help' for the list of commands"
                        : "run 'farmvet help " + path(command) + "' for its usage");
        err.flush();
        return ExitCodes.USAGE;
    }

    private int failure(Exception e, CommandLine command, ParseResult parsed) {
        if (e instanceof ConfigException) {
            err.println("farmvet: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        // A bug, not bad input: say so with the trace, and exit 2 ("could not vet"), never 1 ("inconsistent").
        err.println(command.getCommandSpec().qualifiedName() + ": failed unexpectedly: " + e);
        e.printStackTrace(err);
        return ExitCodes.NOT_VETTED;
    }

    /** The problem, with the nearest known name for a mistyped command or option. */
    static String describe(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException unmatched)
                || unmatched.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        CommandLine command = unmatched.getCommandLine();
        String arg = unmatched.getUnmatched().get(0);
        List<String> known = new ArrayList<>();
        String text;
        if (arg.startsWith("-")) {
            int eq = arg.indexOf('=');
            arg = eq > 0 ? arg.substring(0, eq) : arg;
            text = "unknown option '" + arg + "'";
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.hidden()) {
                    known.addAll(List.of(option.names()));
                }
            }
        } else if (!command.getSubcommands().isEmpty()) {
            text = "unknown command '" + arg + "'";
            known.addAll(command.getSubcommands().keySet());
        } else {
            return "unexpected argument '" + arg + "'";
        }
        Optional<String> nearest = Suggestions.nearest(arg, known);
        return nearest.map(name -> text + "; did you mean '" + name + "'?").orElse(text);
    }

    /** {@code bench vet} for {@code farmvet bench vet}. */
    private static String path(CommandLine command) {
        String qualified = command.getCommandSpec().qualifiedName();
        String root = command.getCommandSpec().root().name();
        return qualified.substring(root.length()).strip();
    }
}
