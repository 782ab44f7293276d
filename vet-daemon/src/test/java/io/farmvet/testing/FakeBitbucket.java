package io.farmvet.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Bitbucket primary for {@link FakeServer}: {@code repo-hashes} from a {@link Listings}, and the paged
 * {@code rest/mirroring/latest/repos} in its documented shape ({@code size, limit, isLastPage, start,
 * nextPageStart, values: [{id, slug, name, project: {id, key, name}, properties}]}), with knobs to break the
 * paging, the pages and the names. Other paths answer 404, as Bitbucket does for what it lacks. Knobs are set
 * before the server starts; not thread-safe to change while serving.
 */
public final class FakeBitbucket {
    public static final String REPOS_PATH = "/rest/mirroring/latest/repos";
    private static final Pattern QUERY = Pattern.compile("[?&](start|limit)=(\\d+)");

    /** One repository as {@code repos} lists it. */
    public record Named(long projectId, long id, String projectKey, String slug) {}

    private volatile Listings listing;
    private final List<Named> repos = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int pageSize = 25;
    private boolean ignoreLimit;
    private int reposStatus = 200;
    private boolean endless;
    private boolean backwards;
    private int padding;
    private Duration stall = Duration.ZERO;

    /** Every repository of {@code listing} named {@code P<project>/repo-<id>}. */
    public FakeBitbucket(Listings listing) {
        serve(listing);
    }

    /** From now on lists {@code listing} (between two vets: a repository created on the primary), names reset. */
    public FakeBitbucket serve(Listings listing) {
        List<Named> named = new ArrayList<>();
        for (Listings.Repo repo : listing.repos()) {
            named.add(new Named(repo.project(), repo.id(), "P" + repo.project(), "repo-" + repo.id()));
        }
        repos.clear();
        repos.addAll(named);
        this.listing = listing;
        return this;
    }

    /** Serves pages of {@code size} repositories whatever {@code limit} asked for. */
    public FakeBitbucket hugePages(int size) {
        pageSize = size;
        ignoreLimit = true;
        return this;
    }

    /** Serves at most this many repositories per page, whatever {@code limit} asks (Bitbucket may serve fewer). */
    public FakeBitbucket pageSize(int size) {
        pageSize = size;
        return this;
    }

    /** {@code repos} answers this status with a Bitbucket error body (401 without permission, 404 on old ones). */
    public FakeBitbucket reposStatus(int status) {
        reposStatus = status;
        return this;
    }

    /**
     * Every page says {@code isLastPage: false}, is full (the repositories again, round and round), and has a
     * {@code nextPageStart} that keeps moving forward.
     */
    public FakeBitbucket endless() {
        endless = true;
        return this;
    }

    /** Pages after the first say a {@code nextPageStart} of 0. */
    public FakeBitbucket backwards() {
        backwards = true;
        return this;
    }

    /** Adds a description of {@code bytes} characters to every repository. */
    public FakeBitbucket padding(int bytes) {
        padding = bytes;
        return this;
    }

    /** Waits this long before answering a page. */
    public FakeBitbucket stall(Duration silence) {
        stall = silence;
        return this;
    }

    /** Renames a repository (the key or slug may be anything, hostile included). */
    public FakeBitbucket rename(long id, String projectKey, String slug) {
        repos.replaceAll(r -> r.id() == id ? new Named(r.projectId(), id, projectKey, slug) : r);
        return this;
    }

    /** Lists a repository once more, at the end, under these names. */
    public FakeBitbucket listAgain(long id, String projectKey, String slug) {
        Named first = repos.stream().filter(r -> r.id() == id).findFirst().orElseThrow();
        repos.add(new Named(first.projectId(), id, projectKey, slug));
        return this;
    }

    /** Adds repositories only {@code repos} lists (not the listing), e.g. to make a page huge. */
    public FakeBitbucket extra(int count) {
        for (int i = 0; i < count; i++) {
            repos.add(new Named(1, 1_000_000 + i, "EXTRA", "extra-" + i));
        }
        return this;
    }

    public FakeServer.Responder responder() {
        return mirrorServers(FakeServer.route(
                REPOS_PATH,
                (request, out) -> {
                    FakeServer.pause(stall);
                    if (reposStatus != 200) {
                        FakeServer.status(
                                        reposStatus,
                                        "Error",
                                        "{\"errors\":[{\"context\":null,\"message\":\"no\",\"exceptionName\":null}]}",
                                        "Content-Type: application/json")
                                .respond(request, out);
                        return;
                    }
                    FakeServer.json(page(request.path())).respond(request, out);
                },
                FakeServer.route(
                        "/rest/mirroring/latest/repo-hashes",
                        (request, out) -> FakeServer.json(listing.json()).respond(request, out),
                        FakeServer.status(404, "Not Found", "{\"errors\":[]}", "Content-Type: application/json"))));
    }

    // ---- rest/mirroring/latest/mirrorServers: the primary's mirrors, paged (issue 12, farmvet discover) ----

    public static final String MIRROR_SERVERS_PATH = "/rest/mirroring/latest/mirrorServers";

    /** One mirror server as {@code mirrorServers} lists it; any field may be hostile. */
    public record Mirror(String id, String name, String baseUrl, String mirrorType) {}

    private final List<Mirror> mirrors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int mirrorsPageSize = 25;
    private boolean mirrorsIgnoreLimit;
    private boolean mirrorsEndless;
    private boolean mirrorsBackwards;
    private int mirrorsStatus = 200;

    /** Lists a mirror server (a farm unless {@code mirrorType} says SINGLE) at {@code baseUrl}. */
    public FakeBitbucket mirrorServer(String id, String name, String baseUrl, String mirrorType) {
        mirrors.add(new Mirror(id, name, baseUrl, mirrorType));
        return this;
    }

