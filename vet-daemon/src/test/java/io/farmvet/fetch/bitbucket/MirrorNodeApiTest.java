package io.farmvet.fetch.bitbucket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.listing.ListingReader;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 section 3: the real client against a {@link FakeBitbucket.Node} over loopback, with each of its knobs.
 * Repository 5 of the listing is {@code P6/repo-5}.
 */
class MirrorNodeApiTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings listing = Listings.generated(20, 6);
    private ListingFetcher fetcher;
    private FakeServer server;
    private Duration readTimeout = Duration.ofSeconds(5);

    @AfterEach
    void close() throws Exception {
        if (fetcher != null) {
            fetcher.close();
        }
    }

    private MirrorNodeApi api(FakeBitbucket.Node node) throws Exception {
        return api(node, Auth.NONE);
    }

    private MirrorNodeApi api(FakeBitbucket.Node node, Auth auth) throws Exception {
        server = servers.serve(node.responder());
        FarmvetConfig config = new TestConfigs()
                .primary(server.url())
                .node("mirror-1", server.url(), auth)
                .readTimeout(readTimeout)
                .build();
        fetcher = new ListingFetcher(
                config.http(), new ListingReader(config.listing().limits()), 4);
        return new MirrorNodeApi(fetcher, config.nodes().get(0), "nodes[0]");
    }

    @Test
    void issue12ReadsEachAnswerWithItsValuesAndTheNodesCredentials(@TempDir Path dir) throws Exception {
        Instant lastSync = Instant.parse("2026-12-01T21:00:00Z");
        FakeBitbucket.Node fake = FakeBitbucket.node(listing)
                .syncState(5, lastSync, 4, "ERROR_AVAILABLE")
                .delayed(5, 9)
                .refChangesQueue(17);
        MirrorNodeApi api = api(fake, new Auth.Bearer(new Secret("node-token", dir.resolve("t"))));

        RepoSyncStatus status = api.repoSyncStatus(5, "P6", "repo-5");
        MirrorRepo repo = api.mirrorRepo(5);

        Listings.Repo five = listing.repos().get(4);
        assertThat(status)
                .isEqualTo(new RepoSyncStatus(
                        5,
                        five.content(),
                        five.metadata(),
                        lastSync,
                        FakeBitbucket.Node.SYNCED_AT.minus(Duration.ofDays(30)),
                        4));
        assertThat(repo).isEqualTo(new MirrorRepo(5, "ERROR_AVAILABLE", true, FakeBitbucket.Node.SYNCED_AT));
        assertThat(api.delayedSync(Duration.ofMinutes(15))).containsExactly(5L, 9L);
        assertThat(api.refChangesQueue()).isEqualTo(17);
    }

    @Test
    void issue12AnAccountWithoutAdminIsA401ThatSaysSo() throws Exception {
        MirrorNodeApi api = api(FakeBitbucket.node(listing).supportInfoStatus(401));

        assertThatThrownBy(() -> api.repoSyncStatus(5, "P6", "repo-5"))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(401);
                    assertThat(e.notOffered()).isTrue();
                    assertThat(e.getMessage())
                            .startsWith("mirror-1: GET ")
                            .contains("/rest/mirroring/latest/supportInfo/projects/P6/repos/repo-5/repoSyncStatus")
                            .contains("answered HTTP 401")
                            .endsWith("(the account of nodes[0].auth needs ADMIN on the mirror for this)");
                });
        assertThatThrownBy(api::refChangesQueue)
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(401));
        // mirrorRepos is not supportInfo: still answered.
        assertThat(api.mirrorRepo(5).status()).isEqualTo("AVAILABLE");
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 405, 500})
    void issue12EachRefusalKeepsItsStatus(int code) throws Exception {
        MirrorNodeApi api =
                api(FakeBitbucket.node(listing).delayedSyncStatus(code).mirrorReposStatus(code));

        for (var call : java.util.List.<ThrowingCall>of(
                () -> api.delayedSync(Duration.ofMinutes(15)), () -> api.mirrorRepo(5))) {
            assertThatThrownBy(call::call).isInstanceOfSatisfying(BitbucketApiException.class, e -> {
                assertThat(e.httpStatus()).isEqualTo(code);
                assertThat(e.notOffered()).isEqualTo(code != 500);
                assertThat(e.getMessage()).contains("answered HTTP " + code);
            });
        }
    }

    @Test
    void issue12AnUnknownRepositoryIs404() throws Exception {
        MirrorNodeApi api = api(FakeBitbucket.node(listing));

        assertThatThrownBy(() -> api.repoSyncStatus(5, "P6", "no-such-repo"))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> assertThat(e.httpStatus())
                        .isEqualTo(404));
    }

    @Test
    void issue12AnAnswerForAnotherRepositoryIsRefusedNotUsed() throws Exception {
        MirrorNodeApi api = api(FakeBitbucket.node(listing).wrongRepository(1000));

        assertThatThrownBy(() -> api.repoSyncStatus(5, "P6", "repo-5"))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> {
                    assertThat(e.httpStatus()).isZero();
                    assertThat(e.notOffered()).isFalse();
                    assertThat(e.getMessage())
                            .isEqualTo("mirror-1: the answer to GET rest/mirroring/latest/supportInfo/projects/P6/"
                                    + "repos/repo-5/repoSyncStatus is for repository 1005, not 5 (P6/repo-5): the"
                                    + " node's names differ from the primary's; farmvet does not use it");
                });
        assertThatThrownBy(() -> api.mirrorRepo(5)).hasMessageContaining("is for repository 1005, not 5");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not json",
                "[1,2]",
                "{}",
                "{\"externalRepoId\":\"5\",\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"lastSyncDate\":\"yesterday\",\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"lastSyncDate\":-4,\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"failedSyncCount\":-1,\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"failedSyncCount\":2.5,\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"hashes\":{\"content\":\"abc\\u0007<b>\"},\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"hashes\":[],\"status\":\"AVAILABLE\"}",
                "{\"externalRepoId\":5,\"repositoryId\":\"5\",\"status\":\"FINE\\u001b[31m\"}",
                "{\"externalRepoId\":5,\"repositoryId\":\"5\",\"status\":\"AVAILABLE\",\"available\":\"yes\"}",
                "{\"externalRepoId\":5,\"repositoryId\":\"5\"}",
            })
    void issue12AGarbledAnswerIsAClearRefusalWithoutControlCharacters(String body) throws Exception {
        MirrorNodeApi api = api(FakeBitbucket.node(listing).garbage(body));

        // Each body is wrong for at least one of the two calls; neither ever gives a value made up from it.
        BitbucketApiException sync = failure(() -> api.repoSyncStatus(5, "P6", "repo-5"));
        BitbucketApiException mirror = failure(() -> api.mirrorRepo(5));
        assertThat(sync == null && mirror == null)
                .as("both calls accepted %s", body)
                .isFalse();
        for (BitbucketApiException e : new BitbucketApiException[] {sync, mirror}) {
            if (e != null) {
                assertThat(e.getMessage())
                        .startsWith("mirror-1: the answer to GET rest/mirroring/latest/")
                        .endsWith("; farmvet does not use it")
                        .doesNotContainPattern("\\p{Cntrl}");
                assertThat(e.httpStatus()).isZero();
            }
        }
    }

    @Test
    void issue12ALongDelayedListOrAQueueCountThatIsNotANumberIsRefused() throws Exception {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 101; i++) {
            many.append(i == 0 ? "" : ",")
                    .append("{\"repositoryId\":")
                    .append(i)
                    .append('}');
        }
        MirrorNodeApi api = api(FakeBitbucket.node(listing).garbage(many + "]"));

        assertThatThrownBy(() -> api.delayedSync(Duration.ofMinutes(15)))
                .hasMessageContaining("lists 101 repositories, more than the 100 asked for");
        assertThatThrownBy(api::refChangesQueue).hasMessageContaining("has the answer that is not a whole number");
    }

    @Test
    void issue12AHugeAnswerIsCutAtItsBound() throws Exception {
        String huge = "{\"externalRepoId\":5,\"pad\":\"" + "x".repeat(MirrorNodeApi.MAX_OBJECT_BYTES) + "\"}";
        MirrorNodeApi api = api(FakeBitbucket.node(listing).garbage(huge));

        assertThatThrownBy(() -> api.repoSyncStatus(5, "P6", "repo-5"))
                .isInstanceOfSatisfying(BitbucketApiException.class, e -> {
                    assertThat(e.getMessage()).contains("answered more than 65.5 KB");
                    assertThat(e.httpStatus()).isZero();
                });
    }

    @Test
    void issue12ACallToANodeThatHangsEndsWhenCancelled() throws Exception {
        MirrorNodeApi api = api(FakeBitbucket.node(listing).stall(Duration.ofMinutes(5)));

        CompletableFuture<RepoSyncStatus> call = CompletableFuture.supplyAsync(() -> {
            try {
                return api.repoSyncStatus(5, "P6", "repo-5");
            } catch (BitbucketApiException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        await().until(() -> FakeBitbucket.Node.mirroringRequests(server) == 1);
        api.cancel();

        assertThatThrownBy(call::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(BitbucketApiException.class);
        assertThatThrownBy(api::refChangesQueue).hasMessageEndingWith("cancelled");
    }

    @Test
    void issue12ANodeSilentBeyondTheReadTimeoutIsAFailureWithoutStatus() throws Exception {
        readTimeout = Duration.ofMillis(300);
        MirrorNodeApi api = api(FakeBitbucket.node(listing).stall(Duration.ofSeconds(3)));

        assertThatThrownBy(api::refChangesQueue).isInstanceOfSatisfying(BitbucketApiException.class, e -> {
            assertThat(e.httpStatus()).isZero();
            assertThat(e.notOffered()).isFalse();
            assertThat(e.getMessage()).startsWith("mirror-1: GET ").contains("failed");
        });
    }

    private interface ThrowingCall {
        Object call() throws Exception;
    }

    private static BitbucketApiException failure(ThrowingCall call) throws Exception {
        try {
            call.call();
            return null;
        } catch (BitbucketApiException e) {
            return e;
        }
    }
}
