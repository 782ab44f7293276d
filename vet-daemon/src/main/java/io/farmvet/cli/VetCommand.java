package io.farmvet.cli;

import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.RepairMode;
import io.farmvet.vet.Vet;
import io.farmvet.vet.VetProgress;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code farmvet vet}: one vet now, through the same {@link Vet} call the daemon makes. */
@Command(
        name = "vet",
        header = "vet the farm once now, repair what repair.mode allows, print the report",
        description = {
            "Vets the farm once now: fetches every server's repo-hashes listing, compares each node with the"
                    + " primary, repairs what repair.mode allows and prints the report on stdout.",
            "Logs and, on a terminal, live progress go to stderr."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every node vetted and consistent",
            "1:inconsistencies found",
            "2:the primary or a node could not be vetted",
            "3:bad usage or config"
        })
final class VetCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean progressOnTerminal;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the farmvet YAML config")
    Path config;

    @Option(names = "--json", description = "print the report as one JSON document")
    boolean json;

    @Option(names = "--dry-run", description = "plan and report every repair repair.mode allows without sending any")
    boolean dryRun;

    VetCommand(PrintStream out, PrintStream err, boolean progressOnTerminal) {
        this.out = out;
        this.err = err;
        this.progressOnTerminal = progressOnTerminal;
    }

    @Override
    public Integer call() throws ConfigException {
        FarmvetConfig loaded = ConfigLoader.load(config);
        if (dryRun) {
            if (loaded.repair().mode() == RepairMode.NONE) {
                err.println("farmvet: --dry-run has nothing to plan with repair.mode none; it vets and reports only");
            }
            loaded = loaded.withDryRun();
        }
        ListingReader reader = new ListingReader(loaded.listing().limits());
        ListingFetcher fetcher;
        try {
            fetcher = new ListingFetcher(loaded.http(), reader, loaded.nodes().size() + 1);
        } catch (GeneralSecurityException | IOException e) {
            err.println("farmvet: cannot set up TLS with http.ca-file "
                    + loaded.http().caFile() + ": " + e);
            return ExitCodes.USAGE;
        }
        try (fetcher) {
            Vet vet = new Vet(loaded, fetcher, Clock.systemUTC());
            VetProgress progress = vet.newProgress();
            VetReport report;
            if (progressOnTerminal) {
                try (TerminalProgress ignored = new TerminalProgress(progress, err)) {
                    report = vet.run(progress);
                }
            } else {
                report = vet.run(progress);
            }
            return ReportOutput.print(report, WebhookEvents.read(loaded), json, out, err);
        } catch (IOException e) {
            err.println("farmvet: " + e.getMessage());
            return ExitCodes.NOT_VETTED;
        }
    }
}
