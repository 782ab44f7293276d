package io.farmvet.report;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.explain.RefDiff;
import io.farmvet.explain.RefsFound;
import io.farmvet.explain.RepositoryRefs;
import io.farmvet.fetch.ClockSkew;
import io.farmvet.names.RepositoryNames;
import io.farmvet.repair.RepairEntry;
import io.farmvet.util.Units;
import io.farmvet.vet.SecondLook;
import io.farmvet.vet.VetReport;
import java.io.PrintStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Writes a {@link VetReport} for a person at a terminal: a headline, a line per server, then each node's
 * inconsistencies (the first {@value #MAX_LISTED} of them; {@code --json} has them all), each {@code content} one
 * with the refs that differ when the explain step listed them (the first {@value #MAX_REFS_LISTED}).
 */
public final class TextReport {
    static final int MAX_LISTED = 50;
    /** Refs shown under one repository; the JSON report has up to {@link RepositoryRefs#MAX_LISTED}. */
    static final int MAX_REFS_LISTED = 10;

    private TextReport() {}

    public static void write(VetReport report, PrintStream out) {
        write(report, repoId -> null, out);
    }

    /**
     * As {@link #write(VetReport, PrintStream)}, with the last webhook sync event of each repository, if any, beside
     * what its node said of its sync.
     */
    public static void write(VetReport report, LongFunction<SyncEvent> events, PrintStream out) {
        out.printf(
                "farm %s: %s (%s, %s, started %s)%n",
                report.farm(),
                report.status().wireName().toUpperCase(java.util.Locale.ROOT),
                Units.count(report.inconsistencyCount(), "inconsistency", "inconsistencies"),
                Units.millis(report.durationMs()),
                report.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        VetReport.PrimaryResult primary = report.primary();
        if (primary.failed()) {
            out.printf("  primary  %s%s  FAILED: %s%n", primary.url(), clock(primary.clockSkewMs()), primary.error());
            out.println("  no verdicts: nothing can be compared without the primary's listing");
        } else {
            out.printf(
                    "  primary  %s%s  %s, %s%n",
                    primary.url(),
                    clock(primary.clockSkewMs()),
                    Units.count(primary.repositories(), "repository", "repositories"),
                    Units.bytes(primary.bytes()));
        }
        for (String note : primary.notes()) {
            out.printf("    note: %s%n", note);
        }
        for (VetReport.NodeResult node : report.nodes()) {
            writeNode(node, report.names(), new SyncLine(report, node.name(), events), report.refs(), out);
        }
        if (report.repairError() != null) {
            out.printf("  NO REPAIRS: %s%n", report.repairError());
        }
        writeMembers(report.members(), out);
        for (String note : report.refs().notes()) {
            out.printf("  note: %s%n", note);
        }
        out.flush();
    }

    /** How the drift was looked at again: one line, the reason for the listings where it is not the drift's size. */
    private static void writeSecondLook(SecondLook look, PrintStream out) {
        if (look == null) {
            return;
        }
        out.printf(
                "    looked again %s (%s, %s)%s%n",
                look.way() == SecondLook.Way.PER_REPOSITORY ? "per repository" : "through the listings",
                Units.count(look.requests(), "request", "requests"),
                Units.bytes(look.bytes()),
                look.reason() == null ? "" : ": " + look.reason());
    }

    private static void writeNode(
            VetReport.NodeResult node, RepositoryNames names, SyncLine sync, RefsFound refs, PrintStream out) {
        // The node's /status matters only when it is not the normal one.
        String state = (node.state() == null || node.state().equals("SYNCHRONIZED") ? "" : " [" + node.state() + "]")
                + clock(node.clockSkewMs());
        if (node.failed()) {
            out.printf("  %s  %s%s  FAILED: %s%n", node.name(), node.url(), state, node.error());
            return;
        }
        List<Inconsistency> found = node.inconsistencies();
        out.printf(
                "  %s  %s%s  %s, %s: %s%n",
                node.name(),
                node.url(),
                state,
                Units.count(node.repositories(), "repository", "repositories"),
                Units.bytes(node.bytes()),
                found.isEmpty() ? "consistent" : found.size() + " inconsistent (" + countByKind(found) + ")");
        for (String note : node.notes()) {
            out.printf("    note: %s%n", note);
        }
        sync.writeNode(out);
        for (int i = 0; i < Math.min(MAX_LISTED, found.size()); i++) {
            Inconsistency inconsistency = found.get(i);
            out.printf(
                    "      %s: %s%n",
                    repository(names, inconsistency.repositoryId(), inconsistency.projectId()),
                    inconsistency.kinds().stream().map(Kind::wireName).collect(Collectors.joining(", ")));
            sync.writeRepository(inconsistency.repositoryId(), out);
            writeRefs(refs.of(node.name(), inconsistency.repositoryId()), node.name(), out);
        }
        if (found.size() > MAX_LISTED) {
            out.printf("      … and %d more (--json lists them all)%n", found.size() - MAX_LISTED);
        }
        writeSecondLook(node.secondLook(), out);
        List<RepairEntry> repairs = node.repairs();
        if (repairs.isEmpty()) {
            return;
        }
        Map<String, Integer> byOutcome = new java.util.TreeMap<>();
        for (RepairEntry repair : repairs) {
            byOutcome.merge(repair.outcome().wireName(), 1, Integer::sum);
        }
        out.printf(
                "    repairs: %s%n",
                byOutcome.entrySet().stream()
                        .map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", ")));
        for (int i = 0; i < Math.min(MAX_LISTED, repairs.size()); i++) {
            RepairEntry repair = repairs.get(i);
            RepositoryNames.Name name = names.name(repair.repoId());
            out.printf(
                    "      %s (%s%s): %s%s%n",
                    name == null ? "repository " + repair.repoId() : name,
                    name == null ? "" : "id " + repair.repoId() + ", ",
                    repair.kindsText(),
                    repair.outcome().wireName(),
                    repair.detail() == null ? "" : ": " + repair.detail());
        }
        if (repairs.size() > MAX_LISTED) {
            out.printf("      … and %d more (--json lists them all)%n", repairs.size() - MAX_LISTED);
        }
    }

    /** The refs that differ, one a line: {@code refs/heads/main: primary 1a2b3c4d5e6f, mirror-1 absent}. */
    private static void writeRefs(RepositoryRefs refs, String node, PrintStream out) {
        if (refs == null) {
            return;
        }
        for (RefDiff diff :
                refs.refs().subList(0, Math.min(MAX_REFS_LISTED, refs.refs().size()))) {
            out.printf(
                    "        %s: primary %s, %s %s%n", diff.ref(), shortId(diff.primary()), node, shortId(diff.node()));
        }
        int more = refs.refs().size() - Math.min(MAX_REFS_LISTED, refs.refs().size()) + refs.omitted();
        if (more > 0) {
            out.printf(
                    "        … and %d more %s%s%n",
                    more,
                    more == 1 ? "ref" : "refs",
                    refs.omitted() > 0 ? " (--json lists " + RepositoryRefs.MAX_LISTED + ")" : " (--json lists them)");
        }
        if (refs.refs().isEmpty()) {
            // The listing was older than the ls-remote, or the difference is in refs a server does not advertise.
            out.printf("        no advertised ref differs now: synced since the listing, or hidden refs differ%n");
        }
    }

    /** 12 hex digits, as many as a person compares by eye; "absent" where the ref is not there. */
    private static String shortId(String id) {
        return id == null ? "absent" : id.substring(0, Math.min(12, id.length()));
    }

    /**
     * {@code PROJ/slug (id 2)} where the name is known, else {@code repository 2 (project 1)}. Names hold only
     * the characters Bitbucket allows ({@link RepositoryNames}), so they print as they are.
     */
    private static String repository(RepositoryNames names, long repositoryId, long projectId) {
        RepositoryNames.Name name = names.name(repositoryId);
        return name == null
                ? "repository " + repositoryId + " (project " + projectId + ")"
                : name + " (id " + repositoryId + ")";
    }

    /** The farm's members against the vetted nodes, when they differ, and the notes of failed farmNodes calls. */
    private static void writeMembers(io.farmvet.vet.FarmMembership members, PrintStream out) {
        for (io.farmvet.vet.FarmMembership.UnvettedMember member : members.unvettedMembers()) {
            out.printf(
                    "  NOT VETTED: farm member %s%s, listed by %s, is not under nodes%n",
                    member.name(),
                    member.address() == null ? "" : " (" + member.address() + ")",
                    String.join(", ", member.listedBy()));
        }
        for (String node : members.unlistedNodes()) {
            out.printf("  NOT IN THE FARM: %s is in no node's farm member list (farmNodes)%n", node);
        }
        for (String note : members.notes()) {
            out.printf("  note: %s%n", note);
        }
    }

    /** A server's clock skew, shown only above {@link ClockSkew#WARN_ABOVE_MS}: the Date header has 1 s resolution. */
    static String clock(Long skewMs) {
        if (!ClockSkew.notable(skewMs)) {
            return "";
        }
        return " [clock " + Math.abs(skewMs) / 1000 + " s " + (skewMs > 0 ? "ahead" : "behind")
                + "; Bitbucket's JWTs fail beyond 30 s]";
    }

    private static String countByKind(List<Inconsistency> found) {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        for (Inconsistency inconsistency : found) {
            for (Kind kind : inconsistency.kinds()) {
                counts.merge(kind, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey().wireName())
                .collect(Collectors.joining(", "));
    }
}
