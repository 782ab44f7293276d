package io.farmvet.repair;

import io.farmvet.repair.send.HttpTemplate;
import io.farmvet.util.Units;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code repair.*} part of the config, typed, validated and immutable. Every default is a named constant;
 * every validation message names the key. The config loader builds it with {@link #builder()}; unset keys keep
 * their defaults.
 *
 * @param settle how long the vet waits before the second look that confirms a mismatch; zero turns it off
 * @param maxFraction safety valve: the share of the primary's in-scope repositories a node may have repaired in one
 *     vet
 * @param maxPerRun safety valve: the number of repairs a node may get in one vet
 * @param concurrency requests in flight per node
 * @param ratePerSecond requests started per second per node
 * @param retries attempts after the first for a request that failed in a retryable way (I/O error, 5xx, 429)
 * @param backoffInitial the first retry waits up to this long (full jitter), doubling per retry
 * @param backoffMax no back-off wait exceeds this, and a {@code Retry-After} beyond it is not waited for
 * @param timeout connect timeout and response timeout of one request
 * @param verifyVets a pending repair becomes {@code still-divergent} only after this many vets still found it...
 * @param verifyAfter ...and this long after it was requested
 * @param http the template for {@link RepairMode#HTTP}; null otherwise
 * @param confirmPerRepositoryMax a node with at most this many drifted repositories is confirmed per repository
 *     (one small answer from the primary and one from the node for each) rather than with both whole listings
 *     again; zero always fetches the listings
 */
public record RepairSettings(
        RepairMode mode,
        boolean dryRun,
        Duration settle,
        double maxFraction,
        int maxPerRun,
        int concurrency,
        double ratePerSecond,
        int retries,
        Duration backoffInitial,
        Duration backoffMax,
        Duration timeout,
        int verifyVets,
        Duration verifyAfter,
        HttpTemplate http,
        int confirmPerRepositoryMax) {

    public static final RepairMode MODE = RepairMode.NONE;
    /** Long enough for a push that is being replicated to land on every node (Praefect's false mismatches). */
    public static final Duration SETTLE = Duration.ofSeconds(30);
    /** grokmirror refuses to act on more than 5% of its repositories in one go. */
    public static final double MAX_FRACTION = 0.05;
    /**
     * A cap that holds on large farms too, where 5% can still be thousands: 100 requests at the default rate take
     * 20 s, which keeps one vet's repairs within a vet interval.
     */
    public static final int MAX_PER_RUN = 100;

    public static final int CONCURRENCY = 2;
    public static final double RATE_PER_SECOND = 5;
    /** Four attempts in all, one more than Praefect's replication jobs get. */
    public static final int RETRIES = 3;

    public static final Duration BACKOFF_INITIAL = Duration.ofSeconds(1);
    /** Keeps a vet's worst case bounded: at most {@code retries} waits of this length per request. */
    public static final Duration BACKOFF_MAX = Duration.ofSeconds(30);

    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Three vets at the default 15-minute schedule: 45 minutes for a resync to land. */
    public static final int VERIFY_VETS = 3;
    /** Vets triggered in quick succession over REST must not cut a resync's time short. */
    public static final Duration VERIFY_AFTER = Duration.ofMinutes(15);

    /**
     * Two small answers per repository (about 1.5 KB together) against two whole listings (about 150 bytes per
     * repository each): at 200 drifted repositories that is some 300 KB, what the listings of a 1000-repository
     * farm weigh, and a 1M-repository farm's listings are some 300 MB (issue 12).
     */
    public static final int CONFIRM_PER_REPOSITORY_MAX = 200;

    private static final int MAX_CONCURRENCY = 64;

    public RepairSettings {
        Objects.requireNonNull(mode, "repair.mode");
        requireNotNegative("repair.settle", settle);
        if (!(maxFraction > 0 && maxFraction <= 1)) {
            throw new IllegalArgumentException("repair.max-fraction: must be > 0 and <= 1, was " + maxFraction);
        }
        if (maxPerRun < 1) {
            throw new IllegalArgumentException("repair.max-per-run: must be 1 or greater, was " + maxPerRun);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException(
                    "repair.concurrency: must be between 1 and " + MAX_CONCURRENCY + ", was " + concurrency);
        }
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("repair.rate: must be greater than 0, was " + ratePerSecond);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("repair.retries: must be 0 or greater, was " + retries);
        }
        requirePositive("repair.backoff-initial", backoffInitial);
        requirePositive("repair.backoff-max", backoffMax);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("repair.backoff-max: must not be less than repair.backoff-initial ("
                    + Units.duration(backoffInitial) + "), was " + Units.duration(backoffMax));
        }
        requirePositive("repair.timeout", timeout);
        if (verifyVets < 1) {
            throw new IllegalArgumentException("repair.verify-vets: must be 1 or greater, was " + verifyVets);
        }
        requireNotNegative("repair.verify-after", verifyAfter);
        if (confirmPerRepositoryMax < 0) {
            throw new IllegalArgumentException(
                    "repair.confirm-per-repository-max: must be 0 or greater, was " + confirmPerRepositoryMax);
        }
        if (mode == RepairMode.HTTP && http == null) {
            throw new IllegalArgumentException("repair.http: required when repair.mode is http");
        }
    }

    public static RepairSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** These settings with {@code repair.dry-run} set as given ({@code farmvet vet --dry-run}). */
    public RepairSettings withDryRun(boolean value) {
        return new RepairSettings(
                mode,
                value,
                settle,
                maxFraction,
                maxPerRun,
                concurrency,
                ratePerSecond,
                retries,
                backoffInitial,
                backoffMax,
                timeout,
                verifyVets,
                verifyAfter,
                http,
                confirmPerRepositoryMax);
    }

    /** True when a node with {@code drifted} repositories to confirm is confirmed per repository. */
    public boolean confirmsPerRepository(int drifted) {
        return drifted <= confirmPerRepositoryMax;
    }

    /** True when a mismatch is re-checked before it is repaired. */
    public boolean confirms() {
        return !settle.isZero();
    }

    private static void requirePositive(String key, Duration value) {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(key + ": must be greater than 0, was " + Units.duration(value));
        }
    }

    private static void requireNotNegative(String key, Duration value) {
        Objects.requireNonNull(value, key);
        if (value.isNegative()) {
            throw new IllegalArgumentException(key + ": must not be negative, was " + Units.duration(value));
        }
    }

    /** Collects settings; {@link #build} validates them. Not thread-safe. */
    public static final class Builder {
        private RepairMode mode = MODE;
        private boolean dryRun;
        private Duration settle = SETTLE;
        private double maxFraction = MAX_FRACTION;
        private int maxPerRun = MAX_PER_RUN;
        private int concurrency = CONCURRENCY;
        private double ratePerSecond = RATE_PER_SECOND;
        private int retries = RETRIES;
        private Duration backoffInitial = BACKOFF_INITIAL;
        private Duration backoffMax = BACKOFF_MAX;
        private Duration timeout = TIMEOUT;
        private int verifyVets = VERIFY_VETS;
        private Duration verifyAfter = VERIFY_AFTER;
        private HttpTemplate http;
        private int confirmPerRepositoryMax = CONFIRM_PER_REPOSITORY_MAX;

        private Builder() {}

        public Builder confirmPerRepositoryMax(int value) {
            confirmPerRepositoryMax = value;
            return this;
        }

        public Builder mode(RepairMode value) {
            mode = value;
            return this;
        }

        public Builder dryRun(boolean value) {
            dryRun = value;
            return this;
        }

        public Builder settle(Duration value) {
            settle = value;
            return this;
        }

        public Builder maxFraction(double value) {
            maxFraction = value;
            return this;
        }

        public Builder maxPerRun(int value) {
            maxPerRun = value;
            return this;
        }

        public Builder concurrency(int value) {
            concurrency = value;
            return this;
        }

        public Builder ratePerSecond(double value) {
            ratePerSecond = value;
            return this;
        }

        public Builder retries(int value) {
            retries = value;
            return this;
        }

        public Builder backoffInitial(Duration value) {
            backoffInitial = value;
            return this;
        }

        public Builder backoffMax(Duration value) {
            backoffMax = value;
            return this;
        }

        public Builder timeout(Duration value) {
            timeout = value;
            return this;
        }

        public Builder verifyVets(int value) {
            verifyVets = value;
            return this;
        }

        public Builder verifyAfter(Duration value) {
            verifyAfter = value;
            return this;
        }

        public Builder http(HttpTemplate value) {
            http = value;
            return this;
        }

        public RepairSettings build() {
            return new RepairSettings(
                    mode,
                    dryRun,
                    settle,
                    maxFraction,
                    maxPerRun,
                    concurrency,
                    ratePerSecond,
                    retries,
                    backoffInitial,
                    backoffMax,
                    timeout,
                    verifyVets,
                    verifyAfter,
                    http,
                    confirmPerRepositoryMax);
        }
    }
}
