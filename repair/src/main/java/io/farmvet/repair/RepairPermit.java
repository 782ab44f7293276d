package io.farmvet.repair;

import io.farmvet.repair.ledger.LedgerException;

/**
 * Whether this vet may still send repairs, asked by the {@link Repairer} before each ledger row it writes. In a
 * cluster it is the vet lock: once its connection is lost (the database restarted), another instance may vet
 * beside this one, so this one must not begin another repair even after the database is back.
 */
@FunctionalInterface
public interface RepairPermit {
    /** One farmvet on its own state: nobody else can repair beside it. */
    RepairPermit ALONE = () -> {};

    /** @throws LedgerException the permit is lost; the message names the state database and what to do */
    void confirm();
}
