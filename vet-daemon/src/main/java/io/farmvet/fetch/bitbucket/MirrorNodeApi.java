package io.farmvet.fetch.bitbucket;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FetchException;
import io.farmvet.fetch.JsonGet;
import io.farmvet.fetch.ListingFetcher;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Bitbucket mirror node's per-repository mirroring REST API, as farmvet reads it: {@code repoSyncStatus},
 * {@code mirrorRepos/{id}}, {@code mirrorRepos/delayed-sync} and {@code supportInfo/refChangesQueue/count}.
 * farmvet's agent serves the first two in the same shapes, so one client serves both kinds of node.
 *
 * <p>Each call is one {@link ListingFetcher#jsonGet} (the node's credentials, TLS, timeouts, gzip and the body
 * bound of every request farmvet sends). Every answer is untrusted: its size is bounded, its types, ranges and
 * repository id are checked, and anything off is a {@link BitbucketApiException} that says what, never a value
 * farmvet made up. Thread-safe; {@link #cancel} from any thread aborts what is in flight and refuses what comes
 * after.
 */
public final class MirrorNodeApi {
    static final String BASE = "rest/mirroring/latest/";
    public static final String REF_CHANGES_QUEUE_PATH = BASE + "supportInfo/refChangesQueue/count";
    /** Bitbucket serves at most 100 per call (9.5+). */
    static final int DELAYED_LIMIT = 100;
    /** A repoSyncStatus or mirrorRepos answer is under 1 KB; clone URLs of a few links add a little. */
    static final int MAX_OBJECT_BYTES = 64 * 1024;
    /** {@value #DELAYED_LIMIT} entries of about 100 bytes each, with room. */
    static final int MAX_DELAYED_BYTES = 256 * 1024;
    /** 9999-12-31T23:59:59.999Z: a date after it is not a sync date. */
    private static final long MAX_EPOCH_MILLIS = 253_402_300_799_999L;
    /** Bitbucket's hashes are hex digests; {@link io.farmvet.listing.HashValue} allows 128 digits. */
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,128}");
    /** What {@link JsonGet#body} says of a non-200 answer; the status is kept for the caller's fallback. */
    private static final Pattern STATUS = Pattern.compile(" answered HTTP (\\d{3})$");

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxStringLength(8192)
                    .build())
            .build());

    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server node;
    private final String configPath;
    private final Set<JsonGet> inFlight = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong bytesRead = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean cancelled;

    /** @param configPath where the node is in the config ({@code nodes[2]}), for hints */
    public MirrorNodeApi(ListingFetcher fetcher, FarmvetConfig.Server node, String configPath) {
        this.fetcher = fetcher;
        this.node = node;
        this.configPath = configPath;
    }

    /** The path of a repository's {@code repoSyncStatus} on a node, below its base URL. */
    public static String repoSyncStatusPath(String projectKey, String slug) {
        return BASE + "supportInfo/projects/" + segment(projectKey) + "/repos/" + segment(slug) + "/repoSyncStatus";
    }

    /** The path of a repository's {@code mirrorRepos} entry on a node, below its base URL. */
    public static String mirrorRepoPath(long externalRepoId) {
        return BASE + "mirrorRepos/" + externalRepoId;
    }

    /**
     * {@code GET supportInfo/projects/{projectKey}/repos/{slug}/repoSyncStatus} (Bitbucket 8.19+, ADMIN).
     *
     * @param externalRepoId the primary's id of the repository named {@code projectKey/slug}: an answer for
     *     another one is refused
     */
    public RepoSyncStatus repoSyncStatus(long externalRepoId, String projectKey, String slug)
            throws BitbucketApiException {
        String path = repoSyncStatusPath(projectKey, slug);
        JsonNode answer = object(
                path,
                get(
                        path,
                        MAX_OBJECT_BYTES,
                        " (Bitbucket before 8.19 has no per-repository repoSyncStatus, or the node has no repository"
                                + " by that name)"));
        Answer a = new Answer(path, answer);
        long id = a.requiredLong("externalRepoId");
        if (id != externalRepoId) {
            throw a.wrong("is for repository " + id + ", not " + externalRepoId + " (" + projectKey + "/" + slug
                    + "): the node's names differ from the primary's");
        }
        JsonNode hashes = answer.get("hashes");
        String content = null;
        String metadata = null;
        if (hashes != null && !hashes.isNull()) {
            if (!hashes.isObject()) {
                throw a.wrong("has \"hashes\" that is not an object");
            }
            content = a.hash(hashes, "content");
            metadata = a.hash(hashes, "metadata");
        }
        long failed = a.optionalLong("failedSyncCount", 0);
        if (failed < 0 || failed > Integer.MAX_VALUE) {
            throw a.wrong("has a failedSyncCount of " + failed);
        }
        return new RepoSyncStatus(
                id, content, metadata, a.date("lastSyncDate"), a.date("initialSyncDate"), (int) failed);
    }

    /** {@code GET mirrorRepos/{externalRepositoryId}}: how the node serves the repository. */
    public MirrorRepo mirrorRepo(long externalRepoId) throws BitbucketApiException {
        String path = mirrorRepoPath(externalRepoId);
        JsonNode answer = object(path, get(path, MAX_OBJECT_BYTES));
        Answer a = new Answer(path, answer);
        JsonNode id = answer.get("repositoryId");
        if (id != null && !id.isNull() && !id.asText().equals(Long.toString(externalRepoId))) {
            throw a.wrong("is for repository " + plain(id.asText()) + ", not " + externalRepoId);
        }
        JsonNode status = answer.get("status");
        if (status == null || !status.isTextual() || !MirrorRepo.STATUSES.contains(status.textValue())) {
            throw a.wrong("has no status Bitbucket defines ("
                    + MirrorRepo.STATUSES.stream().sorted().toList() + "): "
                    + (status == null ? "none" : plain(status.toString())));
        }
        JsonNode available = answer.get("available");
        if (available != null && !available.isNull() && !available.isBoolean()) {
            throw a.wrong("has \"available\" that is not true or false");
        }
        return new MirrorRepo(
                externalRepoId,
                status.textValue(),
                available != null && available.booleanValue(),
                a.date("lastUpdated"));
    }

    /**
     * {@code GET mirrorRepos/delayed-sync?delayThreshold=...&limit=100} (Bitbucket 9.5+; 404 before): the primary's
     * ids of repositories some node of the farm has not synced for at least {@code threshold}, at most
     * {@value #DELAYED_LIMIT}. Takes a JSON array or a page with {@code values}.
     */
    public Set<Long> delayedSync(Duration threshold) throws BitbucketApiException {
        String path = BASE + "mirrorRepos/delayed-sync?delayThreshold=" + threshold + "&limit=" + DELAYED_LIMIT;
        JsonNode answer = parse(path, get(path, MAX_DELAYED_BYTES, " (Bitbucket before 9.5 has no delayed-sync list)"));
        JsonNode values = answer.isObject() ? answer.get("values") : answer;
        Answer a = new Answer(path, answer);
        if (values == null || !values.isArray()) {
            throw a.wrong("is not a list of repositories");
        }
        if (values.size() > DELAYED_LIMIT) {
            throw a.wrong("lists " + values.size() + " repositories, more than the " + DELAYED_LIMIT + " asked for");
        }
        Set<Long> ids = new LinkedHashSet<>();
        for (JsonNode entry : values) {
            if (!entry.isObject()) {
                throw a.wrong("lists an entry that is not an object");
            }
            ids.add(new Answer(path, entry).requiredLong("repositoryId"));
        }
        return ids;
    }

    /**
     * {@code GET supportInfo/refChangesQueue/count} (ADMIN): the farm's pending sync requests. Takes a bare number
     * or an object with {@code count}.
     */
    public long refChangesQueue() throws BitbucketApiException {
        String path = REF_CHANGES_QUEUE_PATH;
        JsonNode answer = parse(path, get(path, MAX_OBJECT_BYTES));
        Answer a = new Answer(path, answer);
        long count = answer.isObject() ? a.requiredLong("count") : a.number("the answer", answer);
        if (count < 0) {
            throw a.wrong("says " + count);
        }
        return count;
    }

    /** The bytes of every 200 answer read so far (after gzip): the cost of a per-repository second look. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** Aborts every call in flight; later calls fail at once. */
    public void cancel() {
        cancelled = true;
        inFlight.forEach(JsonGet::cancel);
    }

    private byte[] get(String path, int maxBytes) throws BitbucketApiException {
        return get(path, maxBytes, "");
    }

    /** @param notFound what a 404 means here, added to the message */
    private byte[] get(String path, int maxBytes, String notFound) throws BitbucketApiException {
        JsonGet get = fetcher.jsonGet(node, path);
        inFlight.add(get);
        try {
            if (cancelled) {
                throw new BitbucketApiException(node.name() + ": " + path + ": cancelled", 0, null);
            }
            byte[] body = get.body(maxBytes);
            bytesRead.addAndGet(body.length);
            return body;
        } catch (FetchException e) {
            int status = statusOf(e);
            String hint = status == 401 || status == 403
                    ? " (the account of " + configPath + ".auth needs ADMIN on the mirror for this)"
                    : status == 404 ? notFound : "";
            throw new BitbucketApiException(e.getMessage() + hint, status, e);
        } finally {
            inFlight.remove(get);
        }
    }

    /** The HTTP status a non-200 answer had, from {@link JsonGet}'s message; 0 when it was not answered. */
    static int statusOf(FetchException e) {
        Matcher m = STATUS.matcher(String.valueOf(e.getMessage()));
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private JsonNode object(String path, byte[] body) throws BitbucketApiException {
        JsonNode answer = parse(path, body);
        if (!answer.isObject()) {
            throw new Answer(path, answer).wrong("is not a JSON object");
        }
        return answer;
    }

    private JsonNode parse(String path, byte[] body) throws BitbucketApiException {
        try {
            JsonNode answer = JSON.readTree(body);
            if (answer == null || answer.isMissingNode()) {
                throw new Answer(path, null).wrong("is empty");
            }
            return answer;
        } catch (JsonProcessingException e) {
            throw new Answer(path, null).wrong("is not JSON: " + plain(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new Answer(path, null).wrong("cannot be read: " + plain(e.getMessage()));
        }
    }

    /** One answer being checked: its fields, and the exception that names it. */
    private final class Answer {
        private final String path;
        private final JsonNode node;

        Answer(String path, JsonNode node) {
            this.path = path;
            this.node = node;
        }

        BitbucketApiException wrong(String what) {
            return new BitbucketApiException(
                    MirrorNodeApi.this.node.name() + ": the answer to GET " + path + " " + what
                            + "; farmvet does not use it",
                    0,
                    null);
        }

        long requiredLong(String field) throws BitbucketApiException {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw wrong("has no " + field);
            }
            return number(field, value);
        }

        long optionalLong(String field, long otherwise) throws BitbucketApiException {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? otherwise : number(field, value);
        }

        long number(String what, JsonNode value) throws BitbucketApiException {
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw wrong("has " + what + " that is not a whole number: " + plain(value.toString()));
            }
            return value.longValue();
        }

        /** An epoch-millisecond date; null when absent. */
        Instant date(String field) throws BitbucketApiException {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            long millis = number(field, value);
            if (millis < 0 || millis > MAX_EPOCH_MILLIS) {
                throw wrong("has a " + field + " of " + millis + ", not a date in epoch milliseconds");
            }
            return Instant.ofEpochMilli(millis);
        }

        String hash(JsonNode hashes, String field) throws BitbucketApiException {
            JsonNode value = hashes.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual() || !HEX.matcher(value.textValue()).matches()) {
                throw wrong("has a hashes." + field + " that is not a hex digest: " + plain(value.toString()));
            }
            return value.textValue();
        }
    }

    private static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Text from the server, made safe to quote: no control characters, bounded. */
    static String plain(String text) {
        String clean = text == null ? "" : text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }
}