    /** Serves at most this many mirror servers per page, whatever {@code limit} asks. */
    public FakeBitbucket mirrorServersPageSize(int size) {
        mirrorsPageSize = size;
        return this;
    }

    /** Serves pages of {@code size} mirror servers (round and round) whatever {@code limit} asked for. */
    public FakeBitbucket mirrorServersHugePages(int size) {
        mirrorsPageSize = size;
        mirrorsIgnoreLimit = true;
        return this;
    }

    /** Every page of mirror servers says {@code isLastPage: false}, full, with a {@code nextPageStart} moving on. */
    public FakeBitbucket mirrorServersEndless() {
        mirrorsEndless = true;
        return this;
    }

    /** Pages of mirror servers after the first say a {@code nextPageStart} of 0. */
    public FakeBitbucket mirrorServersBackwards() {
        mirrorsBackwards = true;
        return this;
    }

    /** {@code mirrorServers} answers this status with a Bitbucket error body. */
    public FakeBitbucket mirrorServersStatus(int status) {
        mirrorsStatus = status;
        return this;
    }

    private FakeServer.Responder mirrorServers(FakeServer.Responder otherwise) {
        return FakeServer.route(
                MIRROR_SERVERS_PATH,
                (request, out) -> {
                    if (mirrorsStatus != 200) {
                        FakeServer.status(
                                        mirrorsStatus,
                                        "Error",
                                        "{\"errors\":[{\"context\":null,\"message\":\"no\",\"exceptionName\":null}]}",
                                        "Content-Type: application/json")
                                .respond(request, out);
                        return;
                    }
                    FakeServer.json(mirrorServersPage(request.path())).respond(request, out);
                },
                otherwise);
    }

    private String mirrorServersPage(String path) {
        Map<String, Integer> query = new TreeMap<>();
        Matcher m = QUERY.matcher(path);
        while (m.find()) {
            query.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        int start = query.getOrDefault("start", 0);
        int limit = mirrorsIgnoreLimit ? mirrorsPageSize : Math.min(query.getOrDefault("limit", 25), mirrorsPageSize);
        int end = mirrorsEndless || mirrorsIgnoreLimit ? start + limit : Math.min(mirrors.size(), start + limit);
        StringBuilder values = new StringBuilder();
        for (int i = start; i < end && !mirrors.isEmpty(); i++) {
            Mirror r = mirrors.get(i % mirrors.size());
            values.append(i == start ? "" : ",")
                    .append("{\"id\":")
                    .append(quoted(r.id()))
                    .append(",\"name\":")
                    .append(quoted(r.name()))
                    .append(",\"baseUrl\":")
                    .append(quoted(r.baseUrl()))
                    .append(",\"enabled\":true,\"lastSeenDate\":\"2026-12-01T10:00:00Z\",\"mirrorType\":")
                    .append(quoted(r.mirrorType()))
                    .append(",\"productVersion\":\"9.4.2\",\"productType\":\"Bitbucket\"}");
        }
        int size = mirrors.isEmpty() ? 0 : Math.max(0, end - start);
        boolean last = !mirrorsEndless && (mirrorsIgnoreLimit || end >= mirrors.size());
        long next = mirrorsBackwards && start > 0 ? 0 : end;
        return "{\"size\":" + size + ",\"limit\":" + limit + ",\"isLastPage\":" + last + ",\"start\":" + start
                + (last ? "" : ",\"nextPageStart\":" + next) + ",\"values\":[" + values + "]}";
    }

    /** How many requests {@code server} had under {@code path}. */
    public static long requestsTo(FakeServer server, String path) {
        return server.requests().stream().filter(r -> r.path().startsWith(path)).count();
    }

    /** How many pages of {@code repos} {@code server} was asked for. */
    public static long reposRequests(FakeServer server) {
        return server.requests().stream()
                .filter(r -> r.path().startsWith(REPOS_PATH))
                .count();
    }

    private String page(String path) {
        Map<String, Integer> query = new TreeMap<>();
        Matcher m = QUERY.matcher(path);
        while (m.find()) {
            query.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        int start = query.getOrDefault("start", 0);
        int limit = ignoreLimit ? pageSize : Math.min(query.getOrDefault("limit", 25), pageSize);
        int end = endless ? start + limit : Math.min(repos.size(), start + limit);
        StringBuilder values = new StringBuilder();
        for (int i = start; i < end; i++) {
            Named r = repos.get(i % repos.size());
            values.append(i == start ? "" : ",")
                    .append("{\"id\":")
                    .append(r.id())
                    .append(",\"slug\":")
                    .append(quoted(r.slug()))
                    .append(",\"name\":")
                    .append(quoted(r.slug()))
                    .append(",\"description\":\"")
                    .append("d".repeat(padding))
                    .append("\",\"project\":{\"id\":")
                    .append(r.projectId())
                    .append(",\"key\":")
                    .append(quoted(r.projectKey()))
                    .append(",\"name\":\"Project\",\"links\":{}},\"public\":false,")
                    .append("\"properties\":{\"contentHash\":\"0\",\"metadataHash\":\"0\"}}");
        }
        int size = Math.max(0, end - start);
        boolean last = !endless && end >= repos.size();
        long next = backwards && start > 0 ? 0 : end;
        return "{\"size\":" + size + ",\"limit\":" + limit + ",\"isLastPage\":" + last + ",\"start\":" + start
                + (last ? "" : ",\"nextPageStart\":" + next) + ",\"values\":[" + values + "]}";
    }

    /** A JSON string of {@code text}, escaped the way a JSON writer would (control characters as \\u). */
    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
