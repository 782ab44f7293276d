package io.farmvet.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.agent.RepositoryIndex.Location;
import io.farmvet.compare.Kind;
import io.farmvet.config.Secret;
import io.farmvet.git.StableIds;
import io.farmvet.listing.ListingKind;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.server.BearerGate;
import io.farmvet.util.Units;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's endpoints:
 *
 * <ul>
 *   <li>{@code GET /status}, without auth: {@code {"state": "SYNCHRONIZED"|"RUNNING", "nodeCount": 1}}, or
 *       {@code STARTING}/{@code STOPPING} with 503.
 *   <li>{@code GET /rest/mirroring/latest/repo-hashes} and its {@code /content} and {@code /metadata} variants: the
 *       listing, streamed while it is computed ({@link ListingStreamer}), chunked, {@code application/json}; at most
 *       {@link AgentSettings#MAX_CONCURRENT_LISTINGS} at once, further ones get 503 with {@code Retry-After}.
 *   <li>{@code GET /rest/farmvet/1/repos/{id}/refs}: one repository's refs ({@link RefsAnswer}); 404 for an id not
 *       under {@code DIR}.
 *   <li>{@code POST /rest/farmvet/1/resync}: the contract of {@link AgentResync}, which {@code AgentAdapter}
 *       sends. 202 {@code {"repoId": N, "state": "queued"|"running"}} when queued or joined; 400 for
 *       a malformed body or names that do not match the id; 404 for an id not under {@code DIR} without names;
 *       409 when a resync of another kind is pending for the repository; 413 for a body over 64 KiB; 415 for a
 *       non-JSON content type; 429 when too many resyncs are pending; 503 while starting, and always on an agent
 *       without an upstream.
 *   <li>{@code GET} of Bitbucket's {@code repoSyncStatus}, {@code mirrorRepos/{id}}, {@code mirrorRepos/delayed-sync}
 *       and {@code refChangesQueue/count}: see {@link MirroringEndpoints}.
 * </ul>
 *
 * Every endpoint but {@code /status} needs {@code Authorization: Bearer <token>} when the agent has a token, checked
 * by {@link BearerGate} as on every surface farmvet serves. Wrong method: 405 with {@code Allow}. Unknown path:
 * 404. Error bodies are {@code {"error": "..."}}.
 *
 * <p>Thread-safe: requests run concurrently on Jetty's pool; shared state is in thread-safe collaborators.
 */
final class AgentHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHandler.class);

    static final String STATUS_PATH = "/status";
    private static final String JSON_TYPE = "application/json";

    /** Seconds a client should wait before asking again while the agent starts or is busy. */
    private static final String RETRY_AFTER_SECONDS = "5";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ListingKind> LISTINGS = Map.of(
            "/" + ListingKind.FULL.path(), ListingKind.FULL,
            "/" + ListingKind.CONTENT.path(), ListingKind.CONTENT,
            "/" + ListingKind.METADATA.path(), ListingKind.METADATA);

    private final AgentServer agent;
    private final ListingStreamer streamer;
    private final RepositoryIndex index;
    private final ResyncQueue queue;
    private final MirroringEndpoints mirroring;
    private final BearerGate gate;
    private final Semaphore listingSlots = new Semaphore(AgentSettings.MAX_CONCURRENT_LISTINGS);

    /** @param queue null on an agent without an upstream */
    AgentHandler(
            AgentServer agent,
            ListingStreamer streamer,
            RepositoryIndex index,
            ResyncQueue queue,
            MirroringEndpoints mirroring,
            Secret token) {
        this.agent = agent;
        this.streamer = streamer;
        this.index = index;
        this.queue = queue;
        this.mirroring = mirroring;
        this.gate = BearerGate.of(token, "the agent's --token-file");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (STATUS_PATH.equals(path)) {
            if (!"GET".equals(method)) {
                return methodNotAllowed(response, callback, "GET");
            }
            return status(response, callback);
        }
        if (MirroringEndpoints.serves(path)) {
            return mirroring(request, response, callback, path);
        }
        ListingKind kind = LISTINGS.get(path);
        Long refsOf = RefsAnswer.id(path);
        if (kind == null && refsOf == null && !AgentResync.PATH.equals(path)) {
            return error(response, callback, HttpStatus.NOT_FOUND_404, "no such endpoint: " + path);
        }
        if (!gate.admit(request, response, callback)) {
            return true;
        }
        if (kind != null) {
            if (!"GET".equals(method)) {
                return methodNotAllowed(response, callback, "GET");
            }
            return listing(kind, response, callback);
        }
        if (refsOf != null) {
            if (!"GET".equals(method)) {
                return methodNotAllowed(response, callback, "GET");
            }
            return refs(refsOf, response, callback);
        }
        if (!"POST".equals(method)) {
            return methodNotAllowed(response, callback, "POST");
        }
        return resync(request, response, callback);
    }

    private boolean mirroring(Request request, Response response, Callback callback, String path) throws IOException {
        if (!gate.admit(request, response, callback)) {
            return true;
        }
        if (!"GET".equals(request.getMethod())) {
            return methodNotAllowed(response, callback, "GET");
        }
        MirroringEndpoints.Answer answer =
                mirroring.get(path, request.getHttpURI().getQuery());
        return json(response, callback, answer.status(), answer.body());
    }

    private boolean status(Response response, Callback callback) {
        String state = agent.state();
        boolean up = state.equals("SYNCHRONIZED") || state.equals("RUNNING");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", state);
        body.put("nodeCount", 1);
        if (!up) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return json(response, callback, up ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503, body);
    }

    private boolean listing(ListingKind kind, Response response, Callback callback) {
        if (!listingSlots.tryAcquire()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            return error(
                    response,
                    callback,
                    HttpStatus.SERVICE_UNAVAILABLE_503,
                    AgentSettings.MAX_CONCURRENT_LISTINGS + " listings are already being streamed; retry later");
        }
        try {
            response.setStatus(HttpStatus.OK_200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            long startNanos = System.nanoTime();
            OutputStream out = Content.Sink.asOutputStream(response);
            ListingStreamer.Summary summary = streamer.write(out, kind);
            // Closing sends the last chunk; only a listing written to its end may be finished this way.
            out.close();
            LOG.info(
                    "listing {}: {}, {}, {} left out, {}",
                    kind.path(),
                    Units.count(summary.projects(), "project", "projects"),
                    Units.count(summary.repositories(), "repository", "repositories"),
                    summary.leftOut(),
                    Units.millis((System.nanoTime() - startNanos) / 1_000_000));
            callback.succeeded();
        } catch (IOException e) {
            // Mostly a client that went away; the unfinished chunked body tells a reader the listing is incomplete.
            LOG.warn("listing {} abandoned: {}", kind.path(), e.toString());
            callback.failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (RuntimeException e) {
            LOG.error("listing {} failed", kind.path(), e);
            callback.failed(e);
        } finally {
            listingSlots.release();
        }
        return true;
    }

    private boolean refs(long id, Response response, Callback callback) throws IOException {
        Location location = index.find(id);
        if (location == null) {
            return error(response, callback, HttpStatus.NOT_FOUND_404, "no repository with id " + id + " on this node");
        }
        try {
            return json(response, callback, HttpStatus.OK_200, RefsAnswer.of(id, location, index.root()));
        } catch (RefsAnswer.TooManyRefs e) {
            return error(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, e.getMessage());
        } catch (IOException e) {
            LOG.warn("refs of {} not read: {}", location, e.toString());
            return error(
                    response,
                    callback,
                    HttpStatus.INTERNAL_SERVER_ERROR_500,
                    "the refs of " + location + " could not be read: " + e.getMessage());
        }
    }

    private boolean resync(Request request, Response response, Callback callback) throws IOException {
        if (queue == null) {
            return error(
                    response,
                    callback,
                    HttpStatus.SERVICE_UNAVAILABLE_503,
                    "this agent has no --upstream: it runs on a primary and only serves hashes; resyncs go to the"
                            + " agents of the mirror nodes");
        }
        if (!agent.state().equals("SYNCHRONIZED") && !agent.state().equals("RUNNING")) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            return error(
                    response,
                    callback,
                    HttpStatus.SERVICE_UNAVAILABLE_503,
                    "the agent is " + agent.state().toLowerCase(Locale.ROOT) + "; retry later");
        }
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType != null && !contentType.strip().toLowerCase(Locale.ROOT).startsWith(JSON_TYPE)) {
            return error(
                    response,
                    callback,
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE_415,
                    "the body must be application/json, not " + contentType);
        }
        int max = AgentSettings.MAX_REQUEST_BODY_BYTES;
        if (request.getLength() > max) {
            return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "the body is over " + max + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Request.asInputStream(request)) {
            bytes = in.readNBytes(max + 1);
        }
        if (bytes.length > max) {
            return error(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "the body is over " + max + " bytes");
        }
        AgentResync body;
        try {
            body = AgentResync.parse(bytes);
        } catch (AgentResync.Invalid e) {
            return error(response, callback, HttpStatus.BAD_REQUEST_400, e.getMessage());
        }
        Location local = index.find(body.repoId());
        Location location = local;
        if (location == null && body.named()) {
            location = new Location(body.projectKey(), body.slug());
        }
        if (location == null) {
            return error(
                    response,
                    callback,
                    HttpStatus.NOT_FOUND_404,
                    "no repository with id " + body.repoId() + " on this node; to create a missing one, send"
                            + " projectKey and slug with it");
        }
        long projectId = StableIds.projectId(location.projectKey());
        if (projectId != body.projectId()) {
            return error(
                    response,
                    callback,
                    HttpStatus.BAD_REQUEST_400,
                    "repository " + body.repoId() + " is " + location + " in project " + projectId + ", not projectId "
                            + body.projectId());
        }
        ResyncQueue.Action action;
        if (body.kinds().contains(Kind.EXTRA)) {
            if (local == null) {
                return error(
                        response,
                        callback,
                        HttpStatus.NOT_FOUND_404,
                        "no repository " + location + " (id " + body.repoId() + ") on this node to quarantine");
            }
            action = ResyncQueue.Action.QUARANTINE;
        } else {
            action = ResyncQueue.Action.FETCH;
        }
        ResyncQueue.Submission submission;
        try {
            submission = queue.submit(body.repoId(), location, action);
        } catch (ResyncQueue.Refused e) {
            if (e.busy) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
                return error(response, callback, HttpStatus.TOO_MANY_REQUESTS_429, e.getMessage());
            }
            return error(response, callback, HttpStatus.CONFLICT_409, e.getMessage());
        }
        LOG.info(
                "resync {} ({}) {}: {} {}",
                location,
                body.repoId(),
                body.kinds(),
                submission.joined() ? "joined the pending job, which is" : "accepted,",
                submission.state().wireName());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("repoId", body.repoId());
        answer.put("state", submission.state().wireName());
        return json(response, callback, HttpStatus.ACCEPTED_202, answer);
    }

    private static boolean methodNotAllowed(Response response, Callback callback, String allowed) {
        response.getHeaders().put(HttpHeader.ALLOW, allowed);
        return error(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "only " + allowed + " is allowed here");
    }

    private static boolean error(Response response, Callback callback, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        return json(response, callback, status, body);
    }

    private static boolean json(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return true;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
        return true;
    }
}
