package io.farmvet.vet;

import io.farmvet.concurrent.Sleeper;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.TlsTrust;
import io.farmvet.repair.RepairPermit;
import io.farmvet.repair.RepairSettings;
import io.farmvet.repair.Repairer;
import io.farmvet.repair.audit.AuditLog;
import io.farmvet.repair.ledger.LedgerException;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.repair.send.HttpRepairTransport;
import io.farmvet.repair.send.RepairAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * What one vet needs to repair: the {@link Repairer} over the ledger in {@code state.dir}, the audit log and an
 * HTTP transport, opened for the vet and closed after it. The ledger's H2 database is opened by one process at a
 * time, which keeps two farmvets from repairing the same farm at once.
 */
final class RepairSession implements AutoCloseable {
    private final RepairLedger ledger;
    private final AuditLog audit;
    private final HttpRepairTransport transport;
    final Repairer repairer;

    private RepairSession(RepairLedger ledger, AuditLog audit, HttpRepairTransport transport, Repairer repairer) {
        this.ledger = ledger;
        this.audit = audit;
        this.transport = transport;
        this.repairer = repairer;
    }

    /**
     * @throws RepairSetupException the state or audit log cannot be opened, or TLS cannot be set up; the message
     *     says which and what to do
     */
    static RepairSession open(FarmvetConfig config, Clock clock, RepairPermit permit) throws RepairSetupException {
        RepairSettings settings = config.repair().settings();
        java.nio.file.Path stateDir = config.state().dir();
        RepairLedger ledger = null;
        AuditLog audit = null;
        try {
            Files.createDirectories(stateDir);
            ledger = RepairLedger.open(config.state().database());
            audit = AuditLog.open(config.repair().auditLog());
            HttpRepairTransport transport = new HttpRepairTransport(
                    settings.timeout(),
                    TlsTrust.context(config.http().caFile()),
                    settings.concurrency() * Math.max(1, config.nodes().size()),
                    clock);
            Repairer repairer = new Repairer(
                    settings,
                    RepairAdapter.of(settings),
                    transport,
                    ledger,
                    audit,
                    clock,
                    Sleeper.SYSTEM,
                    new SecureRandom(),
                    permit);
            return new RepairSession(ledger, audit, transport, repairer);
        } catch (IOException | LedgerException | GeneralSecurityException e) {
            closeQuietly(audit);
            closeQuietly(ledger);
            throw new RepairSetupException(
                    "repairs are off for this vet: cannot open the repair state in "
                            + (config.state().database().isPostgresql()
                                    ? config.state().database() + " (state.database)"
                                    : stateDir + " (state.dir)")
                            + " or the audit log " + config.repair().auditLog() + " (repair.audit-log): "
                            + e.getMessage()
                            + "; check that the folder exists, is writable by farmvet and has free space, "
                            + "and that no other farmvet is using it",
                    e);
        }
    }

    @Override
    public void close() {
        closeQuietly(transport);
        closeQuietly(audit);
        closeQuietly(ledger);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(RepairSession.class).warn("closing {}: {}", closeable, e.getMessage());
        }
    }

    /** The repair state could not be opened: the vet's verdicts stand, nothing is repaired. */
    static final class RepairSetupException extends Exception {
        RepairSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
