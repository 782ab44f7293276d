package io.farmvet.agent;

import io.farmvet.config.ListenAddress;
import io.farmvet.config.Secret;
import io.farmvet.config.SecretFile;
import io.farmvet.git.MirrorSync;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code farmvet agent}: turns its options into {@link AgentSettings}, starts an {@link AgentServer}, and runs
 * until SIGTERM or Ctrl-C, on which a shutdown hook stops it gracefully. Exit codes as {@code farmvet}'s: 0 after a
 * clean stop, 2 when the agent cannot listen, 3 for bad usage or settings.
 */
@Command(
        name = "agent",
        header = "serve a plain Git node's repo-hashes listing and resyncs",
        description = {
            "Serves a plain Git node's repo-hashes listing, /status and resyncs, so that a fleet of bare Git"
                    + " mirrors can be vetted and repaired (repair.mode agent) like a Bitbucket mirror farm.",
            "Run one on the primary without --upstream (it only serves hashes) and one on each mirror with it."
                    + " SIGTERM or Ctrl-C stops it: open requests and running resyncs finish (up to 30 s)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped cleanly on SIGTERM or SIGINT",
            "2:it cannot listen (the address is taken)",
            "3:bad usage or settings"
        })
public final class AgentCommand implements Callable<Integer> {
    public static final int EXIT_CANNOT_RUN = 2;
    public static final int EXIT_USAGE = 3;

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--repos",
            required = true,
            paramLabel = "DIR",
            description = "the folder of bare repositories, each at <project-key>/<slug>.git in it")
    Path repos;

    @Option(
            names = "--upstream",
            paramLabel = "URL-TEMPLATE",
            description = "the URL resyncs fetch from, with {project} and {repo} to fill in (any JGit transport);"
                    + " without it the agent only serves hashes")
    String upstream;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            converter = ListenConverter.class,
            description = "where to listen, IPv6 in brackets ([::1]:7990); default: 127.0.0.1:7990. Beyond"
                    + " loopback only with --token-file")
    ListenAddress listen;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "a file holding the bearer token (one line) that every endpoint but /status requires")
    String tokenFile;

    @Option(
            names = "--quarantine",
            paramLabel = "DIR",
            description = "where extra repositories are moved (outside --repos, on its file system; nothing is"
                    + " deleted); default: farmvet-quarantine beside the --repos folder. Needs --upstream")
    Path quarantine;

    @Option(
            names = "--concurrency",
            paramLabel = "N",
            description = "resyncs running at the same time; default: " + AgentSettings.DEFAULT_RESYNC_CONCURRENCY)
    Integer concurrency;

    public AgentCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the agent until the JVM is asked to stop; returns the exit code. */
    @Override
    public Integer call() {
        AgentSettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        AgentServer agent;
        try {
            agent = AgentServer.start(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("farmvet agent: " + e.getMessage());
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println("farmvet agent: " + e.getMessage());
            return EXIT_CANNOT_RUN;
        }
        Thread hook = new Thread(agent::close, "farmvet-agent-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("farmvet agent: serving " + settings.repositories() + " on " + agent.uri()
                + (agent.resyncs()
                        ? ", resyncing from " + MirrorSync.maskUrl(settings.upstreamTemplate())
                        : " (no --upstream: hashes only)"));
        out.flush();
        try {
            agent.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.close();
        }
        return 0;
    }

    /** The settings the parsed options describe; the rules that span options are checked here. */
    AgentSettings settings() {
        AgentSettings settings = AgentSettings.of(repos, upstream, token(tokenFile));
        if (listen != null) {
            settings = settings.withListen(listen.host(), listen.port());
        }
        if (quarantine != null) {
            settings = settings.withQuarantine(quarantine);
        }
        if (concurrency != null) {
            settings = settings.withResyncConcurrency(concurrency);
        }
        if (settings.quarantine() != null && settings.upstreamTemplate() == null) {
            throw new IllegalArgumentException("--quarantine needs --upstream: without one the agent changes nothing");
        }
        return settings;
    }

    /** Reads the token once, by the rules of every secret file ({@link SecretFile}). */
    static Secret token(String file) {
        if (file == null) {
            return null;
        }
        try {
            return SecretFile.read(Path.of(file), SecretFile.Kind.TOKEN, "--token-file");
        } catch (SecretFile.Refused e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** {@code --listen} through the one listen-address parser the daemon's {@code server.listen} uses too. */
    static final class ListenConverter implements ITypeConverter<ListenAddress> {
        @Override
        public ListenAddress convert(String text) {
            try {
                return ListenAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage() + "; write it " + ListenAddress.FORMS);
            }
        }
    }
}
