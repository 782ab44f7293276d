package io.farmvet.git.remote;

import static io.farmvet.git.FakeGitDaemon.FLUSH;
import static io.farmvet.git.FakeGitDaemon.pkt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.git.FakeGitDaemon;
import io.farmvet.git.GitCli;
import io.farmvet.git.GitDaemon;
import io.farmvet.git.RepositoryHasher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: ls-remote over git:// against the real {@code git daemon}, and against a made-up daemon for what a real
 * one never sends: each bad answer a typed failure within its bounds, never a wrong list of refs.
 */
class GitDaemonLsRemoteTest {
    private static final Duration SECONDS_5 = Duration.ofSeconds(5);
    private static final String ID_A = "a".repeat(40);
    private static final String ID_B = "b".repeat(40);

    @TempDir
    Path root;

    private GitDaemon daemon;
    private FakeGitDaemon fake;
    private Path repo;
    private String main;

    @BeforeEach
    void setUp() throws Exception {
        repo = root.resolve("PROJ/app.git");
        main = GitCli.initWithMain(repo, "first");
        GitCli.git(repo, "update-ref", "refs/heads/feature", GitCli.commit(repo, "feature", main));
        GitCli.git(repo, "tag", "-a", "v1", "-m", "release 1", main);
        GitCli.git(repo, "tag", "light", main);
        daemon = GitDaemon.start(root);
        fake = FakeGitDaemon.start();
    }

    @AfterEach
    void tearDown() {
        daemon.close();
        fake.close();
    }

    private static LsRemote client() {
        return new LsRemote("mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5));
    }

    private static TreeMap<String, String> cliRefs(Path dir, String url) {
        TreeMap<String, String> expected = new TreeMap<>();
        for (String line : GitCli.git(dir, "ls-remote", url).split("\n")) {
            String[] parts = line.split("\t");
            if (!parts[1].endsWith("^{}") && !parts[1].equals("HEAD")) {
                expected.put(parts[1], parts[0]);
            }
        }
        return expected;
    }

    @Test
    void listsWhatGitLsRemoteListsOverGitDaemon() throws Exception {
        String url = daemon.repositoryUrl("PROJ/app.git");

        AdvertisedRefs refs = client().list(url);

        assertThat(refs.refs()).isEqualTo(cliRefs(root, url)).containsEntry("refs/heads/main", main);
        assertThat(refs.head()).isEqualTo("refs/heads/main");
        assertThat(refs.bytes()).isPositive();
        assertThat(RemoteHashes.of("PROJ", "app", refs)).isEqualTo(new RepositoryHasher().hash(repo, "PROJ", "app"));
    }

    @Test
    void aDetachedHeadHashesAsTheAgentHashesIt() throws Exception {
        GitCli.git(repo, "update-ref", "--no-deref", "HEAD", main);

        AdvertisedRefs refs = client().list(daemon.repositoryUrl("PROJ/app.git"));

        assertThat(refs.head()).isEqualTo(main);
        assertThat(RemoteHashes.of("PROJ", "app", refs)).isEqualTo(new RepositoryHasher().hash(repo, "PROJ", "app"));
    }

    @Test
    void thousandsOfRefsAreListedWhole() throws Exception {
        StringBuilder updates = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            updates.append("create refs/heads/topic/")
                    .append(i)
                    .append(' ')
                    .append(main)
                    .append('\n');
        }
        GitCli.shWithInput(repo, "git update-ref --stdin", updates.toString());
        String url = daemon.repositoryUrl("PROJ/app.git");

        AdvertisedRefs refs = client().list(url);

        assertThat(refs.refs()).hasSize(5004).isEqualTo(cliRefs(root, url));
        assertThat(RemoteHashes.of("PROJ", "app", refs).contentHash()).isEqualTo(GitCli.cliContentHash(repo));
    }

