package io.farmvet.report;

import io.farmvet.explain.NodeSync;
import io.farmvet.explain.RepositorySync;
import io.farmvet.vet.VetReport;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The text report's sync lines of one node (issue 12 section 3): the farm's pending sync requests under the node
 * (when there are any),
 * and under each drifted repository what the node said of it and the last webhook, as {@code sync: last synced
 * 3 h ago, 4 failed syncs, status ERROR_AVAILABLE; last webhook 5 min ago (incremental)}. Ages are counted from
 * the vet's start, so a report reads the same whenever it is printed.
 */
final class SyncLine {
    private final Instant now;
    private final NodeSync node;
    private final LongFunction<SyncEvent> events;

    SyncLine(VetReport report, String nodeName, LongFunction<SyncEvent> events) {
        this.now = report.startedAt();
        this.node = report.sync().node(nodeName);
        this.events = events;
    }

    void writeNode(PrintStream out) {
        // Zero is the normal case and the gauge has the history; a backlog is worth a line.
        if (node.refChangesQueue() != null && node.refChangesQueue() > 0) {
            out.printf("    ref changes queued: %d%n", node.refChangesQueue());
        }
        for (String note : node.notes()) {
            out.printf("    note: %s%n", note);
        }
    }

    void writeRepository(long repositoryId, PrintStream out) {
        List<String> parts = new ArrayList<>();
        RepositorySync sync = node.repository(repositoryId);
        if (sync != null) {
            if (sync.lastSyncDate() != null) {
                parts.add("last synced " + ago(sync.lastSyncDate()));
            } else if (sync.failedSyncCount() != null) {
                parts.add("no sync recorded");
            }
            if (sync.failedSyncCount() != null) {
                parts.add(sync.failedSyncCount() + (sync.failedSyncCount() == 1 ? " failed sync" : " failed syncs"));
            }
            if (sync.status() != null) {
                parts.add("status " + sync.status());
            }
            if (sync.bitbucketDelayed()) {
                parts.add("on Bitbucket's delayed-sync list");
            }
        }
        SyncEvent event = events.apply(repositoryId);
        String webhook = event == null
                ? ""
                : (parts.isEmpty() ? "" : "; ") + "last webhook " + ago(event.receivedAt()) + " (" + event.syncType()
                        + (event.mirror().isEmpty() ? "" : " from " + event.mirror()) + ")";
        if (!parts.isEmpty() || !webhook.isEmpty()) {
            out.printf("        sync: %s%s%n", String.join(", ", parts), webhook);
        }
    }

    /** {@code 3 h ago}: whole seconds, minutes, hours or days, whichever reads best. */
    private String ago(Instant then) {
        long s = Math.max(0, Duration.between(then, now).toSeconds());
        if (s < 120) {
            return s + " s ago";
        }
        if (s < 120 * 60) {
            return s / 60 + " min ago";
        }
        if (s < 48 * 3600) {
            return s / 3600 + " h ago";
        }
        return s / 86_400 + " d ago";
    }
}
