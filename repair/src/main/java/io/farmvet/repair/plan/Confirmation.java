package io.farmvet.repair.plan;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.PrimaryTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a second look after the settle delay makes of a node's first verdicts: only a mismatch seen twice against
 * an unchanged primary is repaired. Praefect compared checksums right after replication and repaired writes that
 * were still in flight (gitaly#3110); this is the guard against that.
 *
 * <p>For each repository of the first look:
 *
 * <ul>
 *   <li>{@link #confirmed}: still inconsistent, with the same kinds or a subset of them, and the primary's hashes
 *       and project for it unchanged between the two primary listings. It carries the second look's kinds.
 *   <li>{@link #inFlight}: the primary's entry moved in between (a write landed, or the repository appeared or
 *       went away), or the node's differences grew new kinds (the node itself is changing). Reported, never
 *       repaired in this vet; the next vet looks again.
 *   <li>{@link #healed}: no longer inconsistent on the second look.
 * </ul>
 *
 * {@link #unconfirmed} holds what only the second look found: it waits for the next vet.
 *
 * <p>Both looks must be whole: listings that arrived whole, or for the second look a table of the primary's
 * per-repository answers and the node's answers for exactly those repositories (the first verdicts passed in are
 * then only the repositories both answered). A node or a primary that failed on either look gets no
 * confirmation at all, and so no repair. Pure and immutable; safe to share.
 */
public record Confirmation(
        List<Inconsistency> confirmed,
        List<InFlight> inFlight,
        List<Inconsistency> healed,
        List<Inconsistency> unconfirmed) {

    /** Why a repository is left alone in this vet. */
    public enum InFlightReason {
        PRIMARY_CHANGED("in-flight: the primary changed during the settle delay"),
        NODE_CHANGED("in-flight: the node changed during the settle delay");

        private final String detail;

        InFlightReason(String detail) {
            this.detail = detail;
        }

        /** The text for the report's detail. */
        public String detail() {
            return detail;
        }
    }

    /** A repository left alone, with its first-look verdict and the reason. */
    public record InFlight(Inconsistency first, InFlightReason reason) {}

    public Confirmation {
        confirmed = List.copyOf(confirmed);
        inFlight = List.copyOf(inFlight);
        healed = List.copyOf(healed);
        unconfirmed = List.copyOf(unconfirmed);
    }

    /**
     * Confirms a node's first verdicts against its second ones.
     *
     * @param first the node's inconsistencies on the first look
     * @param firstPrimary the primary's table of the first look
     * @param second the node's inconsistencies on the second look, after the settle delay
     * @param secondPrimary the primary's table of the second look
     */
    public static Confirmation of(
            List<Inconsistency> first,
            PrimaryTable firstPrimary,
            List<Inconsistency> second,
            PrimaryTable secondPrimary) {
        Map<Long, Inconsistency> secondById = new HashMap<>(second.size() * 2);
        for (Inconsistency inconsistency : second) {
            secondById.put(inconsistency.repositoryId(), inconsistency);
        }
        List<Inconsistency> confirmed = new ArrayList<>();
        List<InFlight> inFlight = new ArrayList<>();
        List<Inconsistency> healed = new ArrayList<>();
        Map<Long, Boolean> firstIds = new HashMap<>(first.size() * 2);
        for (Inconsistency was : first) {
            long id = was.repositoryId();
            firstIds.put(id, Boolean.TRUE);
            Inconsistency now = secondById.get(id);
            if (now == null) {
                // Healed needs no unchanged primary: whatever happened, the node agrees with it now.
                healed.add(was);
            } else if (!samePrimaryEntry(id, firstPrimary, secondPrimary)) {
                inFlight.add(new InFlight(was, InFlightReason.PRIMARY_CHANGED));
            } else if (!was.kinds().containsAll(now.kinds())) {
                inFlight.add(new InFlight(was, InFlightReason.NODE_CHANGED));
            } else {
                confirmed.add(now);
            }
        }
        List<Inconsistency> unconfirmed = new ArrayList<>();
        for (Inconsistency now : second) {
            if (!firstIds.containsKey(now.repositoryId())) {
                unconfirmed.add(now);
            }
        }
        return sorted(confirmed, inFlight, healed, unconfirmed);
    }

    /** With {@code repair.settle} at zero there is no second look: everything found once counts as confirmed. */
    public static Confirmation withoutSettle(List<Inconsistency> first) {
        return sorted(new ArrayList<>(first), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    /** True when the primary lists the repository in neither table, or with the same hashes and project in both. */
    static boolean samePrimaryEntry(long repositoryId, PrimaryTable first, PrimaryTable second) {
        int a = first.indexOf(repositoryId);
        int b = second.indexOf(repositoryId);
        if (a < 0 || b < 0) {
            return a < 0 && b < 0;
        }
        return first.projectId(a) == second.projectId(b)
                && sameHex(first.contentHex(a), second.contentHex(b))
                && sameHex(first.metadataHex(a), second.metadataHex(b));
    }

    private static boolean sameHex(String a, String b) {
        return a == null ? b == null : a.equalsIgnoreCase(Objects.requireNonNullElse(b, ""));
    }

    private static Confirmation sorted(
            List<Inconsistency> confirmed,
            List<InFlight> inFlight,
            List<Inconsistency> healed,
            List<Inconsistency> unconfirmed) {
        Comparator<Inconsistency> byId = Comparator.comparingLong(Inconsistency::repositoryId);
        confirmed.sort(byId);
        inFlight.sort(Comparator.comparingLong(f -> f.first().repositoryId()));
        healed.sort(byId);
        unconfirmed.sort(byId);
        return new Confirmation(confirmed, inFlight, healed, unconfirmed);
    }
}