    @Test
    void aRepositoryAnInformativeDaemonDoesNotHaveIsNotFound() {
        try (GitDaemon informative = GitDaemon.start(root, "--informative-errors")) {
            assertThatThrownBy(() -> client().list(informative.repositoryUrl("PROJ/nothing.git")))
                    .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                        assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.NOT_FOUND);
                        assertThat(e.getMessage()).contains("mirror-1", "PROJ/nothing.git");
                    });
        }
    }

    @Test
    void aDaemonThatDoesNotSayWhetherItLacksTheRepositoryRefusesInsteadOfCallingItMissing() {
        assertThatThrownBy(() -> client().list(daemon.repositoryUrl("PROJ/nothing.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.REFUSED);
                    assertThat(e.getMessage())
                            .contains("mirror-1", "PROJ/nothing.git", "access denied or repository not exported")
                            .contains("--informative-errors");
                });
    }

    @Test
    void nothingListeningIsAFailureNamingTheServer() throws Exception {
        int port;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            port = closed.getLocalPort();
        }

        assertThatThrownBy(() -> client().list("git://127.0.0.1:" + port + "/PROJ/app.git"))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.FAILED);
                    assertThat(e.getMessage()).startsWith("mirror-1: ls-remote git://127.0.0.1:" + port);
                });
    }

    @Test
    void asksTheDaemonForProtocolV2AndAnswersInV0WhenTheServerOnlyHasThat() throws Exception {
        fake.answer(pkt(ID_A + " HEAD\0multi_ack symref=HEAD:refs/heads/main agent=git/2.39\n")
                + pkt(ID_A + " refs/heads/main\n")
                + FLUSH);

        AdvertisedRefs refs = client().list(fake.repositoryUrl("PROJ/app.git"));

        assertThat(fake.requests())
                .singleElement()
                .isEqualTo("git-upload-pack /PROJ/app.git\0host=127.0.0.1:"
                        + fake.repositoryUrl("").replaceAll(".*:(\\d+)/$", "$1") + "\0\0version=2\0");
        assertThat(refs.refs()).containsExactly(java.util.Map.entry("refs/heads/main", ID_A));
        assertThat(refs.head()).isEqualTo("refs/heads/main");
    }

    @Test
    void capabilitiesItMadeUpAreIgnored() throws Exception {
        fake.answer(pkt(ID_A + " refs/heads/main\0multi_ack x-frobnicate=7 teleport symref=HEAD:refs/heads/main\n")
                + pkt(ID_B + " refs/tags/v1\n")
                + FLUSH);

        AdvertisedRefs refs = client().list(fake.repositoryUrl("PROJ/app.git"));

        assertThat(refs.refs()).containsEntry("refs/heads/main", ID_A).containsEntry("refs/tags/v1", ID_B);
    }

    @Test
    void aMalformedPktLineIsAFailureNotAShorterList() {
        fake.answer(pkt(ID_A + " refs/heads/main\0multi_ack\n") + "zz12" + ID_B + " refs/heads/other\n" + FLUSH);

        assertThatThrownBy(() -> client().list(fake.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.FAILED);
                    assertThat(e.getMessage()).contains("mirror-1: ls-remote git://");
                });
    }

    @Test
    void anAdvertisementCutShortIsAFailure() {
        fake.answer(pkt(ID_A + " refs/heads/main\0multi_ack\n")
                + pkt(ID_B + " refs/heads/other\n").substring(0, 20));

        assertThatThrownBy(() -> new LsRemote(
                                "mirror-1",
                                new LsRemote.Settings(null, null, SECONDS_5, Duration.ofMillis(500))
                                        .withTimeout(Duration.ofSeconds(2)))
                        .list(fake.repositoryUrl("PROJ/app.git")))
                .isInstanceOf(LsRemoteException.class);
    }

    @Test
    void refNamesGitRejectsFailTheListingInsteadOfHashingThem() {
        for (String odd : new String[] {"refs/heads/with space", "refs/heads/tab\there", "refs/heads/a..b"}) {
            fake.answer(pkt(ID_A + " refs/heads/main\0multi_ack\n") + pkt(ID_B + " " + odd + "\n") + FLUSH);

            assertThatThrownBy(() -> client().list(fake.repositoryUrl("PROJ/app.git")))
                    .as(odd)
                    .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                        assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.FAILED);
                        assertThat(e.getMessage())
                                .contains("advertised a ref name git rejects", odd.replace("\t", "\\u0009"));
                    });
        }
    }

    @Test
    void aNameGitAcceptsThoughUnusualIsListed() throws Exception {
        fake.answer(pkt(ID_A + " refs/heads/main\0multi_ack\n") + pkt(ID_B + " refs/heads/ünïcode-ブランチ\n") + FLUSH);

        assertThat(client().list(fake.repositoryUrl("PROJ/app.git")).refs())
                .containsEntry("refs/heads/ünïcode-ブランチ", ID_B);
    }

    @Test
    void aStalledDaemonEndsInTimedOut() {
        fake.stall();
        LsRemote impatient = new LsRemote(
                "mirror-1",
                new LsRemote.Settings(null, null, SECONDS_5, Duration.ofSeconds(30))
                        .withTimeout(Duration.ofMillis(500)));

        assertThatThrownBy(() -> impatient.list(fake.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TIMED_OUT);
                    assertThat(e.getMessage()).contains("mirror-1", "no answer within", "timeout 500ms");
                });
    }

    @Test
    void anInterruptEndsACallBlockedOnAStalledDaemon() throws Exception {
        fake.stall();
        LsRemote patient = new LsRemote(
                "mirror-1",
                new LsRemote.Settings(null, null, SECONDS_5, Duration.ofMinutes(10))
                        .withTimeout(Duration.ofMinutes(10)));
        java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread call = new Thread(() -> {
            try {
                patient.list(fake.repositoryUrl("PROJ/app.git"));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        call.start();
        org.awaitility.Awaitility.await().until(() -> !fake.requests().isEmpty());

        call.interrupt();

        // Well within the call's 10 minutes: the interrupt, not a timeout, ended it.
        assertThat(outcome.get(60, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(LsRemoteException.class)
                .hasMessageContaining("mirror-1: ls-remote git://");
    }

    @Test
    void aHugeAdvertisementIsCutAtTheByteBound() {
        fake.huge(64L << 20);
        LsRemote bounded = new LsRemote(
                "mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5).withLimits(1_000_000, 1L << 20));

        assertThatThrownBy(() -> bounded.list(fake.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TOO_LARGE);
                    assertThat(e.getMessage()).contains("larger than 1.0 MB");
                });
    }

    @Test
    void aLocalPathIsNeverListed() {
        assertThatThrownBy(() -> client().list(repo.toString()))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> assertThat(e.getMessage())
                        .contains("over https://, http://, ssh:// and git:// only"));
        assertThatThrownBy(() -> client().list(repo.toUri().toString())).isInstanceOf(LsRemoteException.class);
    }
}
