package io.farmvet.agent;

import io.farmvet.agent.RepositoryIndex.Location;
import io.farmvet.git.RepositoryHashException;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.git.StableIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpStatus;

/**
 * The part of Bitbucket's mirroring REST API that farmvet reads to say why a repository is behind (issue 12
 * section 3), answered by the agent for its own repositories in Bitbucket's shapes, so that one client reads both:
 *
 * <ul>
 *   <li>{@code GET /rest/mirroring/latest/supportInfo/projects/{key}/repos/{slug}/repoSyncStatus}: {@code
 *       externalRepoId} and {@code localRepoId} (the stable id), {@code hashes}, {@code lastSyncDate} (the agent's
 *       last good resync, else the time of the repository's {@code FETCH_HEAD}: its last fetch, a clone's
 *       included), {@code initialSyncDate} (the first good resync since the agent started), {@code
 *       failedSyncCount} (failed resyncs since the last good one); 404 when there is no such repository.
 *   <li>{@code GET /rest/mirroring/latest/mirrorRepos/{id}}: {@code status} {@code AVAILABLE}, or {@code
 *       ERROR_AVAILABLE} after a failed resync; {@code ERROR_INITIALIZING} for a repository whose clone failed;
 *       404 for one the agent neither has nor tried.
 *   <li>{@code GET /rest/mirroring/latest/supportInfo/refChangesQueue/count}: the resyncs queued or running.
 *   <li>{@code GET /rest/mirroring/latest/repos/{id}}: as a primary answers it, the repository's project, slug
 *       and {@code properties} (its hashes now), for the per-repository second look of a vet whose primary is an
 *       agent; 404 for an id the agent does not have.
 *   <li>{@code GET /rest/mirroring/latest/mirrorRepos/delayed-sync?delayThreshold=PT15M&limit=100}: the
 *       repositories failing since before the threshold.
 * </ul>
 *
 * Dates are epoch milliseconds, as Bitbucket's. Thread-safe: it reads thread-safe collaborators and the file
 * system.
 */
final class MirroringEndpoints {
    static final String PREFIX = "/rest/mirroring/latest/";
    private static final Pattern SYNC_STATUS =
            Pattern.compile(Pattern.quote(PREFIX) + "supportInfo/projects/([^/]+)/repos/([^/]+)/repoSyncStatus");
    private static final Pattern MIRROR_REPO = Pattern.compile(Pattern.quote(PREFIX) + "mirrorRepos/(\\d{1,19})");
    private static final Pattern REPO = Pattern.compile(Pattern.quote(PREFIX) + "repos/(\\d{1,19})");
    private static final String QUEUE = PREFIX + "supportInfo/refChangesQueue/count";
    private static final String DELAYED = PREFIX + "mirrorRepos/delayed-sync";
    /** Bitbucket's own maximum for delayed-sync. */
    private static final int MAX_DELAYED = 100;

    /** An answer: the HTTP status and the JSON body (a map, or a number for the queue count). */
    record Answer(int status, Object body) {
        static Answer error(int status, String message) {
            return new Answer(status, Map.of("error", message));
        }
    }

    private final Path root;
    private final RepositoryIndex index;
    private final SyncRecords records;
    private final ResyncQueue queue;
    private final RepositoryHasher hasher;
    private final Clock clock;

    /** @param queue null on an agent without an upstream */
    MirroringEndpoints(
            Path root,
            RepositoryIndex index,
            SyncRecords records,
            ResyncQueue queue,
            RepositoryHasher hasher,
            Clock clock) {
        this.root = root;
        this.index = index;
        this.records = records;
        this.queue = queue;
        this.hasher = hasher;
        this.clock = clock;
    }

    /** Whether {@code path} is one of these endpoints (the query aside). */
    static boolean serves(String path) {
        return SYNC_STATUS.matcher(path).matches()
                || MIRROR_REPO.matcher(path).matches()
                || REPO.matcher(path).matches()
                || path.equals(QUEUE)
                || path.equals(DELAYED);
    }

    /** The answer to a GET of {@code path} with {@code query} (null when none). */
    Answer get(String path, String query) throws IOException {
        Matcher sync = SYNC_STATUS.matcher(path);
        if (sync.matches()) {
            return repoSyncStatus(sync.group(1), sync.group(2));
        }
        Matcher mirror = MIRROR_REPO.matcher(path);
        if (mirror.matches()) {
            return mirrorRepo(Long.parseLong(mirror.group(1)));
        }
        Matcher repo = REPO.matcher(path);
        if (repo.matches()) {
            return repository(Long.parseLong(repo.group(1)));
        }
        if (path.equals(QUEUE)) {
            return new Answer(HttpStatus.OK_200, queue == null ? 0 : queue.pending());
        }
        return delayed(query);
    }

