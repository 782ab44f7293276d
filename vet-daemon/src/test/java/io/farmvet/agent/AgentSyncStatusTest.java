package io.farmvet.agent;

import static io.farmvet.git.GitCli.cloneMirror;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.bitbucket.BitbucketApiException;
import io.farmvet.fetch.bitbucket.MirrorNodeApi;
import io.farmvet.fetch.bitbucket.MirrorRepo;
import io.farmvet.fetch.bitbucket.PrimaryRepo;
import io.farmvet.fetch.bitbucket.PrimaryRepoApi;
import io.farmvet.fetch.bitbucket.RepoSyncStatus;
import io.farmvet.git.RepositoryHasher;
import io.farmvet.git.RepositoryHashes;
import io.farmvet.git.StableIds;
import io.farmvet.listing.ListingReader;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.testing.TestConfigs;
import io.farmvet.testing.TestHttp;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 section 3: the agent answers Bitbucket's {@code repoSyncStatus}, {@code mirrorRepos/{id}}, {@code
 * mirrorRepos/delayed-sync} and {@code refChangesQueue/count} for its repositories with what it knows of their
 * resyncs, read here by the same client that reads Bitbucket's mirrors, over real HTTP, on real repositories.
 */
class AgentSyncStatusTest {
    private static final String TOKEN = "s3cret-agent-token";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Path upstream;
    private Path mirror;
    private AgentServer agent;
    private ListingFetcher fetcher;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final TestHttp http = new TestHttp(WAIT);

