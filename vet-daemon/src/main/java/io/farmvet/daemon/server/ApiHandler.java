package io.farmvet.daemon.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.config.ConfigException;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.daemon.RunId;
import io.farmvet.daemon.VetRequest;
import io.farmvet.daemon.VetRunner;
import io.farmvet.daemon.history.HistoryException;
import io.farmvet.daemon.history.RunSummary;
import io.farmvet.daemon.hooks.BitbucketWebhook;
import io.farmvet.server.BearerGate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API, routed by hand: a few fixed paths need no framework. Every request goes through the same gate
 * in this order: a path that is not plain (encoded slashes, {@code .} or {@code ..} segments, empty segments)
 * is 400; an unknown path is 404; a wrong method is 405 with {@code Allow}; a missing or wrong bearer token is
 * 401 with {@code WWW-Authenticate: Bearer}. Only then does anything run.
 *
 * <pre>
 * POST /api/v1/vets          start a vet: 202 {"id","status":"running"}, or 409 with the running vet's id
 * GET  /api/v1/vets          finished vets, newest first: ?limit=1..500 (default 20) &amp;before=ID
 * GET  /api/v1/vets/{id}     the report (as farmvet vet --json), or {"id","status":"running","startedAt"}
 * POST /api/v1/hooks/bitbucket  Bitbucket's mirror:repo_synchronized webhook: signed (X-Hub-Signature), no
 *                            bearer token; 404 unless server.webhook-secret-file is set (see BitbucketWebhook)
 * POST /-/reload             re-read the config file: 200, or 500 with every problem (the old config stays)
 * GET  /metrics              Prometheus text; needs server.metrics-token-file's token when that is set
 * GET  /-/healthy            200 while the process is up
 * GET  /-/ready              200 when config, store and scheduler are up; 503 saying which is not
 * </pre>
 *
 * The bearer check is {@link BearerGate}'s, as on every surface farmvet serves. Error bodies are {@code {"error":
 * "..."}}. Thread-safe.
 */
