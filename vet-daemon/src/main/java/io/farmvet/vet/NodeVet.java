package io.farmvet.vet;

import io.farmvet.compare.Inconsistency;
import io.farmvet.config.FarmvetConfig.Server;
import io.farmvet.fetch.NodeState;
import io.farmvet.fetch.NodeStatusProbe;
import io.farmvet.repair.NodeVerification;
import io.farmvet.repair.RepairEntry;
import io.farmvet.repair.RepairNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node's part of a vet, as it flows through it: the server, its {@code /status}, what its listing gave on the
 * first look, its verdicts, and what the repair step made of them. Immutable: each step returns a copy with its
 * part filled in, so nothing about a node is looked up by position in another collection.
 *
 * @param index the node's place in {@code nodes} of the config, as the progress counters and messages name it
 * @param status the {@code /status} request, asked alongside the listing
 * @param state the {@code /status} answer, null until the listings are in
 * @param outcome the first look's result for the node, null until then
 * @param verdicts the node's inconsistencies, null until judged or when its listing failed
 * @param verification earlier repairs settled by this vet, null until the repair step
 * @param repairs this vet's repair entries, sorted by repository id; empty without a repair step, null when the
 *     vet was cancelled during it
 * @param secondLook how the repair step looked at its drift again; null when it did not
 */
record NodeVet(
        int index,
        Server server,
        StatusAsk status,
        String state,
        FarmLook.NodeOutcome outcome,
        List<Inconsistency> verdicts,
        NodeVerification verification,
        List<RepairEntry> repairs,
        SecondLook secondLook) {
    /** How long a node's /status answer may come after its listing: a status page answers in milliseconds. */
    static final long STATUS_GRACE_MS = 5_000;

    /** A node at the start of a vet, its {@code /status} already asked on {@code pool}. */
    static NodeVet asked(int index, Server server, NodeStatusProbe probe, ExecutorService pool) {
        return new NodeVet(
                index, server, new StatusAsk(probe, pool.submit(probe::ask)), null, null, null, null, List.of(), null);
    }

    /** A node without a {@code /status} to ask (kind {@code git}): its state is unknown, null, as a 404's. */
    static NodeVet unasked(int index, Server server) {
        return new NodeVet(
                index,
                server,
                new StatusAsk(null, CompletableFuture.completedFuture(null)),
                null,
                null,
                null,
                null,
                List.of(),
                null);
    }

    /** With the first look's outcome, and the {@code /status} answer waited for (see {@link StatusAsk#await}). */
    NodeVet looked(FarmLook.NodeOutcome outcome) {
        return new NodeVet(index, server, status, status.await(), outcome, verdicts, verification, repairs, secondLook);
    }

    NodeVet judged(List<Inconsistency> verdicts) {
        return new NodeVet(index, server, status, state, outcome, verdicts, verification, repairs, secondLook);
    }

    NodeVet verified(NodeVerification verification) {
        return new NodeVet(index, server, status, state, outcome, verdicts, verification, repairs, secondLook);
    }

    NodeVet repaired(List<RepairEntry> repairs) {
        return new NodeVet(index, server, status, state, outcome, verdicts, verification, repairs, secondLook);
    }

    NodeVet lookedAgain(SecondLook secondLook) {
        return new NodeVet(index, server, status, state, outcome, verdicts, verification, repairs, secondLook);
    }

    /** Its listing arrived whole and was compared with the primary's. */
    boolean vetted() {
        return outcome.comparison() != null;
    }

    /** Its {@code /status} allows repairs: a node starting or still syncing lists less than it mirrors. */
    boolean allowsRepair() {
        return NodeState.allowsRepair(state);
    }

    boolean repairsCancelled() {
        return repairs == null;
    }

    RepairNode repairTarget() {
        return new RepairNode(server.name(), server.url(), server.auth().authorizationHeader());
    }

    /** The node's line of the report. */
    VetReport.NodeResult result() {
        VetReport.NodeResult result = vetted() ? outcome.vettedResult(verdicts) : outcome.failedResult();
        return result.withFindings(
                repairsCancelled() ? result.repairs() : repairs, state, outcome.clockSkewMs(), secondLook);
    }

    /** A node's {@code /status} request and its answer to come. */
    record StatusAsk(NodeStatusProbe probe, Future<String> answer) {
        /**
         * The answer, waited for at most {@value NodeVet#STATUS_GRACE_MS} ms after the listings are in: a slow status
         * page must not hold up the verdicts. Late is {@link NodeState#UNREACHABLE}.
         */
        String await() {
            try {
                return answer.get(STATUS_GRACE_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                probe.cancel();
                return NodeState.UNREACHABLE;
            } catch (ExecutionException | TimeoutException e) {
                probe.cancel();
                return NodeState.UNREACHABLE;
            }
        }
    }
}