    @BeforeEach
    void createFarm() throws Exception {
        upstream = Files.createDirectories(tmp.resolve("upstream"));
        mirror = Files.createDirectories(tmp.resolve("mirror"));
        for (String name : List.of("PROJ/alpha", "PROJ/beta")) {
            Path repo = upstream.resolve(name + ".git");
            initWithMain(repo, name);
            cloneMirror(repo, mirror.resolve(name + ".git"));
        }
        Path token = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
        agent = AgentServer.start(
                AgentSettings.of(mirror, upstream + "/{project}/{repo}.git", AgentCommand.token(token.toString()))
                        .withListen("127.0.0.1", 0));
        closing.add(agent);
        FarmvetConfig config = new TestConfigs().primary(agent.uri()).build();
        fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), 2);
        closing.add(fetcher);
        await().atMost(WAIT).until(() -> agent.state().equals("SYNCHRONIZED"));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private MirrorNodeApi api(Auth auth) {
        return new MirrorNodeApi(fetcher, new FarmvetConfig.Server("node-1", agent.uri(), auth), "nodes[0]");
    }

    private MirrorNodeApi api() {
        return api(new Auth.Bearer(new Secret(TOKEN, tmp.resolve("token"))));
    }

    private void resync(String projectKey, String slug) {
        String body = "{\"repoId\":" + StableIds.repositoryId(projectKey, slug) + ",\"projectId\":"
                + StableIds.projectId(projectKey) + ",\"kinds\":[\"content\"],\"projectKey\":\"" + projectKey
                + "\",\"slug\":\"" + slug + "\"}";
        int status = http.send(TestHttp.request(agent.uri().resolve(AgentResync.PATH), TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)))
                .statusCode();
        assertThat(status).isEqualTo(202);
        await().atMost(WAIT).until(() -> agent.state().equals("SYNCHRONIZED"));
    }

    @Test
    void issue12ARepositoryNotResyncedYetIsSyncedAsOfItsLastFetchWithItsOwnHashes() throws Exception {
        Path alpha = mirror.resolve("PROJ/alpha.git");
        Instant fetched = Instant.parse("2026-11-30T08:00:00Z");
        Files.writeString(alpha.resolve("FETCH_HEAD"), "");
        Files.setLastModifiedTime(alpha.resolve("FETCH_HEAD"), FileTime.from(fetched));
        long id = StableIds.repositoryId("PROJ", "alpha");

        RepoSyncStatus status = api().repoSyncStatus(id, "PROJ", "alpha");

        RepositoryHashes hashes = new RepositoryHasher().hash(alpha, "PROJ", "alpha");
        assertThat(status)
                .isEqualTo(new RepoSyncStatus(id, hashes.contentHash(), hashes.metadataHash(), fetched, null, 0));
        assertThat(api().mirrorRepo(id)).isEqualTo(new MirrorRepo(id, "AVAILABLE", true, null));
        assertThat(api().refChangesQueue()).isZero();
        assertThat(api().delayedSync(Duration.ofMinutes(15))).isEmpty();
    }

    @Test
    void issue12AGoodResyncIsTheLastAndFirstSyncAndAFailedOneCountsAndShowsAsAnError() throws Exception {
        long id = StableIds.repositoryId("PROJ", "beta");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        resync("PROJ", "beta");
        Instant after = Instant.now();

        RepoSyncStatus synced = api().repoSyncStatus(id, "PROJ", "beta");
        assertThat(synced.failedSyncCount()).isZero();
        assertThat(synced.lastSyncDate()).isBetween(before, after).isEqualTo(synced.initialSyncDate());

        // The upstream goes away: the next two resyncs fail, and the first good one stays the initial sync.
        Files.move(upstream.resolve("PROJ/beta.git"), tmp.resolve("beta-gone.git"));
        resync("PROJ", "beta");
        resync("PROJ", "beta");

        RepoSyncStatus failing = api().repoSyncStatus(id, "PROJ", "beta");
        assertThat(failing.failedSyncCount()).isEqualTo(2);
        assertThat(failing.lastSyncDate()).isEqualTo(synced.lastSyncDate());
        assertThat(failing.initialSyncDate()).isEqualTo(synced.initialSyncDate());
        assertThat(api().mirrorRepo(id).status()).isEqualTo("ERROR_AVAILABLE");
        // Failing, but synced within the last minute: not delayed yet by a one-minute threshold.
        assertThat(api().delayedSync(Duration.ofMinutes(1))).isEmpty();
        assertThat(api().mirrorRepo(StableIds.repositoryId("PROJ", "alpha")).status())
                .isEqualTo("AVAILABLE");
    }

    @Test
    void issue12ARepositoryWhoseCloneFailsIsErrorInitializingAndDelayed() throws Exception {
        long id = StableIds.repositoryId("NEW", "nowhere");
        resync("NEW", "nowhere");

        assertThat(api().mirrorRepo(id)).isEqualTo(new MirrorRepo(id, "ERROR_INITIALIZING", false, null));
        assertThat(api().delayedSync(Duration.ofMinutes(1))).containsExactly(id);
        assertThatThrownBy(() -> api().repoSyncStatus(id, "NEW", "nowhere"))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(404));
    }

    @Test
    void issue12TheEndpointsNeedTheTokenAndAnUnknownRepositoryIs404() {
        assertThatThrownBy(() -> api(Auth.NONE).mirrorRepo(1))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(401));
        assertThatThrownBy(() -> api().mirrorRepo(12345))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(404));
        assertThatThrownBy(() -> api().repoSyncStatus(1, "PROJ", "no-such"))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(404));
    }

    @Test
    void issue12TheAgentAnswersAPrimarysReposIdWithTheRepositorysNameAndHashesNow() throws Exception {
        long id = StableIds.repositoryId("PROJ", "beta");
        PrimaryRepoApi primary = new PrimaryRepoApi(
                fetcher,
                new FarmvetConfig.Server(
                        "primary", agent.uri(), new Auth.Bearer(new Secret(TOKEN, tmp.resolve("token")))));

        RepositoryHashes hashes = new RepositoryHasher().hash(mirror.resolve("PROJ/beta.git"), "PROJ", "beta");
        assertThat(primary.repository(id))
                .isEqualTo(new PrimaryRepo(
                        id, StableIds.projectId("PROJ"), "PROJ", "beta", hashes.contentHash(), hashes.metadataHash()));
        assertThatThrownBy(() -> primary.repository(id + 1))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(404));
        PrimaryRepoApi anonymous =
                new PrimaryRepoApi(fetcher, new FarmvetConfig.Server("primary", agent.uri(), Auth.NONE));
        assertThatThrownBy(() -> anonymous.repository(id))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(401));
    }
}
