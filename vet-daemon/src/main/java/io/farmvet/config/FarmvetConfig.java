package io.farmvet.config;

import io.farmvet.compare.Scope;
import io.farmvet.listing.ListingLimits;
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
        Path source) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_VET_DEADLINE = Duration.ofMinutes(10);

    /** Upper bound for each http timeout: a server silent for an hour is down, not slow. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    /** Upper bound for vet.deadline: a vet that needs more than a day cannot run daily. */
    public static final Duration MAX_VET_DEADLINE = Duration.ofHours(24);

    /** The name of the primary {@link Server}; no node may take it. */
    public static final String PRIMARY_NAME = "primary";

    public FarmvetConfig {
        nodes = List.copyOf(nodes);
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

    /** {@code repair}: only {@code none} exists yet. */
    public record Repair(RepairMode mode) {}

    public enum RepairMode {
        NONE;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
