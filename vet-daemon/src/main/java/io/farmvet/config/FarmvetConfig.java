package io.farmvet.config;

import io.farmvet.compare.Scope;
import io.farmvet.listing.ListingLimits;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole configuration: one immutable value, validated by {@link ConfigLoader} before anything runs.
 * Defaults are the named constants below; see {@code deploy/farmvet.example.yaml} for every key.
 *
 * @param source the file it was loaded from (relative paths inside it are resolved against its folder)
 */
public record FarmvetConfig(
        Farm farm,
        Server primary,
        List<Server> nodes,
        Http http,
        Listing listing,
        Vet vet,
        Repair repair,
        State state,
        Path source) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_VET_DEADLINE = Duration.ofMinutes(10);

    /** Upper bound for each http timeout: a server silent for an hour is down, not slow. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** Upper bound for vet.deadline: a vet that needs more than a day cannot run daily. */
    public static final Duration MAX_VET_DEADLINE = Duration.ofHours(24);

    /** {@code state.dir}, resolved against the config file's folder; the systemd unit sets /var/lib/farmvet. */
    public static final String DEFAULT_STATE_DIR = "farmvet-state";

    /** The name of the primary {@link Server}; no node may take it. */
    public static final String PRIMARY_NAME = "primary";

    public FarmvetConfig {
        nodes = List.copyOf(nodes);
    }

    /** This config with {@code repair.dry-run} on: every repair is planned and reported, none is sent. */
    public FarmvetConfig withDryRun() {
        return new FarmvetConfig(
                farm,
                primary,
                nodes,
                http,
                listing,
                vet,
                new Repair(repair.settings().withDryRun(true), repair.auditLog()),
                state,
                source);
    }

    /** {@code farm}: the farm's name (a label in reports, logs and metrics) and its scope. */
    public record Farm(String name, Scope scope) {}

    /** {@code primary} or one of {@code nodes}: the primary is named {@code primary}. */
    public record Server(String name, URI url, Auth auth) {}

    /**
     * {@code http}: timeouts and extra trust; TLS verification is always on.
     *
     * @param caFile absolute path of a PEM file of certificates trusted in addition to the JDK's, or null
     */
    public record Http(Duration connectTimeout, Duration readTimeout, Path caFile) {}

    /** {@code listing}: bounds on what a server may send. */
    public record Listing(ListingLimits limits) {}

    /** {@code vet}: the whole-vet deadline, after which every fetch still running is cancelled. */
    public record Vet(Duration deadline) {}

    /**
     * {@code repair}: what to do about confirmed drift, and its safety rules (see {@link RepairSettings}).
     *
     * @param auditLog the append-only JSON-lines record of every repair ({@code repair.audit-log})
     */
    public record Repair(RepairSettings settings, Path auditLog) {
        public RepairMode mode() {
            return settings.mode();
        }
    }

    /** {@code state}: where the repair ledger (and later the run history) lives. */
    public record State(Path dir) {}
}
