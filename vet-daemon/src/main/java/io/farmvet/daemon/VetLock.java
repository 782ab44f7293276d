package io.farmvet.daemon;

import java.util.Optional;

/**
 * The second half of the single flight, beyond this process: with several farmvet instances on one PostgreSQL
 * ({@link ClusterVetLock}) only the holder of this lock vets; with the embedded H2 the process is alone and
 * {@link #LOCAL} always grants it. {@link VetRunner} takes it after claiming its own flight and releases it when
 * the vet has been recorded.
 */
interface VetLock {
    /** One process on its own state: the runner's flight is the whole story. */
    VetLock LOCAL = new VetLock() {
        @Override
        public Optional<VetRunner.Flight> tryAcquire(VetRunner.Flight flight) {
            return Optional.empty();
        }

        @Override
        public void release(VetRunner.Flight flight) {}

        @Override
        public void confirm(VetRunner.Flight flight) {}

        @Override
        public boolean held() {
            return false;
        }
    };

    /**
     * Takes the lock for {@code flight} without waiting.
     *
     * @return empty when taken; otherwise the vet that holds it (on another instance)
     * @throws VetLockException the lock cannot be asked (the database is down): no vet may start
     */
    Optional<VetRunner.Flight> tryAcquire(VetRunner.Flight flight);

    /** Gives the lock back after {@code flight}; never throws (a lost connection has released it already). */
    void release(VetRunner.Flight flight);

    /**
     * Confirms that {@code flight} still holds it, before each repair it begins ({@link io.farmvet.repair.RepairPermit}).
     *
     * @throws io.farmvet.repair.ledger.LedgerException it is lost (its connection went with a database restart)
     */
    void confirm(VetRunner.Flight flight);

    /** Whether this instance holds it now, for the metric. */
    boolean held();

    /** This instance's name in the cluster, for a 409 that names where a vet runs; null when alone. */
    default String instance() {
        return null;
    }

    /** The lock could not be asked for. */
    final class VetLockException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        VetLockException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
