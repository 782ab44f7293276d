package io.farmvet.vet;

import io.farmvet.compare.Inconsistency;
import io.farmvet.explain.RefsFound;
import io.farmvet.explain.SyncDiagnostics;
import io.farmvet.names.RepositoryNames;
import io.farmvet.repair.RepairEntry;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What one vet found and repaired: the same whether it came from the command line, the schedule or a test.
 * Immutable.
 *
 * @param durationMs from the first request to the last repair sent: the time to detect and fix
 * @param repairError why no repair was attempted although repairs are on (the state could not be opened), else
 *     null
 * @param names the project key and slug of the reported repositories, where known (issue 12)
 * @param members the farm's members against the vetted nodes ({@code farmNodes}); {@link
 *     FarmMembership#NOT_CHECKED} when not asked
 * @param refs the refs that differ for the explained {@code content} inconsistencies, and the explain step's notes
 *     ({@link RefsFound#NONE} when not asked)
 * @param sync why drifted repositories are behind, as each node tells it (issue 12 section 3); {@link
 *     SyncDiagnostics#NONE} when not asked
 */
public record VetReport(
        String farm,
        Status status,
        Instant startedAt,
        long durationMs,
        PrimaryResult primary,
        List<NodeResult> nodes,
        String repairError,
        RepositoryNames names,
        FarmMembership members,
        RefsFound refs,
        SyncDiagnostics sync) {

    public VetReport {
        nodes = List.copyOf(nodes);
        names = names == null ? RepositoryNames.NONE : names;
        members = members == null ? FarmMembership.NOT_CHECKED : members;
        refs = refs == null ? RefsFound.NONE : refs;
        sync = sync == null ? SyncDiagnostics.NONE : sync;
    }

    /** A report without refs explained or sync diagnostics. */
    public VetReport(
            String farm,
            Status status,
            Instant startedAt,
            long durationMs,
            PrimaryResult primary,
            List<NodeResult> nodes,
            String repairError,
            RepositoryNames names,
            FarmMembership members) {
        this(
                farm,
                status,
                startedAt,
                durationMs,
                primary,
                nodes,
                repairError,
                names,
                members,
                RefsFound.NONE,
                SyncDiagnostics.NONE);
    }

    public VetReport withSync(SyncDiagnostics sync) {
        return new VetReport(
                farm, status, startedAt, durationMs, primary, nodes, repairError, names, members, refs, sync);
    }

    /** A report without repository names and without a check of the farm's members. */
    public VetReport(
            String farm,
            Status status,
            Instant startedAt,
            long durationMs,
            PrimaryResult primary,
            List<NodeResult> nodes,
            String repairError) {
        this(farm, status, startedAt, durationMs, primary, nodes, repairError, FarmMembership.NOT_CHECKED);
    }

    /** A report without repository names. */
    public VetReport(
            String farm,
            Status status,
            Instant startedAt,
            long durationMs,
            PrimaryResult primary,
            List<NodeResult> nodes,
            String repairError,
            FarmMembership members) {
        this(farm, status, startedAt, durationMs, primary, nodes, repairError, RepositoryNames.NONE, members);
    }

    public VetReport withNames(RepositoryNames names) {
        return new VetReport(
                farm, status, startedAt, durationMs, primary, nodes, repairError, names, members, refs, sync);
    }

    public VetReport withRefs(RefsFound refs) {
        return new VetReport(
                farm, status, startedAt, durationMs, primary, nodes, repairError, names, members, refs, sync);
    }

    /** A report of a vet without a repair error. */
    public VetReport(
            String farm,
            Status status,
            Instant startedAt,
            long durationMs,
            PrimaryResult primary,
            List<NodeResult> nodes) {
        this(farm, status, startedAt, durationMs, primary, nodes, null, FarmMembership.NOT_CHECKED);
    }

    public enum Status {
        /** Every node was vetted and agrees with the primary. */
        CONSISTENT,
        /** Every node was vetted and at least one differs. */
        INCONSISTENT,
        /** The primary or a node could not be vetted; verdicts stand only for the vetted nodes. */
        INCOMPLETE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** 0 consistent, 1 inconsistencies found, 2 the primary or a node could not be vetted. */
    public int exitCode() {
        return switch (status) {
            case CONSISTENT -> 0;
            case INCONSISTENT -> 1;
            case INCOMPLETE -> 2;
        };
    }

    public long inconsistencyCount() {
        return nodes.stream().mapToLong(n -> n.inconsistencies().size()).sum();
    }

    static Status statusOf(PrimaryResult primary, List<NodeResult> nodes) {
        if (primary.failed() || nodes.stream().anyMatch(NodeResult::failed)) {
            return Status.INCOMPLETE;
        }
        return nodes.stream().allMatch(n -> n.inconsistencies().isEmpty()) ? Status.CONSISTENT : Status.INCONSISTENT;
    }

    /**
     * The primary's side.
     *
     * @param repositories null when its listing did not arrive whole
     * @param error null unless it failed
     * @param clockSkewMs its clock minus farmvet's, from its answer's {@code Date} header
     *     ({@link io.farmvet.fetch.ClockSkew}); null when it did not answer or sent no readable date
     * @param notes what a best-effort look beside the listing could not do (the repository names not read), each
     *     one line; they never change a verdict
     */
    public record PrimaryResult(
            String url,
            Long repositories,
            long bytes,
            long durationMs,
            String error,
            Long clockSkewMs,
            List<String> notes) {
        public PrimaryResult {
            notes = List.copyOf(notes);
        }

        public PrimaryResult(String url, Long repositories, long bytes, long durationMs, String error) {
            this(url, repositories, bytes, durationMs, error, null, List.of());
        }

        public PrimaryResult(
                String url, Long repositories, long bytes, long durationMs, String error, Long clockSkewMs) {
            this(url, repositories, bytes, durationMs, error, clockSkewMs, List.of());
        }

        public PrimaryResult withNote(String note) {
            List<String> more = new java.util.ArrayList<>(notes);
            more.add(note);
            return new PrimaryResult(url, repositories, bytes, durationMs, error, clockSkewMs, more);
        }

        public boolean failed() {
            return error != null;
        }
    }

    /**
     * One node's side.
     *
     * @param repositories what it listed; null when its listing did not arrive whole
     * @param inconsistencies sorted by repository id; empty when failed, since nothing is concluded from a
     *     partial listing
     * @param repairs what was done about them and about earlier repairs, sorted by repository id; empty with
     *     {@code repair.mode: none}
     * @param state what the node's {@code GET /status} said ({@code SYNCHRONIZED}, {@code STARTING}, …), or
     *     {@link io.farmvet.fetch.NodeState#UNREACHABLE} / {@link io.farmvet.fetch.NodeState#UNKNOWN}; null when it has no such endpoint
     * @param clockSkewMs its clock minus farmvet's, from its listing answer's {@code Date} header
     *     ({@link io.farmvet.fetch.ClockSkew}); null when it did not answer or sent no readable date
     * @param secondLook how its drift was looked at again before a repair (per repository or through the
     *     listings, issue 12); null when it was not
     * @param notes what its listing, read whole, could not judge (a server of kind git refusing some
     *     repositories), one line each
     */
    public record NodeResult(
            String name,
            String url,
            NodeStatus status,
            String error,
            Long repositories,
            long bytes,
            long durationMs,
            List<Inconsistency> inconsistencies,
            List<RepairEntry> repairs,
            String state,
            Long clockSkewMs,
            SecondLook secondLook,
            List<String> notes) {
        public NodeResult {
            inconsistencies = List.copyOf(inconsistencies);
            repairs = List.copyOf(repairs);
            notes = notes == null ? List.of() : List.copyOf(notes);
        }

        /** A node as its listing left it: no repairs yet, its {@code /status} not yet known. */
        public NodeResult(
                String name,
                String url,
                NodeStatus status,
                String error,
                Long repositories,
                long bytes,
                long durationMs,
                List<Inconsistency> inconsistencies) {
            this(name, url, status, error, repositories, bytes, durationMs, inconsistencies, List.of(), null, null);
        }

        /** A node without a second look. */
        public NodeResult(
                String name,
                String url,
                NodeStatus status,
                String error,
                Long repositories,
                long bytes,
                long durationMs,
                List<Inconsistency> inconsistencies,
                List<RepairEntry> repairs,
                String state,
                Long clockSkewMs) {
            this(
                    name,
                    url,
                    status,
                    error,
                    repositories,
                    bytes,
                    durationMs,
                    inconsistencies,
                    repairs,
                    state,
                    clockSkewMs,
                    null,
                    List.of());
        }

        /** This listing's line with what the vet learnt after it: repairs, {@code /status}, clock, second look. */
        public NodeResult withFindings(
                List<RepairEntry> repairs, String state, Long clockSkewMs, SecondLook secondLook) {
            return new NodeResult(
                    name,
                    url,
                    status,
                    error,
                    repositories,
                    bytes,
                    durationMs,
                    inconsistencies,
                    repairs,
                    state,
                    clockSkewMs,
                    secondLook,
                    notes);
        }

        public boolean failed() {
            return status == NodeStatus.FAILED;
        }
    }

    public enum NodeStatus {
        VETTED,
        FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