    private Answer repoSyncStatus(String projectKey, String slug) throws IOException {
        long id;
        try {
            id = StableIds.repositoryId(projectKey, slug);
        } catch (IllegalArgumentException e) {
            return Answer.error(HttpStatus.NOT_FOUND_404, "no repository " + projectKey + "/" + slug);
        }
        Path gitDir = root.resolve(projectKey).resolve(slug + ".git");
        if (!Files.isDirectory(gitDir, LinkOption.NOFOLLOW_LINKS)) {
            return Answer.error(HttpStatus.NOT_FOUND_404, "no repository " + projectKey + "/" + slug + " on this node");
        }
        SyncRecords.Record record = records.get(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("externalRepoId", id);
        body.put("localRepoId", id);
        body.put("localProjectId", StableIds.projectId(projectKey));
        body.put("repoSlug", slug);
        body.put("failedSyncCount", record == null ? 0 : record.failuresSince());
        body.put("initialSyncDate", millis(record == null ? null : record.firstSuccess()));
        body.put("lastSyncDate", millis(lastSync(gitDir, record)));
        try {
            RepositoryHashes hashes = hasher.hash(gitDir, projectKey, slug);
            body.put("hashes", Map.of("content", hashes.contentHash(), "metadata", hashes.metadataHash()));
        } catch (RepositoryHashException e) {
            // No hashes rather than made-up ones: the listing leaves the repository out for the same reason.
            body.put("hashes", null);
        }
        return new Answer(HttpStatus.OK_200, body);
    }

    /**
     * {@code repos/{id}} as a primary's: the repository's name and its hashes now, so that a vet whose primary is
     * an agent can confirm a small drift per repository instead of listing everything again.
     */
    private Answer repository(long id) throws IOException {
        Location location = index.find(id);
        if (location == null) {
            return Answer.error(HttpStatus.NOT_FOUND_404, "no repository with id " + id + " here");
        }
        Path gitDir = root.resolve(location.projectKey()).resolve(location.slug() + ".git");
        RepositoryHashes hashes;
        try {
            hashes = hasher.hash(gitDir, location.projectKey(), location.slug());
        } catch (RepositoryHashException e) {
            // The listing leaves such a repository out too; no made-up hashes.
            return Answer.error(
                    HttpStatus.INTERNAL_SERVER_ERROR_500,
                    "repository " + location.projectKey() + "/" + location.slug() + " cannot be hashed: "
                            + e.getMessage());
        }
        Map<String, Object> project = new LinkedHashMap<>();
        project.put("id", StableIds.projectId(location.projectKey()));
        project.put("key", location.projectKey());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("slug", location.slug());
        body.put("name", location.slug());
        body.put("project", project);
        body.put("properties", Map.of("contentHash", hashes.contentHash(), "metadataHash", hashes.metadataHash()));
        return new Answer(HttpStatus.OK_200, body);
    }

    private Answer mirrorRepo(long id) throws IOException {
        Location location = index.find(id);
        SyncRecords.Record record = records.get(id);
        String status;
        if (location != null) {
            status = record != null && record.failuresSince() > 0 ? "ERROR_AVAILABLE" : "AVAILABLE";
        } else if (record != null && record.failuresSince() > 0) {
            status = "ERROR_INITIALIZING";
        } else {
            return Answer.error(HttpStatus.NOT_FOUND_404, "no repository with id " + id + " on this node");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("available", location != null);
        body.put("cloneUrls", List.of());
        body.put("pushUrls", List.of());
        body.put("lastUpdated", millis(record == null ? null : record.lastSuccess()));
        body.put("mirrorName", "farmvet-agent");
        body.put("repositoryId", Long.toString(id));
        body.put("status", status);
        return new Answer(HttpStatus.OK_200, body);
    }

    private Answer delayed(String query) {
        Duration threshold = Duration.ofMinutes(15);
        int limit = MAX_DELAYED;
        for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            try {
                if (kv[0].equals("delayThreshold") && kv.length == 2) {
                    threshold = Duration.parse(kv[1]);
                } else if (kv[0].equals("limit") && kv.length == 2) {
                    limit = Math.max(1, Math.min(MAX_DELAYED, Integer.parseInt(kv[1])));
                }
            } catch (DateTimeParseException | NumberFormatException e) {
                return Answer.error(HttpStatus.BAD_REQUEST_400, "not a duration or a count: " + pair);
            }
        }
        Instant before = clock.instant().minus(threshold);
        List<Map<String, Object>> delayed = new ArrayList<>();
        for (Map.Entry<Long, SyncRecords.Record> failing : records.failing()) {
            Location location = failing.getValue().location();
            Instant last =
                    lastSync(root.resolve(location.projectKey()).resolve(location.slug() + ".git"), failing.getValue());
            if (delayed.size() < limit && (last == null || last.isBefore(before))) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("projectKey", location.projectKey());
                entry.put("repositoryId", failing.getKey());
                entry.put("repositorySlug", location.slug());
                delayed.add(entry);
            }
        }
        return new Answer(HttpStatus.OK_200, delayed);
    }

    /** The last good resync, else the last fetch the repository's {@code FETCH_HEAD} shows; null when neither. */
    private static Instant lastSync(Path gitDir, SyncRecords.Record record) {
        if (record != null && record.lastSuccess() != null) {
            return record.lastSuccess();
        }
        try {
            return Files.getLastModifiedTime(gitDir.resolve("FETCH_HEAD"), LinkOption.NOFOLLOW_LINKS)
                    .toInstant();
        } catch (IOException e) {
            // No FETCH_HEAD (a repository copied in by hand, or by git clone, which writes none): not known.
            return null;
        }
    }

    private static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }
}
