package io.farmvet.vet;

import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.FarmNodesProbe;
import io.farmvet.fetch.ListingFetcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Each node's {@code farmNodes}, asked once the listings are in (the connection pool has room for a listing and
 * a {@code /status} per node, no more) and collected once the verdicts are drawn, before any repair: a slow or
 * hanging answer waits at most {@value NodeVet#STATUS_GRACE_MS} ms more, never past the vet's deadline, and is
 * then cancelled and noted. Used by one vet thread.
 */
final class MembersAsk {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MembersAsk.class);

    private record Pending(FarmNodesProbe probe, Future<FarmNodesProbe.Answer> answer) {}

    private final Map<Server, Pending> pending = new LinkedHashMap<>();

    /** Asks every node of {@code nodes} on {@code pool}, but servers of kind git: they are in no Bitbucket farm. */
    MembersAsk(List<NodeVet> nodes, ListingFetcher fetcher, ExecutorService pool) {
        for (NodeVet node : nodes) {
            if (node.server().isGit()) {
                continue;
            }
            FarmNodesProbe probe = fetcher.farmNodesProbe(node.server(), "nodes[" + node.index() + "]");
            pending.put(node.server(), new Pending(probe, pool.submit(probe::ask)));
        }
    }

    /** The answers, each waited for until one shared grace ends. */
    FarmMembership collect(List<Server> configured, Deadline deadline) {
        long graceMs = Math.max(
                0, Math.min(NodeVet.STATUS_GRACE_MS, deadline.remaining().toMillis()));
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        Map<Server, FarmNodesProbe.Answer> answers = new LinkedHashMap<>();
        pending.forEach((server, ask) -> answers.put(server, await(server, ask, until)));
        FarmMembership membership = FarmMembership.of(
                answers, configured.stream().filter(s -> !s.isGit()).toList());
        membership.notes().forEach(note -> log.info("{}", note));
        for (FarmMembership.UnvettedMember member : membership.unvettedMembers()) {
            log.warn(
                    "farm member {}{} (listed by {}) is not vetted: add it under nodes, or set nodes[i].member if"
                            + " a configured node has another name in the farm",
                    member.name(),
                    member.address() == null ? "" : " at " + member.address(),
                    String.join(", ", member.listedBy()));
        }
        for (String node : membership.unlistedNodes()) {
            log.warn(
                    "{} is not in its farm's member list (farmNodes): is it still in the farm, or is its name"
                            + " there another one (set its member key)?",
                    node);
        }
        return membership;
    }

    private static FarmNodesProbe.Answer await(Server server, Pending ask, long untilNanos) {
        try {
            return ask.answer().get(Math.max(0, untilNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ask.probe().cancel();
            return late(server, "the vet was cancelled");
        } catch (ExecutionException e) {
            return late(server, "it failed: " + e.getCause());
        } catch (TimeoutException e) {
            ask.probe().cancel();
            return late(server, "no answer within " + NodeVet.STATUS_GRACE_MS + " ms after the verdicts");
        }
    }

    private static FarmNodesProbe.Answer late(String server, String why) {
        return new FarmNodesProbe.Answer(
                null,
                server + ": " + FarmNodesProbe.PATH + ": " + why + "; its farm's members are not checked this vet");
    }

    private static FarmNodesProbe.Answer late(Server server, String why) {
        return late(server.name(), why);
    }
}
