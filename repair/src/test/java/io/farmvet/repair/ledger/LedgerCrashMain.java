package io.farmvet.repair.ledger;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;

/**
 * Run in a child JVM by {@link RepairLedgerTest}: records one request as {@link RepairLedger#begin} does before a
 * send, says so on stdout, then waits to be killed with SIGKILL, never closing the ledger.
 */
public final class LedgerCrashMain {
    private LedgerCrashMain() {}

    public static void main(String[] args) throws Exception {
        RepairLedger ledger = RepairLedger.open(Path.of(args[0]));
        RepairNode node = new RepairNode("mirror-1", URI.create("http://127.0.0.1:1"), null);
        ledger.begin(
                new RepairTarget(node, 42, 7, EnumSet.of(Kind.CONTENT)),
                "POST http://127.0.0.1:1/rest/farmvet/1/resync",
                Instant.parse("2026-11-22T10:00:00Z"));
        System.out.println("written");
        System.out.flush();
        Thread.sleep(120_000);
        ledger.close();
    }
}
