package io.farmvet.agent;

import static io.farmvet.git.GitCli.cloneMirror;
import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.git.StableIds;
import io.farmvet.listing.ListingKind;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.testing.TestHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent over real HTTP on loopback, serving and resyncing real repositories made with the git CLI. */
class AgentServerTest {
    private static final String TOKEN = "s3cret-agent-token";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path upstream;
    private Path mirror;
    private Path tokenFile;
    private final List<AgentServer> agents = new ArrayList<>();
    private final TestHttp client = new TestHttp(WAIT);
    private final RepositoryHasher hasher = new RepositoryHasher();

    /** Upstream: PROJ/{alpha,beta,gamma}.git and OTHER/delta.git; the mirror is a git clone --mirror of each. */
    @BeforeEach
    void createFarm() throws IOException {
        upstream = Files.createDirectories(tmp.resolve("upstream"));
        mirror = Files.createDirectories(tmp.resolve("mirror"));
        for (String name : List.of("PROJ/alpha", "PROJ/beta", "PROJ/gamma", "OTHER/delta")) {
            Path repo = upstream.resolve(name + ".git");
            String main = initWithMain(repo, name);
            git(repo, "update-ref", "refs/heads/feature", commit(repo, name + " feature", main));
            git(repo, "tag", "-a", "-m", "release", "v1", main);
            git(repo, "tag", "light", main);
            cloneMirror(repo, mirror.resolve(name + ".git"));
        }
        tokenFile = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
    }

    @AfterEach
    void stopAgents() {
        agents.forEach(AgentServer::close);
    }

    private AgentServer startMirrorAgent() throws IOException {
        return startMirrorAgent(id -> {});
    }

    private AgentServer startMirrorAgent(LongConsumer beforeResync) throws IOException {
        AgentSettings settings = AgentSettings.of(
                        mirror, upstream + "/{project}/{repo}.git", AgentCommand.token(tokenFile.toString()))
                .withListen("127.0.0.1", 0);
        return started(AgentServer.start(settings, beforeResync));
    }

    private AgentServer startPrimaryAgent() throws IOException {
        AgentSettings settings = AgentSettings.of(upstream, null, AgentCommand.token(tokenFile.toString()))
                .withListen("127.0.0.1", 0);
        return started(AgentServer.start(settings));
    }

    private AgentServer started(AgentServer agent) {
        agents.add(agent);
        awaitSynchronized(agent);
        return agent;
    }

    // ---- HTTP helpers ----

    private HttpResponse<byte[]> get(AgentServer agent, String path) {
        return client.send(TestHttp.request(agent.uri().resolve(path), TOKEN));
    }

