package io.farmvet.git.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.git.GitCli;
import io.farmvet.git.GitHttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process ls-remote against real bare repositories served by real {@code git http-backend} (issue 12). */
class LsRemoteTest {
    private static final Duration SECONDS_5 = Duration.ofSeconds(5);

    @TempDir
    Path root;

    private GitHttpServer server;
    private Path repo;
    private String main;
    private String tag;

    @BeforeEach
    void setUp() throws Exception {
        repo = root.resolve("PROJ/app.git");
        main = GitCli.initWithMain(repo, "first");
        GitCli.git(repo, "update-ref", "refs/heads/feature", GitCli.commit(repo, "feature", main));
        GitCli.git(repo, "tag", "-a", "v1", "-m", "release 1", main);
        GitCli.git(repo, "tag", "light", main);
        tag = GitCli.git(repo, "rev-parse", "refs/tags/v1").trim();
        server = GitHttpServer.start(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private static LsRemote client(String authorization) {
        return new LsRemote("mirror-1", new LsRemote.Settings(authorization, null, SECONDS_5, SECONDS_5));
    }

    @Test
    void listsWhatGitLsRemoteListsWithoutPeeledLinesAndTheHeadSymref() throws Exception {
        AdvertisedRefs refs = client(null).list(server.repositoryUrl("PROJ/app.git"));

        TreeMap<String, String> expected = new TreeMap<>();
        for (String line : GitCli.git(root, "ls-remote", server.repositoryUrl("PROJ/app.git"))
                .split("\n")) {
            String[] parts = line.split("\t");
            if (!parts[1].endsWith("^{}") && !parts[1].equals("HEAD")) {
                expected.put(parts[1], parts[0]);
            }
        }
        assertThat(refs.refs()).isEqualTo(expected);
        assertThat(refs.refs())
                .containsEntry("refs/tags/v1", tag)
                .containsEntry("refs/tags/light", main)
                .containsEntry("refs/heads/main", main)
                .doesNotContainKey("refs/tags/v1^{}");
        assertThat(tag).isNotEqualTo(main);
        assertThat(refs.head()).isEqualTo("refs/heads/main");
        assertThat(refs.bytes()).isPositive();
    }

    @Test
    void speaksProtocolV2WhereTheServerHasIt() throws Exception {
        client(null).list(server.repositoryUrl("PROJ/app.git"));

        assertThat(server.requests()).first().satisfies(first -> assertThat(first.gitProtocol())
                .contains("version=2"));
        assertThat(server.requests()).anySatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).endsWith("/git-upload-pack");
        });
    }

    @Test
    void issue13CountsTheBytesOfBothAnswersAsTheServerSentThem() throws Exception {
        AdvertisedRefs refs = client(null).list(server.repositoryUrl("PROJ/app.git"));

        assertThat(server.requests()).hasSize(2);
        assertThat(refs.bytes()).isPositive().isEqualTo(server.bodyBytesSent());
    }

    @Test
    void sendsABearerTokenWithTheFirstRequest() throws Exception {
        server.requireAuthorization("Bearer s3cret-token");

        AdvertisedRefs refs = client("Bearer s3cret-token").list(server.repositoryUrl("PROJ/app.git"));

        assertThat(refs.refs()).containsEntry("refs/heads/main", main);
        assertThat(server.requests())
                .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer s3cret-token"));
    }

    @Test
    void sendsBasicCredentialsPreemptively() throws Exception {
        String basic =
                "Basic " + Base64.getEncoder().encodeToString("farmvet:pa55word".getBytes(StandardCharsets.UTF_8));
        server.requireAuthorization(basic);

        client(basic).list(server.repositoryUrl("PROJ/app.git"));

        assertThat(server.requests()).first().satisfies(r -> assertThat(r.authorization())
                .isEqualTo(basic));
    }

    @Test
    void aRefusalIsTypedAndNamesTheServerAndRepositoryWithoutTheSecret() {
        server.requireAuthorization("Bearer right-token");

        assertThatThrownBy(() -> client("Bearer wrong-token-1234").list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.REFUSED);
                    assertThat(e.getMessage())
                            .startsWith("mirror-1: ls-remote " + server.repositoryUrl("PROJ/app.git"))
                            .contains("HTTP 401", "credentials")
                            .doesNotContain("wrong-token-1234");
                });
    }

    @Test
    void forbiddenIsARefusalToo() {
        server.failWith(403);

        assertThatThrownBy(() -> client(null).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> assertThat(e.reason())
                        .isEqualTo(LsRemoteException.Reason.REFUSED));
    }

    @Test
    void aRepositoryTheServerDoesNotHaveIsNotFound() {
        assertThatThrownBy(() -> client(null).list(server.repositoryUrl("PROJ/nothing.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains("PROJ/nothing.git");
                });
    }

    @Test
    void aPasswordInTheUrlNeverReachesTheMessage() {
        server.failWith(500);
        String url = server.repositoryUrl("PROJ/app.git").replace("http://", "http://farmvet:hunter2pw@");

        assertThatThrownBy(() -> client(null).list(url))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> assertThat(e.getMessage())
                        .doesNotContain("hunter2pw")
                        .contains("***@"));
    }

    @Test
    void aStalledServerEndsInTimedOut() {
        server.stall();
        LsRemote impatient = new LsRemote(
                "mirror-1",
                new LsRemote.Settings(null, null, SECONDS_5, Duration.ofMillis(300))
                        .withTimeout(Duration.ofMillis(500)));

        assertThatThrownBy(() -> impatient.list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TIMED_OUT);
                    assertThat(e.getMessage()).contains("mirror-1", "no answer within");
                });
    }

    @Test
    void aHugeAdvertisementIsCutAtTheByteBound() {
        server.hugeAdvertisement(4L << 20);
        LsRemote bounded = new LsRemote(
                "mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5).withLimits(1_000_000, 1L << 20));

        assertThatThrownBy(() -> bounded.list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TOO_LARGE);
                    assertThat(e.getMessage()).contains("larger than 1.0 MB");
                });
    }

    @Test
    void moreRefsThanAllowedAreRefused() {
        LsRemote bounded = new LsRemote(
                "mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5).withLimits(3, 1L << 20));

        assertThatThrownBy(() -> bounded.list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TOO_LARGE);
                    assertThat(e.getMessage()).contains("advertised 4 refs, more than the 3 allowed");
                });
    }
}
