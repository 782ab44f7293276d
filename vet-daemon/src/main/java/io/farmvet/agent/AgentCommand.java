package io.farmvet.agent;

import io.farmvet.config.Secret;
import io.farmvet.config.SecretFile;
import io.farmvet.git.MirrorSync;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code farmvet agent --repos DIR [--upstream URL-TEMPLATE] [--listen HOST:PORT] [--token-file F] [--quarantine
 * DIR] [--concurrency N]}: parses the options, starts an {@link AgentServer}, and runs until SIGTERM or Ctrl-C,
 * on which a shutdown hook stops it gracefully. Exit codes as {@code farmvet}'s: 0 after a clean stop, 2 when the
 * agent cannot listen, 3 for bad usage or settings.
 */
public final class AgentCommand {
    public static final int EXIT_CANNOT_RUN = 2;
    public static final int EXIT_USAGE = 3;

    static final String USAGE = "usage: farmvet agent --repos DIR [--upstream URL-TEMPLATE] [--listen HOST:PORT]"
            + " [--token-file FILE] [--quarantine DIR] [--concurrency N]";

    private static final List<String> OPTIONS =
            List.of("--repos", "--upstream", "--listen", "--token-file", "--quarantine", "--concurrency");

    private AgentCommand() {}

    /** Runs the agent until the JVM is asked to stop; returns the exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        AgentSettings settings;
        try {
            settings = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("farmvet agent: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
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

    static AgentSettings parse(List<String> args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int eq = arg.indexOf('=');
            String name = arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown option '" + name + "' (known: " + String.join(", ", OPTIONS) + ")");
            }
            String value;
            if (eq > 0 && arg.startsWith("--")) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException(name + " needs a value");
            }
            if (values.put(name, value) != null) {
                throw new IllegalArgumentException(name + " given twice");
            }
        }
        String repos = values.get("--repos");
        if (repos == null) {
            throw new IllegalArgumentException("--repos is required");
        }
        AgentSettings settings =
                AgentSettings.of(Path.of(repos), values.get("--upstream"), token(values.get("--token-file")));
        String listen = values.get("--listen");
        if (listen != null) {
            int colon = listen.lastIndexOf(':');
            if (colon <= 0 || colon == listen.length() - 1) {
                throw new IllegalArgumentException(
                        "--listen must be HOST:PORT, e.g. 127.0.0.1:7990 (got " + listen + ")");
            }
            String host = listen.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(listen.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen: port must be a number (got " + listen + ")");
            }
            settings = settings.withListen(host, port);
        }
        if (values.containsKey("--quarantine")) {
            settings = settings.withQuarantine(Path.of(values.get("--quarantine")));
        }
        if (values.containsKey("--concurrency")) {
            try {
                settings = settings.withResyncConcurrency(Integer.parseInt(values.get("--concurrency")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--concurrency must be a number (got " + values.get("--concurrency") + ")");
            }
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
}
