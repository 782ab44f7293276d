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
import io.farmvet.names.RepositoryNames;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The primary's {@code GET rest/mirroring/latest/repos/{id}}: one repository with its hashes and name, the
 * per-repository second look that spares the whole listing (issue 12). One {@link ListingFetcher#jsonGet} per call,
 * so the primary's credentials, TLS, timeouts, gzip and body bound are those of every request farmvet sends.
 *
 * <p>Every answer is untrusted: an answer for another id, without a project, with a hash that is not hex or a name
 * Bitbucket could not have given is a {@link BitbucketApiException} that says what, never a value farmvet made up.
 * A non-200 answer keeps its status ({@link BitbucketApiException#httpStatus}): 404 is both "no such repository"
 * and "no such endpoint" (Bitbucket before 9.2, farmvet's agent), which the caller tells apart. Thread-safe;
 * {@link #cancel} from any thread aborts what is in flight and refuses what comes after.
 */
public final class PrimaryRepoApi {
    static final String PATH = "rest/mirroring/latest/repos/";
    /** A repository with its project, links and properties is 1-2 KB; a long description adds some. */
    static final int MAX_BYTES = 64 * 1024;

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,128}");
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16)
                    .maxStringLength(16 * 1024)
                    .build())
            .build());

    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server primary;
    private final Set<JsonGet> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong bytesRead = new AtomicLong();
    private volatile boolean cancelled;

    public PrimaryRepoApi(ListingFetcher fetcher, FarmvetConfig.Server primary) {
        this.fetcher = fetcher;
        this.primary = primary;
    }

    /** The path of a repository on the primary, below its base URL. */
    public static String path(long repositoryId) {
        return PATH + repositoryId;
    }

    /** {@code GET rest/mirroring/latest/repos/{id}}. */
    public PrimaryRepo repository(long repositoryId) throws BitbucketApiException {
        String path = path(repositoryId);
        byte[] body = get(path);
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw wrong(path, "is not JSON: " + MirrorNodeApi.plain(e.getOriginalMessage()));
        } catch (IOException e) {
            throw wrong(path, "cannot be read: " + MirrorNodeApi.plain(e.getMessage()));
        }
        if (answer == null || !answer.isObject()) {
            throw wrong(path, "is not a JSON object");
        }
        long id = whole(path, answer.get("id"), "id");
        if (id != repositoryId) {
            throw wrong(path, "is for repository " + id + ", not " + repositoryId);
        }
        JsonNode project = answer.get("project");
        if (project == null || !project.isObject()) {
            throw wrong(path, "has no project");
        }
        long projectId = whole(path, project.get("id"), "project.id");
        String key = name(path, project.get("key"), "project.key");
        String slug = name(path, answer.get("slug"), "slug");
        JsonNode properties = answer.get("properties");
        if (properties == null || !properties.isObject()) {
            throw wrong(path, "has no properties (the hashes): is it the mirroring API's answer?");
        }
        return new PrimaryRepo(
                id,
                projectId,
                key,
                slug,
                hash(path, properties.get("contentHash"), "properties.contentHash"),
                hash(path, properties.get("metadataHash"), "properties.metadataHash"));
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

    private byte[] get(String path) throws BitbucketApiException {
        JsonGet get = fetcher.jsonGet(primary, path);
        inFlight.add(get);
        try {
            if (cancelled) {
                throw new BitbucketApiException(primary.name() + ": " + path + ": cancelled", 0, null);
            }
            byte[] body = get.body(MAX_BYTES);
            bytesRead.addAndGet(body.length);
            return body;
        } catch (FetchException e) {
            int status = MirrorNodeApi.statusOf(e);
            String hint = status == 401 || status == 403
                    ? " (the account of primary.auth needs read access to every mirrored repository)"
                    : "";
            throw new BitbucketApiException(e.getMessage() + hint, status, e);
        } finally {
            inFlight.remove(get);
        }
    }

    private BitbucketApiException wrong(String path, String what) {
        return new BitbucketApiException(
                primary.name() + ": the answer to GET " + path + " " + what + "; farmvet does not use it", 0, null);
    }

    private long whole(String path, JsonNode value, String field) throws BitbucketApiException {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw wrong(path, "has no whole-number " + field);
        }
        return value.longValue();
    }

    private String name(String path, JsonNode value, String field) throws BitbucketApiException {
        if (value == null || !value.isTextual() || !RepositoryNames.acceptable(value.textValue())) {
            throw wrong(
                    path,
                    "has a " + field + " Bitbucket could not have given: "
                            + (value == null ? "none" : MirrorNodeApi.plain(value.toString())));
        }
        return value.textValue();
    }

    private String hash(String path, JsonNode value, String field) throws BitbucketApiException {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || !HEX.matcher(value.textValue()).matches()) {
            throw wrong(path, "has a " + field + " that is not a hex digest: " + MirrorNodeApi.plain(value.toString()));
        }
        return value.textValue();
    }
}
