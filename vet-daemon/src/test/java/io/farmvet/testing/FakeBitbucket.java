package io.farmvet.testing;

import io.farmvet.git.GitHttpBackend;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    public static final String SCM_PATH = "/scm/";
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
    private volatile GitHttpBackend scm;
    private volatile String scmAuthorization;

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

    /**
     * Serves the bare repositories under {@code root} at {@code /scm/{KEY}/{slug}.git} over real smart HTTP (git
     * http-backend), as Bitbucket serves Git; by default the names are {@code P<project>/repo-<id>}, so
     * repository 5 of project 6 is {@code root/P6/repo-5.git}.
     */
    public FakeBitbucket scm(Path root) {
        scm = new GitHttpBackend(root);
        return this;
    }

    /** {@code /scm} answers 401 to a request without exactly this {@code Authorization} value. */
    public FakeBitbucket scmAuthorization(String value) {
        scmAuthorization = value;
        return this;
    }

    public FakeServer.Responder responder() {
        return mirrorServers(FakeServer.route(SCM_PATH, this::scmAnswer, reposAndListing()));
    }

    private void scmAnswer(FakeServer.Request request, OutputStream out) throws Exception {
        if (scm == null) {
            FakeServer.status(404, "Not Found", "{\"errors\":[]}", "Content-Type: application/json")
                    .respond(request, out);
            return;
        }
        if (scmAuthorization != null && !scmAuthorization.equals(request.header("Authorization"))) {
            FakeServer.status(401, "Unauthorized", "no\n", "WWW-Authenticate: Basic realm=\"Bitbucket\"")
                    .respond(request, out);
            return;
        }
        String path = request.path().substring(SCM_PATH.length() - 1);
        int query = path.indexOf('?');
        GitHttpBackend.Answer answer = scm.run(
                request.method(),
                query < 0 ? path : path.substring(0, query),
                query < 0 ? "" : path.substring(query + 1),
                request.headers(),
                request.body().getBytes(StandardCharsets.ISO_8859_1));
        StringBuilder head =
                new StringBuilder("HTTP/1.1 ").append(answer.status()).append(" Git\r\nConnection: close\r\n");
        for (String header : answer.headers()) {
            head.append(header).append("\r\n");
        }
        head.append("Content-Length: ").append(answer.body().length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(answer.body());
    }

    private FakeServer.Responder reposAndListing() {
        return FakeServer.route(
                REPOS_PATH + "/",
                this::repository,
                FakeServer.route(
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
                                (request, out) ->
                                        FakeServer.json(listing.json()).respond(request, out),
                                FakeServer.status(
                                        404, "Not Found", "{\"errors\":[]}", "Content-Type: application/json"))));
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

    // ---- rest/mirroring/latest/repos/{id}: the per-repository second look at the primary (issue 12) ----

    private final Map<Long, String> contentAfterListing = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<Long> goneAfterListing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile int repositoryStatus = 200;
    private volatile long repositoryIdShift;
    private final java.util.Set<Long> wrongFor = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile Duration repositoryStall = Duration.ZERO;

    /** {@code repos/{id}} answers every id with this status and a Bitbucket error body (401, 404 before 9.2, 405). */
    public FakeBitbucket repositoryStatus(int status) {
        repositoryStatus = status;
        return this;
    }

    /** {@code repos/{id}} gives repository {@code id} this content hash: a push landed after its listing. */
    public FakeBitbucket contentAfterListing(long id, String content) {
        contentAfterListing.put(id, content);
        return this;
    }

    /** {@code repos/{id}} answers 404 for repository {@code id}: it was deleted after its listing. */
    public FakeBitbucket goneAfterListing(long id) {
        goneAfterListing.add(id);
        return this;
    }

    /** {@code repos/{id}} answers for another repository: the id asked for plus {@code shift}. */
    public FakeBitbucket repositoryFor(long shift) {
        repositoryIdShift = shift;
        return this;
    }

    /** {@code repos/{id}} answers for repository {@code id} as if it were {@code id + 1}: a primary's mistake. */
    public FakeBitbucket wrongRepositoryFor(long id) {
        wrongFor.add(id);
        return this;
    }

    /** {@code repos/{id}} waits this long before it answers. */
    public FakeBitbucket repositoryStall(Duration silence) {
        repositoryStall = silence;
        return this;
    }

    /** How many {@code repos/{id}} requests {@code server} received. */
    public static long repositoryRequests(FakeServer server) {
        return server.requests().stream()
                .filter(r -> r.path().startsWith(REPOS_PATH + "/"))
                .count();
    }

    /** How many {@code repo-hashes} listings {@code server} was asked for. */
    public static long listingRequests(FakeServer server) {
        return server.requests().stream()
                .filter(r -> r.path().startsWith("/rest/mirroring/latest/repo-hashes"))
                .count();
    }

    /** {@code GET repos/{id}} in the documented shape, with {@code properties.contentHash}/{@code metadataHash}. */
    private void repository(FakeServer.Request request, java.io.OutputStream out) throws Exception {
        FakeServer.pause(repositoryStall);
        String rest = request.path().substring(REPOS_PATH.length() + 1);
        String tail = rest.contains("?") ? rest.substring(0, rest.indexOf('?')) : rest;
        Listings.Repo repo = !tail.matches("\\d{1,18}") || goneAfterListing.contains(Long.parseLong(tail))
                ? null
                : listing.repos().stream()
                        .filter(r -> r.id() == Long.parseLong(tail))
                        .findFirst()
                        .orElse(null);
        if (repositoryStatus != 200 || repo == null) {
            int status = repositoryStatus != 200 ? repositoryStatus : 404;
            FakeServer.status(
                            status,
                            "Error",
                            "{\"errors\":[{\"context\":null,\"message\":\"no\",\"exceptionName\":null}]}",
                            "Content-Type: application/json")
                    .respond(request, out);
            return;
        }
        Named name = repos.stream().filter(r -> r.id() == repo.id()).findFirst().orElseThrow();
        String content = contentAfterListing.getOrDefault(repo.id(), repo.content());
        long shift = wrongFor.contains(repo.id()) ? 1 : repositoryIdShift;
        FakeServer.json("{\"id\":" + (repo.id() + shift) + ",\"slug\":" + quoted(name.slug())
                        + ",\"name\":" + quoted(name.slug()) + ",\"description\":\"\",\"project\":{\"id\":"
                        + repo.project() + ",\"key\":" + quoted(name.projectKey())
                        + ",\"name\":\"Project\",\"links\":{}},\"public\":false,\"properties\":{\"contentHash\":\""
                        + content + "\",\"metadataHash\":\"" + repo.metadata() + "\",\"defaultBranchId\":"
                        + "\"refs/heads/main\"}}")
                .respond(request, out);
    }

    /**
     * A Bitbucket mirror node that serves {@code listing} (shuffled, as another server sends it), a synchronized
     * {@code /status}, accepts every resync, and answers the per-repository mirroring REST API of issue 12
     * section 3 for the repositories of {@code listing} named as the primary's fake names them ({@code
     * P<project>/repo-<id>}).
     */
    public static Node node(Listings listing) {
        return new Node(listing);
    }

    /**
     * Bitbucket's {@code farmNodes} answer ({@code [{id, name, address: {address, port}, buildVersion, local}]}),
     * one member per name at 10.0.0.1, 10.0.0.2, …; the first is the asked node itself.
     */
    public static String farmNodes(String... names) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < names.length; i++) {
            json.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"")
                    .append(java.util.UUID.nameUUIDFromBytes(names[i].getBytes(StandardCharsets.UTF_8)))
                    .append("\",\"name\":")
                    .append(quoted(names[i]))
                    .append(",\"address\":{\"address\":\"10.0.0.")
                    .append(i + 1)
                    .append("\",\"port\":5701},\"buildVersion\":\"9.4.2\",\"local\":")
                    .append(i == 0)
                    .append("}");
        }
        return json.append("]").toString();
    }

    /**
     * The node side: {@code supportInfo/projects/{key}/repos/{slug}/repoSyncStatus}, {@code mirrorRepos/{id}},
     * {@code mirrorRepos/delayed-sync} and {@code supportInfo/refChangesQueue/count} in their documented shapes,
     * with knobs to refuse, slow down or garble them. Each repository is by default synced at {@link #SYNCED_AT}
     * with no failures and {@code AVAILABLE}. Knobs are set before the server starts.
     */
    public static final class Node {
        public static final String MIRRORING = "/rest/mirroring/latest/";
        public static final java.time.Instant SYNCED_AT = java.time.Instant.parse("2026-11-30T09:00:00Z");
        private static final Pattern SYNC_STATUS =
                Pattern.compile("/rest/mirroring/latest/supportInfo/projects/([^/]+)/repos/([^/]+)/repoSyncStatus");
        private static final Pattern MIRROR_REPO = Pattern.compile("/rest/mirroring/latest/mirrorRepos/(\\d+)");

        /** One repository's sync state on the node. */
        public record SyncState(java.time.Instant lastSync, int failedSyncs, String status) {}

        private final Listings listing;
        private final Map<Long, SyncState> states = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<Long> delayed = new java.util.concurrent.CopyOnWriteArrayList<>();
        private int supportInfoStatus = 200;
        private int mirrorReposStatus = 200;
        private int delayedSyncStatus = 200;
        private long refChangesQueue;
        private Duration stall = Duration.ZERO;
        private long idShift;
        private String garbage;
        private FakeServer.Responder members = FakeServer.status(404, "Not Found", "{}");

        private Node(Listings listing) {
            this.listing = listing;
        }

        /** Repository {@code id} was last synced at {@code lastSync}, has failed since, and has this status. */
        public Node syncState(long id, java.time.Instant lastSync, int failedSyncs, String status) {
            states.put(id, new SyncState(lastSync, failedSyncs, status));
            return this;
        }

        /** {@code supportInfo/*} (repoSyncStatus, refChangesQueue) answer this status: 401 without ADMIN. */
        public Node supportInfoStatus(int status) {
            supportInfoStatus = status;
            return this;
        }

        /** {@code mirrorRepos/{id}} answers this status. */
        public Node mirrorReposStatus(int status) {
            mirrorReposStatus = status;
            return this;
        }

        /** {@code mirrorRepos/delayed-sync} answers this status: 404 before Bitbucket 9.5. */
        public Node delayedSyncStatus(int status) {
            delayedSyncStatus = status;
            return this;
        }

        /** {@code mirrorRepos/delayed-sync} lists these repositories. */
        public Node delayed(long... ids) {
            for (long id : ids) {
                delayed.add(id);
            }
            return this;
        }

        /** {@code supportInfo/refChangesQueue/count} says this. */
        public Node refChangesQueue(long count) {
            refChangesQueue = count;
            return this;
        }

        /** {@code farmNodes} lists these members (the first is this node); without it, 404 as before farms. */
        public Node members(String... names) {
            members = FakeServer.json(farmNodes(names));
            return this;
        }

        /** Waits this long before answering any mirroring REST call. */
        public Node stall(Duration silence) {
            stall = silence;
            return this;
        }

        /** repoSyncStatus and mirrorRepos answer for another repository: the id asked for plus {@code shift}. */
        public Node wrongRepository(long shift) {
            idShift = shift;
            return this;
        }

        /** Every mirroring REST call answers 200 with {@code body}, whatever it is. */
        public Node garbage(String body) {
            garbage = body;
            return this;
        }

        public FakeServer.Responder responder() {
            FakeServer.Responder mirroring = (request, out) -> {
                FakeServer.pause(stall);
                answer(request.path()).respond(request, out);
            };
            return FakeServer.nodeServing(
                    "SYNCHRONIZED",
                    members,
                    FakeServer.route(
                            FakeFarm.RESYNC_PATH,
                            FakeFarm.ACCEPTED,
                            FakeServer.route(
                                    MIRRORING + "supportInfo/",
                                    mirroring,
                                    FakeServer.route(
                                            MIRRORING + "mirrorRepos/",
                                            mirroring,
                                            FakeServer.json(listing.shuffledJson(11))))));
        }

        /** How many per-repository {@code repoSyncStatus} requests {@code server} had (a confirm's node side). */
        public static long repoSyncStatusRequests(FakeServer server) {
            return server.requests().stream()
                    .filter(r -> r.path().startsWith(MIRRORING + "supportInfo/projects/")
                            && r.path().contains("/repoSyncStatus"))
                    .count();
        }

        /** How many mirroring REST calls (not the listing) {@code server} received. */
        public static long mirroringRequests(FakeServer server) {
            return server.requests().stream()
                    .filter(r -> r.path().startsWith(MIRRORING + "supportInfo/")
                            || r.path().startsWith(MIRRORING + "mirrorRepos/"))
                    .count();
        }

        private FakeServer.Responder answer(String path) {
            boolean supportInfo = path.startsWith(MIRRORING + "supportInfo/");
            int status = supportInfo
                    ? supportInfoStatus
                    : path.startsWith(MIRRORING + "mirrorRepos/delayed-sync") ? delayedSyncStatus : mirrorReposStatus;
            if (status != 200) {
                return FakeServer.status(
                        status,
                        "Error",
                        "{\"errors\":[{\"context\":null,\"message\":\"no\",\"exceptionName\":null}]}",
                        "Content-Type: application/json");
            }
            if (garbage != null) {
                return FakeServer.json(garbage);
            }
            String query = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            if (query.equals(MIRRORING + "supportInfo/refChangesQueue/count")) {
                return FakeServer.json(Long.toString(refChangesQueue));
            }
            if (query.equals(MIRRORING + "mirrorRepos/delayed-sync")) {
                StringBuilder values = new StringBuilder();
                for (long id : delayed) {
                    Listings.Repo repo = repo(id);
                    values.append(values.length() == 0 ? "" : ",")
                            .append("{\"projectKey\":\"P")
                            .append(repo == null ? 0 : repo.project())
                            .append("\",\"repositoryId\":")
                            .append(id)
                            .append(",\"repositorySlug\":\"repo-")
                            .append(id)
                            .append("\"}");
                }
                return FakeServer.json("[" + values + "]");
            }
            Matcher sync = SYNC_STATUS.matcher(query);
            if (sync.matches()) {
                Listings.Repo repo = named(sync.group(1), sync.group(2));
                if (repo == null) {
                    return notFound();
                }
                SyncState state = states.getOrDefault(repo.id(), new SyncState(SYNCED_AT, 0, "AVAILABLE"));
                return FakeServer.json("{\"externalRepoId\":" + (repo.id() + idShift) + ",\"localRepoId\":"
                        + (repo.id() + 7000) + ",\"localProjectId\":" + repo.project() + ",\"upstreamId\":\"u\","
                        + "\"repoSlug\":\"repo-" + repo.id() + "\",\"failedSyncCount\":" + state.failedSyncs()
                        + ",\"initialSyncDate\":"
                        + SYNCED_AT.minus(Duration.ofDays(30)).toEpochMilli()
                        + ",\"lastSyncDate\":"
                        + (state.lastSync() == null ? "null" : state.lastSync().toEpochMilli())
                        + ",\"hashes\":{\"content\":\"" + repo.content() + "\",\"metadata\":\"" + repo.metadata()
                        + "\"}}");
            }
            Matcher mirrorRepo = MIRROR_REPO.matcher(query);
            if (mirrorRepo.matches()) {
                long id = Long.parseLong(mirrorRepo.group(1));
                if (repo(id) == null) {
                    return notFound();
                }
                SyncState state = states.getOrDefault(id, new SyncState(SYNCED_AT, 0, "AVAILABLE"));
                return FakeServer.json("{\"available\":" + state.status().endsWith("AVAILABLE")
                        + ",\"cloneUrls\":[],\"pushUrls\":[],\"lastUpdated\":" + SYNCED_AT.toEpochMilli()
                        + ",\"mirrorName\":\"fake\",\"repositoryId\":\"" + (id + idShift) + "\",\"status\":\""
                        + state.status() + "\"}");
            }
            return notFound();
        }

        private Listings.Repo repo(long id) {
            return listing.repos().stream()
                    .filter(r -> r.id() == id)
                    .findFirst()
                    .orElse(null);
        }

        private Listings.Repo named(String projectKey, String slug) {
            return listing.repos().stream()
                    .filter(r -> ("P" + r.project()).equals(projectKey) && ("repo-" + r.id()).equals(slug))
                    .findFirst()
                    .orElse(null);
        }

        private static FakeServer.Responder notFound() {
            return FakeServer.status(404, "Not Found", "{\"errors\":[]}", "Content-Type: application/json");
        }
    }
}