final class ApiHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    /** A trigger body is a few dozen bytes; 64 KiB holds a node list far beyond any farm. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    static final String TRIGGER_EXAMPLE = "{\"dryRun\": true, \"nodes\": [\"mirror-1\"]}";

    static final int DEFAULT_PAGE = 20;
    static final int MAX_PAGE = 500;

    static final String VETS = "/api/v1/vets";
    private static final String VETS_PREFIX = VETS + "/";
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TOKEN_SOURCE = "server.token-file (server.metrics-token-file for /metrics)";

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxStringLength(MAX_BODY_BYTES)
                    .build())
            .build());

    private final ApiBackend backend;

    ApiHandler(ApiBackend backend) {
        this.backend = backend;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            route(request, response, callback);
        } catch (Exception e) {
            log.error("{} {} failed", request.getMethod(), request.getHttpURI().getPath(), e);
            error(response, callback, 500, "internal error: " + e.getClass().getSimpleName() + "; see the log");
        }
        backend.requestServed(routeTemplate(request), request.getMethod(), response.getStatus());
        return true;
    }

    /**
     * The route of a request that matched none (404) or whose path is not plain (400): one value, so that what
     * clients send cannot grow the metric's label set.
     */
    static final String OTHER_ROUTE = "other";

    /** {@link #route}'s fixed paths; with {@code /api/v1/vets/{id}} and {@link #OTHER_ROUTE}, the metric's routes. */
    private static final Set<String> FIXED_ROUTES =
            Set.of("/-/healthy", "/-/ready", "/metrics", "/-/reload", VETS, BitbucketWebhook.PATH);

    /**
     * The route {@code request} went to, as a template: a vet's id is {@code {id}}, and a path that is not plain
     * or matches nothing is {@link #OTHER_ROUTE}, so that no client can grow the metric's label set.
     */
    static String routeTemplate(Request request) {
        String path = request.getHttpURI().getParam() == null
                ? plainPath(request.getHttpURI().getPath())
                : null;
        if (path == null) {
            return OTHER_ROUTE;
        }
        if (path.startsWith(VETS_PREFIX) && path.indexOf('/', VETS_PREFIX.length()) < 0) {
            return VETS_PREFIX + "{id}";
        }
        return FIXED_ROUTES.contains(path) ? path : OTHER_ROUTE;
    }

    private void route(Request request, Response response, Callback callback) throws Exception {
        // Path parameters (;x=1) are dropped by some layers and kept by others: refuse them rather than guess.
        String path = request.getHttpURI().getParam() == null
                ? plainPath(request.getHttpURI().getPath())
                : null;
        if (path == null) {
            error(response, callback, 400, "the path must be plain: no encoded slashes, no . or .. segments");
            return;
        }
        String method = request.getMethod();
        FarmvetConfig config = backend.config();
        Secret apiToken = config.server().token();
        switch (path) {
            case "/-/healthy":
                if (allowed(method, response, callback, "GET")) {
                    send(response, callback, 200, TEXT, "farmvet is healthy\n");
                }
                return;
            case "/-/ready":
                if (allowed(method, response, callback, "GET")) {
                    List<String> missing = backend.notReady();
                    if (missing.isEmpty()) {
                        send(response, callback, 200, TEXT, "farmvet is ready\n");
                    } else {
                        send(
                                response,
                                callback,
                                503,
                                TEXT,
                                "farmvet is not ready: " + String.join("; ", missing) + "\n");
                    }
                }
                return;
            case "/metrics":
                if (allowed(method, response, callback, "GET")
                        && authorized(
                                request, response, callback, config.server().metricsToken())) {
                    send(response, callback, 200, PROMETHEUS, backend.scrape());
                }
                return;
            case "/-/reload":
                if (allowed(method, response, callback, "POST") && authorized(request, response, callback, apiToken)) {
                    reload(response, callback);
                }
                return;
            case VETS:
                if (allowed(method, response, callback, "GET", "POST")
                        && authorized(request, response, callback, apiToken)) {
                    if (method.equals("POST")) {
                        startVet(request, response, callback);
                    } else {
                        listVets(request, response, callback);
                    }
                }
                return;
            case BitbucketWebhook.PATH:
                // Bitbucket signs its webhooks but sends no bearer token: the signature is the gate here.
                if (allowed(method, response, callback, "POST")) {
                    bitbucketHook(request, response, callback, config.server().webhookSecret());
                }
                return;
            default:
                break;
        }
        if (path.startsWith(VETS_PREFIX) && path.indexOf('/', VETS_PREFIX.length()) < 0) {
            if (allowed(method, response, callback, "GET") && authorized(request, response, callback, apiToken)) {
                getVet(path.substring(VETS_PREFIX.length()), response, callback);
            }
            return;
        }
        error(response, callback, 404, "no such resource; see the README for the REST API");
    }

    private void startVet(Request request, Response response, Callback callback) throws IOException {
        byte[] body = body(request, response, callback);
        if (body == null) {
            return;
        }
        VetRequest vetRequest;
        try {
            vetRequest = parseTrigger(body, backend.config());
        } catch (BadRequest e) {
            error(response, callback, 400, e.getMessage());
            return;
        }
        VetRunner.Start start = backend.startVet(vetRequest);
        if (start.stopping()) {
            error(response, callback, 503, "farmvet is stopping; no new vet starts");
            return;
        }
        if (start.problem() != null) {
            error(response, callback, 503, start.problem());
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", start.flight().id());
        answer.put("status", "running");
        if (start.flight().instance() != null) {
            answer.put("instance", start.flight().instance()); // the cluster's instance that runs it
        }
        if (start.started()) {
            response.getHeaders()
                    .put(HttpHeader.LOCATION, VETS_PREFIX + start.flight().id());
        }
        send(response, callback, start.started() ? 202 : 409, JSON, MAPPER.writeValueAsBytes(answer));
    }

    private void bitbucketHook(Request request, Response response, Callback callback, Secret secret)
            throws IOException {
        if (secret == null) {
            error(response, callback, 404, "webhooks are off; set server.webhook-secret-file to take Bitbucket's");
            return;
        }
        byte[] body = bounded(request, BitbucketWebhook.MAX_BODY_BYTES);
        BitbucketWebhook.Answer answer = body == null
                ? backend.bitbucketHook(null)
                : backend.bitbucketHook(new BitbucketWebhook.Delivery(
                        request.getHeaders().get("X-Event-Key"),
                        request.getHeaders().get("X-Request-Id"),
                        request.getHeaders().get("X-Hub-Signature"),
                        body));
        if (answer.status() >= 400) {
            error(response, callback, answer.status(), answer.message());
        } else {
            Map<String, Object> sent = new LinkedHashMap<>();
            sent.put("status", answer.outcome().wireName());
            sent.put("detail", answer.message());
            send(response, callback, answer.status(), JSON, MAPPER.writeValueAsBytes(sent));
        }
    }

    private void getVet(String id, Response response, Callback callback) throws IOException {
        if (!RunId.isValid(id)) {
            error(response, callback, 404, "no vet " + id + " (ids look like 20261122-101500.123-a1b2c3)");
            return;
        }
        Optional<VetRunner.Flight> running = backend.running().filter(f -> f.id().equals(id));
        if (running.isPresent()) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", id);
            answer.put("status", "running");
            answer.put("startedAt", running.get().startedAt().toString());
            send(response, callback, 200, JSON, MAPPER.writeValueAsBytes(answer));
            return;
        }
        Optional<byte[]> report;
        try {
            report = backend.report(id);
        } catch (HistoryException e) {
            log.error("cannot read vet {} from the run history", id, e);
            error(response, callback, 503, "the run history cannot be read; see the log");
            return;
        }
        if (report.isEmpty()) {
            error(response, callback, 404, "no vet " + id + " (never run, or pruned from the history)");
            return;
        }
        send(response, callback, 200, JSON, report.get());
    }

    private void listVets(Request request, Response response, Callback callback) throws IOException {
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        Set<String> unknown = new LinkedHashSet<>(query.getNames());
        unknown.remove("limit");
        unknown.remove("before");
        if (!unknown.isEmpty()) {
            error(
                    response,
                    callback,
                    400,
                    "unknown query parameter(s): " + String.join(", ", unknown) + " (known: limit, before)");
            return;
        }
        int limit = DEFAULT_PAGE;
        String limitText = single(query, "limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                error(response, callback, 400, "limit must be a whole number from 1 to " + MAX_PAGE);
                return;
            }
        }
        String before = single(query, "before");
        if (before != null && !RunId.isValid(before)) {
            error(response, callback, 400, "before must be a vet id, like 20261122-101500.123-a1b2c3");
            return;
        }
        if (query.getValuesOrEmpty("limit").size() > 1
                || query.getValuesOrEmpty("before").size() > 1) {
            error(response, callback, 400, "give limit and before at most once each");
            return;
        }
        List<RunSummary> runs;
        try {
            runs = backend.history(limit + 1, before);
        } catch (HistoryException e) {
            log.error("cannot list the run history", e);
            error(response, callback, 503, "the run history cannot be read; see the log");
            return;
        }
        List<Map<String, Object>> vets = new ArrayList<>();
        for (RunSummary run : runs.subList(0, Math.min(limit, runs.size()))) {
            Map<String, Object> vet = new LinkedHashMap<>();
            vet.put("id", run.id());
            vet.put("status", run.status());
            vet.put("startedAt", run.startedAt().toString());
            vet.put("durationMs", run.durationMs());
            vet.put("inconsistencies", run.inconsistencies());
            vets.add(vet);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("vets", vets);
        // "next" is the before= of the next page, or null on the last one.
        answer.put("next", runs.size() > limit ? runs.get(limit - 1).id() : null);
        send(response, callback, 200, JSON, MAPPER.writeValueAsBytes(answer));
    }

    private void reload(Response response, Callback callback) throws IOException {
        try {
            backend.reload();
        } catch (ConfigException e) {
            error(response, callback, 500, "reload failed, the previous config stays in force: " + e.getMessage());
            return;
        }
        send(response, callback, 200, JSON, MAPPER.writeValueAsBytes(Map.of("status", "reloaded")));
    }

    /** {@code {"dryRun": true, "nodes": ["mirror-1"]}}, every part optional; an empty body is {@code {}}. */
    static VetRequest parseTrigger(byte[] body, FarmvetConfig config) throws BadRequest {
        if (body.length == 0) {
            return new VetRequest(VetRequest.Trigger.API, false, List.of());
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequest(notJson(e, body));
        } catch (IOException e) {
            throw new BadRequest("the body cannot be read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            return new VetRequest(VetRequest.Trigger.API, false, List.of());
        }
        if (!root.isObject()) {
            throw new BadRequest("the body must be a JSON object such as " + TRIGGER_EXAMPLE);
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("dryRun") && !name.equals("nodes")) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new BadRequest("unknown field(s): " + String.join(", ", unknown) + " (known: dryRun, nodes)");
        }
        boolean dryRun = false;
        JsonNode dry = root.get("dryRun");
        if (dry != null) {
            if (!dry.isBoolean()) {
                throw new BadRequest("dryRun must be true or false");
            }
            dryRun = dry.booleanValue();
        }
        List<String> nodes = List.of();
        JsonNode list = root.get("nodes");
        if (list != null) {
            if (!list.isArray() || list.isEmpty()) {
                throw new BadRequest("nodes must be a non-empty list of node names; leave it out to vet every node");
            }
            Map<String, String> known = new LinkedHashMap<>();
            config.nodes().forEach(n -> known.put(n.name().toLowerCase(Locale.ROOT), n.name()));
            Set<String> chosen = new LinkedHashSet<>();
            List<String> notNodes = new ArrayList<>();
            for (JsonNode element : list) {
                if (!element.isTextual()) {
                    throw new BadRequest("nodes must hold node names as strings");
                }
                String name = known.get(element.textValue().toLowerCase(Locale.ROOT));
                if (name == null) {
                    notNodes.add(element.textValue());
                } else {
                    chosen.add(name);
                }
            }
            if (!notNodes.isEmpty()) {
                throw new BadRequest("unknown node(s): " + String.join(", ", quoted(notNodes)) + " (configured: "
                        + String.join(", ", known.values()) + ")");
            }
            nodes = List.copyOf(chosen);
        }
        return new VetRequest(VetRequest.Trigger.API, dryRun, nodes);
    }

    /**
     * What is wrong with a body that is not JSON, in our words: where, and what a valid body looks like. Jackson's
     * own message names its parser's internals and quotes its source description (issue 11).
     */
    static String notJson(JsonProcessingException e, byte[] body) {
        String what;
        if (e instanceof StreamConstraintsException) {
            what = "it nests deeper than 8 levels or holds a string longer than " + MAX_BODY_BYTES + " bytes";
        } else if (e instanceof JsonEOFException) {
            what = "it ends before the JSON does";
        } else {
            JsonLocation at = e.getLocation();
            long offset = at == null ? -1 : at.getByteOffset();
            String where = at == null || at.getLineNr() < 1
                    ? ""
                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            what = (offset >= 0 && offset < body.length
                            ? "unexpected " + quoted(body[(int) offset])
                            : "unexpected text")
                    + where;
        }
        return "the body is not valid JSON: " + what + "; send a JSON object such as " + TRIGGER_EXAMPLE
                + " (both fields optional), or no body";
    }

    private static String quoted(byte b) {
        return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format(Locale.ROOT, "byte 0x%02x", b & 0xff);
    }

    /** The body, at most {@link #MAX_BODY_BYTES}; null after answering 413. */
    private static byte[] body(Request request, Response response, Callback callback) throws IOException {
        byte[] body = bounded(request, MAX_BODY_BYTES);
        if (body == null) {
            error(response, callback, 413, "the body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    /** The body, or null when it is larger than {@code max} bytes (read no further than one byte past). */
    private static byte[] bounded(Request request, int max) throws IOException {
        long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        if (declared > max) {
            return null;
        }
        // A chunked body announces no length: read one byte past the bound to tell.
        try (InputStream in = Request.asInputStream(request)) {
            byte[] body = in.readNBytes(max + 1);
            return body.length > max ? null : body;
        }
    }

    private static boolean allowed(String method, Response response, Callback callback, String... methods) {
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        String allow = String.join(", ", methods);
        response.getHeaders().put(HttpHeader.ALLOW, allow);
        error(response, callback, 405, method + " is not allowed here (allowed: " + allow + ")");
        return false;
    }

    /** Whether {@link BearerGate} lets the request through to a resource guarded by {@code token} (null: open). */
    private static boolean authorized(Request request, Response response, Callback callback, Secret token) {
        return BearerGate.of(token, TOKEN_SOURCE).admit(request, response, callback);
    }

    /**
     * The path to route on, or null when it is not plain. Checked on the raw (encoded) path, because an encoded
     * slash or dot means something else once decoded; then decoded, and the decoded form must hold no dot
     * segments either.
     */
    static String plainPath(String raw) {
        if (raw == null || !raw.startsWith("/")) {
            return null;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f")
                || lower.contains("%5c")
                || lower.contains("%2e")
                || lower.contains("%00")
                || raw.indexOf(';') >= 0) {
            return null;
        }
        String decoded;
        try {
            decoded = URIUtil.decodePath(raw);
        } catch (RuntimeException e) {
            return null;
        }
        if (decoded.indexOf('\\') >= 0 || decoded.indexOf(';') >= 0) {
            return null;
        }
        String[] segments = decoded.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals(".") || s.equals("..") || s.isEmpty() && !last) {
                return null;
            }
        }
        return decoded;
    }

    private static String single(Fields query, String name) {
        List<String> values = query.getValuesOrEmpty(name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static List<String> quoted(List<String> names) {
        return names.stream()
                .map(n -> "\"" + (n.length() > 64 ? n.substring(0, 64) + "..." : n) + "\"")
                .toList();
    }

    private static void error(Response response, Callback callback, int status, String message) {
        byte[] body;
        try {
            body = MAPPER.writeValueAsBytes(Map.of("error", message));
        } catch (JsonProcessingException e) {
            body = "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8);
        }
        send(response, callback, status, JSON, body);
    }

    private static void send(Response response, Callback callback, int status, String type, String body) {
        send(response, callback, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** A request body that cannot be used; the message is the 400's. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
