package io.farmvet.cli;

import io.farmvet.agent.AgentCommand;
import io.farmvet.bench.BenchCommand;
import io.farmvet.compare.Scope;
import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.daemon.DaemonCommand;
import io.farmvet.daemon.DaemonException;
import io.farmvet.demo.DemoCommand;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.report.JsonReport;
import io.farmvet.report.TextReport;
import io.farmvet.vet.FileDiff;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetProgress;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code farmvet} command line. Each command is a thin door onto the same core calls the daemon uses.
 * Exit codes: 0 consistent, 1 inconsistencies found, 2 the primary or a node could not be vetted, 3 bad usage or
 * config. The report goes to stdout; logs and progress go to stderr.
 */
public final class Main {
    static final int EXIT_USAGE = 3;

    static final String USAGE = """
            usage: farmvet <command> [options]

              demo [--keep-running] [--dir DIR]
                                              build a demo farm of Git repositories on this machine, let it drift,
                                              vet and repair it with the agents, vet again
              vet --config FILE [--json] [--dry-run]
                                              vet the farm once now, repair what repair.mode allows, print the report;
                                              --dry-run plans and reports every repair without sending any
              diff PRIMARY.json NODE.json [--scope all|inferred|ID,ID,...] [--json]
                                              compare two saved repo-hashes listings
              run --config FILE               run the daemon: vet on vet.schedule, serve the REST API
              check-config FILE               validate a config file (exit 0, or 3 with every problem)
              agent --repos DIR [--upstream URL-TEMPLATE] [--listen HOST:PORT] [--token-file F]
                    [--quarantine DIR] [--concurrency N]
                                              serve a plain Git node's repo-hashes and resyncs (127.0.0.1:7990)
              bench vet|hash [options]        benchmarks: a synthetic farm vetted vs jq and a token scan;
                                              hashing repositories in-process vs the git CLI (see README)
              version                         print the version
              help                            print this help

            exit codes: 0 consistent, 1 inconsistencies found, 2 the primary or a node could not be vetted,
                        3 bad usage or config; run exits 0 once stopped, 3 when it cannot start
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean progressOnTerminal;

    Main(PrintStream out, PrintStream err, boolean progressOnTerminal) {
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

    int run(String[] args) {
        if (args.length == 0) {
            err.print(USAGE);
            return EXIT_USAGE;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        try {
            return switch (args[0]) {
                case "vet" -> vet(rest);
                case "diff" -> diff(rest);
                case "check-config" -> checkConfig(rest);
                case "run" -> runDaemon(rest);
                case "agent" -> AgentCommand.run(rest, out, err);
                case "demo" -> DemoCommand.run(rest, out, err);
                case "bench" -> BenchCommand.run(rest, out, err);
                case "version", "--version" -> {
                    out.println("farmvet " + version());
                    yield 0;
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE);
                    yield 0;
                }
                default -> throw new UsageException("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            err.println("farmvet: " + e.getMessage());
            err.println("run 'farmvet help' for usage");
            return EXIT_USAGE;
        } catch (ConfigException e) {
            err.println("farmvet: " + e.getMessage());
            return EXIT_USAGE;
        }
    }

    private int vet(List<String> args) throws UsageException, ConfigException {
        Options options = Options.parse(args, List.of("--json", "--dry-run"), List.of("--config"));
        options.noPositionals();
        FarmvetConfig config = ConfigLoader.load(Path.of(options.required("--config")));
        if (options.has("--dry-run")) {
            if (config.repair().mode() == io.farmvet.repair.RepairMode.NONE) {
                err.println("farmvet: --dry-run has nothing to plan with repair.mode none; it vets and reports only");
            }
            config = config.withDryRun();
        }
        ListingReader reader = new ListingReader(config.listing().limits());
        ListingFetcher fetcher;
        try {
            fetcher = new ListingFetcher(config.http(), reader, config.nodes().size() + 1);
        } catch (GeneralSecurityException | IOException e) {
            err.println("farmvet: cannot set up TLS with http.ca-file "
                    + config.http().caFile() + ": " + e);
            return EXIT_USAGE;
        }
        try (fetcher) {
            Vet vet = new Vet(config, fetcher, Clock.systemUTC());
            VetProgress progress = vet.newProgress();
            VetReport report;
            if (progressOnTerminal) {
                try (TerminalProgress ignored = new TerminalProgress(progress, err)) {
                    report = vet.run(progress);
                }
            } else {
                report = vet.run(progress);
            }
            return print(report, options.has("--json"));
        } catch (IOException e) {
            err.println("farmvet: " + e.getMessage());
            return 2;
        }
    }

    private int runDaemon(List<String> args) throws UsageException, ConfigException {
        Options options = Options.parse(args, List.of(), List.of("--config"));
        options.noPositionals();
        try {
            DaemonCommand.run(Path.of(options.required("--config")));
            return 0;
        } catch (DaemonException e) {
            err.println("farmvet: " + e.getMessage());
            return EXIT_USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private int diff(List<String> args) throws UsageException {
        Options options = Options.parse(args, List.of("--json"), List.of("--scope"));
        List<String> files = options.positionals();
        if (files.size() != 2) {
            throw new UsageException("diff takes two listing files, PRIMARY.json and NODE.json");
        }
        Scope scope = parseScope(options.value("--scope", "inferred"));
        try {
            VetReport report = new FileDiff(new ListingReader(ListingLimits.DEFAULTS), Clock.systemUTC())
                    .run(Path.of(files.get(0)), Path.of(files.get(1)), scope);
            return print(report, options.has("--json"));
        } catch (NoSuchFileException e) {
            throw new UsageException("no such file: " + e.getFile());
        } catch (IOException e) {
            throw new UsageException("cannot read " + e.getMessage());
        }
    }

    private int checkConfig(List<String> args) throws UsageException, ConfigException {
        Options options = Options.parse(args, List.of(), List.of());
        List<String> files = options.positionals();
        if (files.size() != 1) {
            throw new UsageException("check-config takes one config file");
        }
        FarmvetConfig config = ConfigLoader.load(Path.of(files.get(0)));
        out.printf(
                "%s: OK (farm %s, primary %s, %d node(s))%n",
                files.get(0),
                config.farm().name(),
                config.primary().url(),
                config.nodes().size());
        return 0;
    }

    private int print(VetReport report, boolean json) {
        if (json) {
            try {
                JsonReport.write(report, out);
            } catch (IOException e) {
                err.println("farmvet: cannot write the report: " + e.getMessage());
                return 2;
            }
        } else {
            TextReport.write(report, out);
        }
        return report.exitCode();
    }

    static Scope parseScope(String text) throws UsageException {
        switch (text) {
            case "all":
                return Scope.ALL;
            case "inferred":
                return Scope.INFERRED;
            default:
                try {
                    return Scope.of(Arrays.stream(text.split(","))
                            .map(String::strip)
                            .mapToLong(Long::parseLong)
                            .peek(id -> {
                                if (id < 0) {
                                    throw new NumberFormatException();
                                }
                            })
                            .toArray());
                } catch (NumberFormatException e) {
                    throw new UsageException(
                            "--scope must be all, inferred or a comma-separated list of project ids, not '" + text
                                    + "'");
                }
        }
    }

    private static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }
}
