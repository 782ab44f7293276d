package io.farmvet.cli;

import io.farmvet.config.ConfigException;
import io.farmvet.daemon.DaemonCommand;
import io.farmvet.daemon.DaemonException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code farmvet run}: the daemon, until SIGTERM or SIGINT. */
@Command(
        name = "run",
        header = "run the daemon: vet on vet.schedule, serve the REST API",
        description = {
            "Runs the daemon: vets on vet.schedule, repairs what repair.mode allows, keeps the run history in"
                    + " state.dir and serves the REST API on server.listen. SIGHUP reloads the config; SIGTERM"
                    + " or SIGINT (Ctrl-C) stops it cleanly."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped cleanly on SIGTERM or SIGINT",
            "3:bad usage, or it cannot start (a config problem, server.listen taken)"
        })
final class RunCommand implements Callable<Integer> {
    private final PrintStream err;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the farmvet YAML config")
    Path config;

    RunCommand(PrintStream err) {
        this.err = err;
    }

    @Override
    public Integer call() throws ConfigException {
        try {
            DaemonCommand.run(config);
            return ExitCodes.CONSISTENT;
        } catch (DaemonException e) {
            err.println("farmvet: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.CONSISTENT;
        }
    }
}