    private HttpResponse<byte[]> post(AgentServer agent, String body) {
        return client.send(TestHttp.request(agent.uri().resolve(AgentResync.PATH), TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<byte[]> resync(
            AgentServer agent, String projectKey, String slug, String kinds, boolean named) {
        String body = "{\"repoId\":" + StableIds.repositoryId(projectKey, slug) + ",\"projectId\":"
                + StableIds.projectId(projectKey) + ",\"kinds\":[" + kinds + "]"
                + (named ? ",\"projectKey\":\"" + projectKey + "\",\"slug\":\"" + slug + "\"" : "") + "}";
        return post(agent, body);
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private void awaitSynchronized(AgentServer agent) {
        await("agent " + agent.uri() + " SYNCHRONIZED")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> {
                    HttpResponse<byte[]> status =
                            client.send(HttpRequest.newBuilder(agent.uri().resolve("/status")));
                    assertThat(new String(status.body(), StandardCharsets.UTF_8))
                            .as("/status answering %d", status.statusCode())
                            .contains("\"SYNCHRONIZED\"");
                    assertThat(status.statusCode()).isEqualTo(200);
                });
    }

    /** repository id -> "content metadata" (either may be absent), read with farmvet's own reader. */
    private static Map<Long, String> readListing(HttpResponse<byte[]> response, ListingKind kind) throws IOException {
        assertThat(response.statusCode()).isEqualTo(200);
        Map<Long, String> entries = new TreeMap<>();
        new ListingReader(ListingLimits.DEFAULTS)
                .read(new ByteArrayInputStream(response.body()), "agent", kind, entry -> {
                    String previous = entries.put(
                            entry.repositoryId(),
                            (entry.content().present() ? entry.content().toHex() : "-") + " "
                                    + (entry.metadata().present()
                                            ? entry.metadata().toHex()
                                            : "-"));
                    assertThat(previous)
                            .as("repository %d listed once", entry.repositoryId())
                            .isNull();
                });
        return entries;
    }

    private Map<Long, String> expectedListing(Path root, ListingKind kind) throws IOException {
        Map<Long, String> expected = new TreeMap<>();
        try (Stream<Path> repos =
                Files.find(root, 2, (p, a) -> a.isDirectory() && p.toString().endsWith(".git"))) {
            for (Path repo : repos.toList()) {
                RepositoryHashes hashes = hasher.hash(repo);
                expected.put(
                        hashes.repositoryId(),
                        (kind.carriesContent() ? hashes.contentHash() : "-") + " "
                                + (kind.carriesMetadata() ? hashes.metadataHash() : "-"));
            }
        }
        return expected;
    }

    private void assertMirrorMatchesUpstream(String... names) throws IOException {
        for (String name : names) {
            RepositoryHashes up = hasher.hash(upstream.resolve(name + ".git"));
            RepositoryHashes down = hasher.hash(mirror.resolve(name + ".git"));
            assertThat(down.contentHash()).as("content of %s", name).isEqualTo(up.contentHash());
            assertThat(down.metadataHash()).as("metadata of %s", name).isEqualTo(up.metadataHash());
        }
    }

    // ---- listings ----

    @Test
    void theListingIsWhatRepositoryHasherComputesWithKeysAndSlugsAndEachProjectOnce() throws IOException {
        AgentServer agent = startMirrorAgent();

        HttpResponse<byte[]> response = get(agent, "/rest/mirroring/latest/repo-hashes");

        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("Content-Length")).isEmpty();
        assertThat(readListing(response, ListingKind.FULL)).isEqualTo(expectedListing(mirror, ListingKind.FULL));
        JsonNode projects = json(response).get("projects");
        Map<String, Set<String>> slugsByKey = new TreeMap<>();
        for (JsonNode project : projects) {
            String key = project.get("key").asText();
            assertThat(project.get("id").asLong()).isEqualTo(StableIds.projectId(key));
            assertThat(project.get("public").asBoolean()).isFalse();
            Set<String> slugs = new HashSet<>();
            for (JsonNode repository : project.get("repositories")) {
                String slug = repository.get("slug").asText();
                assertThat(repository.get("id").asLong()).isEqualTo(StableIds.repositoryId(key, slug));
                slugs.add(slug);
            }
            assertThat(slugsByKey.put(key, slugs))
                    .as("project %s listed once", key)
                    .isNull();
        }
        assertThat(slugsByKey).isEqualTo(Map.of("PROJ", Set.of("alpha", "beta", "gamma"), "OTHER", Set.of("delta")));
    }

    @Test
    void contentAndMetadataListingsCarryOneHashEach() throws IOException {
        AgentServer agent = startMirrorAgent();

        HttpResponse<byte[]> content = get(agent, "/rest/mirroring/latest/repo-hashes/content");
        HttpResponse<byte[]> metadata = get(agent, "/rest/mirroring/latest/repo-hashes/metadata");

        assertThat(readListing(content, ListingKind.CONTENT)).isEqualTo(expectedListing(mirror, ListingKind.CONTENT));
        assertThat(readListing(metadata, ListingKind.METADATA))
                .isEqualTo(expectedListing(mirror, ListingKind.METADATA));
        assertThat(new String(content.body())).doesNotContain("\"metadata\"");
        assertThat(new String(metadata.body())).doesNotContain("\"content\"");
    }

    @Test
    void aRepositoryThatCannotBeHashedIsLeftOutOfAWellFormedListing() throws IOException {
        Files.createDirectories(mirror.resolve("PROJ/broken.git"));
        Files.createDirectories(mirror.resolve("EMPTY"));
        AgentServer agent = startMirrorAgent();

        Map<Long, String> listed = readListing(get(agent, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL);

        assertThat(listed)
                .doesNotContainKey(StableIds.repositoryId("PROJ", "broken"))
                .hasSize(4);
        assertThat(new String(get(agent, "/rest/mirroring/latest/repo-hashes").body()))
                .doesNotContain("EMPTY");
    }

    // ---- status, auth, routing ----

    @Test
    void statusNeedsNoTokenAndAcceptsOnlyGet() throws IOException {
        AgentServer agent = startMirrorAgent();

        HttpResponse<byte[]> status =
                client.send(HttpRequest.newBuilder(agent.uri().resolve("/status")));
        HttpResponse<byte[]> posted = client.send(
                HttpRequest.newBuilder(agent.uri().resolve("/status")).POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(json(status)).isEqualTo(JSON.readTree("{\"state\":\"SYNCHRONIZED\",\"nodeCount\":1}"));
        assertThat(posted.statusCode()).isEqualTo(405);
        assertThat(posted.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void everythingButStatusNeedsTheBearerTokenInTheHeader() throws IOException {
        AgentServer agent = startMirrorAgent();
        URI listing = agent.uri().resolve("/rest/mirroring/latest/repo-hashes");

        List<HttpResponse<byte[]>> refused = List.of(
                client.send(HttpRequest.newBuilder(listing)),
                client.send(HttpRequest.newBuilder(listing).header("Authorization", "Bearer wrong-token")),
                client.send(HttpRequest.newBuilder(listing).header("Authorization", "Bearer " + TOKEN + "x")),
                client.send(HttpRequest.newBuilder(listing).header("Authorization", "Basic " + TOKEN)),
                client.send(HttpRequest.newBuilder(URI.create(listing + "?token=" + TOKEN + "&access_token=" + TOKEN))),
                client.send(HttpRequest.newBuilder(agent.uri().resolve(AgentResync.PATH))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))));

        for (HttpResponse<byte[]> response : refused) {
            assertThat(response.statusCode()).as("%s", response.request()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(new String(response.body())).doesNotContain("[").doesNotContain("SYNCHRONIZED");
        }
        assertThat(get(agent, "/rest/mirroring/latest/repo-hashes").statusCode())
                .isEqualTo(200);
    }

    @Test
    void unknownPathsAre404AndWrongMethods405WithAllow() {
        AgentServer agent = startMirrorAgentUnchecked();

        HttpResponse<byte[]> unknown = get(agent, "/rest/mirroring/latest/repo-hashes/other");
        HttpResponse<byte[]> getResync = get(agent, AgentResync.PATH);
        HttpResponse<byte[]> postListing =
                client.send(HttpRequest.newBuilder(agent.uri().resolve("/rest/mirroring/latest/repo-hashes"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(getResync.statusCode()).isEqualTo(405);
        assertThat(getResync.headers().firstValue("Allow")).hasValue("POST");
        assertThat(postListing.statusCode()).isEqualTo(405);
        assertThat(postListing.headers().firstValue("Allow")).hasValue("GET");
    }

    private AgentServer startMirrorAgentUnchecked() {
        try {
            return startMirrorAgent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- resyncs ----

    @Test
    void resyncRepairsMissingCommitsMissingBranchesDeletedTagsAndTheDefaultBranch() throws IOException {
        AgentServer agent = startMirrorAgent();
        Path alpha = upstream.resolve("PROJ/alpha.git");
        git(
                alpha,
                "update-ref",
                "refs/heads/main",
                commit(alpha, "alpha 2", git(alpha, "rev-parse", "main").trim()));
        Path beta = upstream.resolve("PROJ/beta.git");
        git(beta, "update-ref", "refs/heads/topic", commit(beta, "beta topic"));
        Path gamma = upstream.resolve("PROJ/gamma.git");
        git(gamma, "tag", "-d", "light");
        Path delta = upstream.resolve("OTHER/delta.git");
        git(delta, "symbolic-ref", "HEAD", "refs/heads/feature");
        Map<Long, String> before = readListing(get(agent, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL);
        assertThat(before).isNotEqualTo(expectedListing(upstream, ListingKind.FULL));

        List<HttpResponse<byte[]>> answers = List.of(
                resync(agent, "PROJ", "alpha", "\"content\"", false),
                resync(agent, "PROJ", "beta", "\"content\"", false),
                resync(agent, "PROJ", "gamma", "\"content\"", true),
                resync(agent, "OTHER", "delta", "\"metadata\"", false));
        for (HttpResponse<byte[]> answer : answers) {
            assertThat(answer.statusCode()).as(new String(answer.body())).isEqualTo(202);
            assertThat(json(answer).get("state").asText()).isIn("queued", "running");
        }
        assertThat(json(answers.get(0)).get("repoId").asLong()).isEqualTo(StableIds.repositoryId("PROJ", "alpha"));
        awaitSynchronized(agent);

        assertMirrorMatchesUpstream("PROJ/alpha", "PROJ/beta", "PROJ/gamma", "OTHER/delta");
        assertThat(git(mirror.resolve("PROJ/gamma.git"), "tag", "-l")).isEqualTo("v1\n");
        assertThat(git(mirror.resolve("OTHER/delta.git"), "symbolic-ref", "HEAD"))
                .isEqualTo("refs/heads/feature\n");
        // The listings of the mirror's agent and of a hashes-only agent on the upstream now agree.
        AgentServer primary = startPrimaryAgent();
        assertThat(readListing(get(agent, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL))
                .isEqualTo(readListing(get(primary, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL));
        assertThat(agent.fetchCount()).isEqualTo(4);
    }

    @Test
    void aMissingRepositoryIsClonedFromTheNamesInTheRequest() throws IOException {
        Path epsilon = upstream.resolve("NEW/epsilon.git");
        initWithMain(epsilon, "epsilon");
        git(epsilon, "tag", "-a", "-m", "release", "v1", "main");
        AgentServer agent = startMirrorAgent();

        HttpResponse<byte[]> unnamed = resync(agent, "NEW", "epsilon", "\"missing\"", false);
        HttpResponse<byte[]> named = resync(agent, "NEW", "epsilon", "\"missing\"", true);
        awaitSynchronized(agent);

        assertThat(unnamed.statusCode()).isEqualTo(404);
        assertThat(new String(unnamed.body())).contains("projectKey and slug");
        assertThat(named.statusCode()).as(new String(named.body())).isEqualTo(202);
        assertThat(mirror.resolve("NEW/epsilon.git")).isDirectory();
        assertMirrorMatchesUpstream("NEW/epsilon");
        assertThat(readListing(get(agent, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL))
                .containsKey(StableIds.repositoryId("NEW", "epsilon"));
    }

    @Test
    void anExtraRepositoryIsQuarantinedOutsideTheFolderNotDeleted() throws IOException {
        Path extra = mirror.resolve("PROJ/extra.git");
        String main = initWithMain(extra, "extra only on the mirror");
        AgentServer agent = startMirrorAgent();

        HttpResponse<byte[]> answer = resync(agent, "PROJ", "extra", "\"extra\"", false);
        awaitSynchronized(agent);

        assertThat(answer.statusCode()).as(new String(answer.body())).isEqualTo(202);
        assertThat(extra).doesNotExist();
        Path quarantine = tmp.resolve("farmvet-quarantine");
        List<Path> kept;
        try (Stream<Path> entries = Files.list(quarantine)) {
            kept = entries.toList();
        }
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).getFileName().toString()).matches("\\d{8}T\\d{6}Z-PROJ-extra\\.git");
        assertThat(git(kept.get(0), "rev-parse", "refs/heads/main")).isEqualTo(main + "\n");
        assertThat(readListing(get(agent, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL))
                .isEqualTo(expectedListing(upstream, ListingKind.FULL));
        assertThat(agent.fetchCount()).isZero();
    }

    @Test
    void concurrentDuplicateRequestsJoinOneFetch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AgentServer agent = startMirrorAgent(id -> {
            try {
                // Bounded: a broken test must not hang the build.
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path alpha = upstream.resolve("PROJ/alpha.git");
        git(
                alpha,
                "update-ref",
                "refs/heads/main",
                commit(alpha, "alpha 2", git(alpha, "rev-parse", "main").trim()));

        HttpResponse<byte[]> first = resync(agent, "PROJ", "alpha", "\"content\"", false);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<HttpResponse<byte[]>>> duplicates = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                duplicates.add(clients.submit(() -> resync(agent, "PROJ", "alpha", "\"content\",\"metadata\"", false)));
            }
            for (Future<HttpResponse<byte[]>> duplicate : duplicates) {
                HttpResponse<byte[]> answer = duplicate.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as(new String(answer.body())).isEqualTo(202);
                assertThat(json(answer).get("state").asText()).isIn("queued", "running");
            }
        } finally {
            clients.shutdownNow();
        }
        HttpResponse<byte[]> status =
                client.send(HttpRequest.newBuilder(agent.uri().resolve("/status")));
        assertThat(json(status).get("state").asText()).isEqualTo("RUNNING");
        release.countDown();
        awaitSynchronized(agent);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(agent.fetchCount()).isEqualTo(1);
        assertMirrorMatchesUpstream("PROJ/alpha");
    }

    @Test
    void closeLetsARunningResyncFinishAndDropsNothingItStarted() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AgentServer agent = startMirrorAgent(id -> {
            running.countDown();
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Path alpha = upstream.resolve("PROJ/alpha.git");
        git(
                alpha,
                "update-ref",
                "refs/heads/main",
                commit(alpha, "alpha 2", git(alpha, "rev-parse", "main").trim()));
        assertThat(resync(agent, "PROJ", "alpha", "\"content\"", false).statusCode())
                .isEqualTo(202);
        assertThat(running.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            Future<?> closed = closer.submit(agent::close);
            release.countDown();
            closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            closer.shutdownNow();
        }

        assertThat(agent.fetchCount()).isEqualTo(1);
        assertMirrorMatchesUpstream("PROJ/alpha");
        assertThatThrownBy(() -> client.send(
                        HttpRequest.newBuilder(agent.uri().resolve("/status")), HttpResponse.BodyHandlers.discarding()))
                .hasCauseInstanceOf(IOException.class);
    }

    @Test
    void malformedBodiesAreRefusedWith400NamingTheProblem() {
        AgentServer agent = startMirrorAgentUnchecked();
        long alpha = StableIds.repositoryId("PROJ", "alpha");
        long proj = StableIds.projectId("PROJ");
        Map<String, String> cases = new TreeMap<>(Map.of(
                "not json",
                "not JSON",
                "",
                "empty",
                "[1]",
                "JSON object",
                "{\"projectId\":" + proj + ",\"kinds\":[\"content\"]}",
                "repoId: is required",
                "{\"repoId\":\"x\",\"projectId\":" + proj + ",\"kinds\":[\"content\"]}",
                "repoId: must be an integer",
                "{\"repoId\":" + alpha + ",\"projectId\":" + proj + ",\"kinds\":[]}",
                "kinds: must be a non-empty",
                "{\"repoId\":" + alpha + ",\"projectId\":" + proj + ",\"kinds\":[\"everything\"]}",
                "kinds[0]",
                "{\"repoId\":" + alpha + ",\"projectId\":" + proj + ",\"kinds\":[\"extra\",\"content\"]}",
                "cannot be combined",
                "{\"repoId\":" + alpha + ",\"projectId\":" + proj + ",\"kinds\":[\"content\"],\"slug\":\"alpha\"}",
                "give both or neither",
                "{\"repoId\":" + alpha + ",\"projectId\":1,\"kinds\":[\"content\"]}",
                "not projectId 1"));

        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<byte[]> answer = post(agent, c.getKey());
            assertThat(answer.statusCode()).as("body %s", c.getKey()).isEqualTo(400);
            assertThat(new String(answer.body())).as("body %s", c.getKey()).contains(c.getValue());
        }
        assertThat(agent.fetchCount()).isZero();
    }

    @Test
    void oversizedHeadersAndBodiesAndOtherContentTypesAreRefused() {
        AgentServer agent = startMirrorAgentUnchecked();
        URI resync = agent.uri().resolve(AgentResync.PATH);

        HttpResponse<byte[]> bigHeader =
                client.send(HttpRequest.newBuilder(agent.uri().resolve("/status"))
                        .header("X-Padding", "x".repeat(AgentSettings.MAX_REQUEST_HEADER_BYTES)));
        // Only the head of the oversized request is sent: the agent refuses on the announced length, and a client
        // still sending the body could see the connection closed before it reads the 413.
        String bigBody = client.statusLine(
                agent.uri(),
                "POST " + AgentResync.PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Type: application/json\r\nContent-Length: "
                        + (AgentSettings.MAX_REQUEST_BODY_BYTES + 1) + "\r\n\r\n");
        HttpResponse<byte[]> text = client.send(HttpRequest.newBuilder(resync)
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

        assertThat(bigHeader.statusCode()).isEqualTo(431);
        assertThat(bigBody).startsWith("HTTP/1.1 413 ");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(agent.fetchCount()).isZero();
    }

    @Test
    void namesThatDoNotMatchTheIdAreRefused() {
        AgentServer agent = startMirrorAgentUnchecked();
        String body = "{\"repoId\":" + StableIds.repositoryId("PROJ", "alpha") + ",\"projectId\":"
                + StableIds.projectId("PROJ") + ",\"kinds\":[\"missing\"],\"projectKey\":\"PROJ\",\"slug\":\"../x\"}";
        String other = "{\"repoId\":" + StableIds.repositoryId("PROJ", "alpha") + ",\"projectId\":"
                + StableIds.projectId("PROJ") + ",\"kinds\":[\"missing\"],\"projectKey\":\"PROJ\",\"slug\":\"beta\"}";

        HttpResponse<byte[]> traversal = post(agent, body);
        HttpResponse<byte[]> mismatch = post(agent, other);

        assertThat(traversal.statusCode()).isEqualTo(400);
        assertThat(new String(traversal.body())).contains("projectKey/slug");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(new String(mismatch.body())).contains("not repoId " + StableIds.repositoryId("PROJ", "alpha"));
        assertThat(agent.fetchCount()).isZero();
    }

    @Test
    void anAgentWithoutUpstreamServesHashesAndAnswersResyncsWith503() throws IOException {
        AgentServer primary = startPrimaryAgent();

        HttpResponse<byte[]> answer = resync(primary, "PROJ", "alpha", "\"content\"", false);

        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(new String(answer.body())).contains("only serves hashes");
        assertThat(readListing(get(primary, "/rest/mirroring/latest/repo-hashes"), ListingKind.FULL))
                .isEqualTo(expectedListing(upstream, ListingKind.FULL));
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutAToken() {
        AgentSettings open = AgentSettings.of(mirror, null, null).withListen("0.0.0.0", 0);

        assertThatThrownBy(() -> AgentServer.start(open))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without --token-file");
    }

    @Test
    void withoutATokenOnLoopbackEverythingIsOpen() throws IOException {
        AgentServer agent =
                started(AgentServer.start(AgentSettings.of(mirror, null, null).withListen("127.0.0.1", 0)));

        HttpResponse<byte[]> listing =
                client.send(HttpRequest.newBuilder(agent.uri().resolve("/rest/mirroring/latest/repo-hashes")));

        assertThat(readListing(listing, ListingKind.FULL)).isEqualTo(expectedListing(mirror, ListingKind.FULL));
    }

    @Test
    void issue11_theTokenFileLosesItsByteOrderMarkAndSurroundingWhitespaceAndTheAgentExpectsJustTheToken()
            throws IOException {
        Path padded = Files.writeString(tmp.resolve("padded"), "\uFEFF" + TOKEN + "   \r\n");
        AgentSettings settings = AgentSettings.of(mirror, null, AgentCommand.token(padded.toString()))
                .withListen("127.0.0.1", 0);
        AgentServer agent = started(AgentServer.start(settings));

        HttpResponse<byte[]> listing = get(agent, "/rest/mirroring/latest/repo-hashes");

        assertThat(settings.token().toString()).doesNotContain(TOKEN);
        assertThat(readListing(listing, ListingKind.FULL)).isEqualTo(expectedListing(mirror, ListingKind.FULL));
    }

    @Test
    void aTokenFileThatIsEmptyBlankOrSpacedIsRefusedNamingTheOption() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        Path blank = Files.writeString(tmp.resolve("blank"), "\uFEFF  \n");
        Path spaced = Files.writeString(tmp.resolve("spaced"), "abc def\n");

        assertThatThrownBy(() -> AgentCommand.token(empty.toString()))
                .hasMessage("--token-file: " + empty + " is empty; write the token into it (one line)");
        assertThatThrownBy(() -> AgentCommand.token(blank.toString()))
                .hasMessageStartingWith("--token-file: " + blank + " holds only whitespace");
        assertThatThrownBy(() -> AgentCommand.token(spaced.toString()))
                .hasMessageStartingWith("--token-file: " + spaced + " holds a space inside the token")
                .hasMessageNotContaining("abc");
        assertThatThrownBy(() -> AgentCommand.token(tmp.resolve("none").toString()))
                .hasMessageStartingWith("--token-file: ")
                .hasMessageContaining("does not exist");
    }
}
