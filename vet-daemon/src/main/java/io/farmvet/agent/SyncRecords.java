package io.farmvet.agent;

import io.farmvet.agent.RepositoryIndex.Location;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this agent knows of each repository's resyncs since it started: the first and last good one and the
 * failures since the last good one. It is what the agent answers as Bitbucket's {@code repoSyncStatus} and {@code
 * mirrorRepos} (issue 12), so that one client reads farmvet's agents and Bitbucket's mirrors alike. Only
 * repositories resynced since the start have a record, about 100 bytes each; a quarantined one loses it.
 *
 * <p>Thread-safe: all methods synchronise on the instance.
 */
final class SyncRecords {
    /**
     * One repository's record.
     *
     * @param firstSuccess the first good resync since the agent started; null before one
     * @param lastSuccess the last good resync; null before one
     * @param failuresSince failed resyncs since the last good one (or since the start)
     */
    record Record(Location location, Instant firstSuccess, Instant lastSuccess, int failuresSince) {}

    private final Map<Long, Record> records = new HashMap<>();

    synchronized void succeeded(long repositoryId, Location location, Instant at) {
        Record old = records.get(repositoryId);
        records.put(
                repositoryId,
                new Record(location, old == null || old.firstSuccess() == null ? at : old.firstSuccess(), at, 0));
    }

    synchronized void failed(long repositoryId, Location location) {
        Record old = records.get(repositoryId);
        records.put(
                repositoryId,
                old == null
                        ? new Record(location, null, null, 1)
                        : new Record(location, old.firstSuccess(), old.lastSuccess(), old.failuresSince() + 1));
    }

    synchronized void forget(long repositoryId) {
        records.remove(repositoryId);
    }

    /** The record of a repository; null when it was not resynced since the agent started. */
    synchronized Record get(long repositoryId) {
        return records.get(repositoryId);
    }

    /** Repositories whose resyncs have failed since their last good one, by id. */
    synchronized List<Map.Entry<Long, Record>> failing() {
        List<Map.Entry<Long, Record>> failing = new ArrayList<>();
        records.entrySet().stream()
                .filter(e -> e.getValue().failuresSince() > 0)
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> failing.add(Map.entry(e.getKey(), e.getValue())));
        return failing;
    }
}
