package io.farmvet.git.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.git.GitCli;
import io.farmvet.git.GitSshServer;
import io.farmvet.git.RepositoryHasher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: ls-remote over ssh:// against a real SSH server running the real {@code git upload-pack}: one key, one
 * known_hosts file checked strictly, and every way that check or the login can fail named precisely.
 */
class SshLsRemoteTest {
    private static final Duration SECONDS_10 = Duration.ofSeconds(10);

    @TempDir
    Path root;

    @TempDir
    Path keys;

    private GitSshServer server;
    private Path repo;
    private String main;
    private Path keyFile;
    private Path knownHosts;

    @BeforeEach
    void setUp() throws Exception {
        repo = root.resolve("PROJ/app.git");
        main = GitCli.initWithMain(repo, "first");
        GitCli.git(repo, "tag", "-a", "v1", "-m", "release 1", main);
        GitCli.git(repo, "update-ref", "refs/heads/feature", GitCli.commit(repo, "feature", main));
        server = GitSshServer.start(root);
        keyFile = server.writeClientKey(keys.resolve("id_farmvet"));
        knownHosts = server.writeKnownHosts(keys.resolve("known_hosts"));
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    private LsRemote client(Path key, Path hosts) {
        return new LsRemote(
                "mirror-2",
                new LsRemote.Settings(null, null, SECONDS_10, SECONDS_10).withSsh(new SshIdentity(key, hosts)));
    }

    @Test
    void aGoodKeyAndAKnownHostGiveTheRefsTheAgentHashes() throws Exception {
        AdvertisedRefs refs = client(keyFile, knownHosts).list(server.repositoryUrl("PROJ/app.git"));

        assertThat(refs.refs())
                .containsEntry("refs/heads/main", main)
                .containsEntry(
                        "refs/tags/v1",
                        GitCli.git(repo, "rev-parse", "refs/tags/v1").trim())
                .hasSize(3);
        assertThat(refs.head()).isEqualTo("refs/heads/main");
        assertThat(refs.bytes()).isPositive();
        assertThat(RemoteHashes.of("PROJ", "app", refs)).isEqualTo(new RepositoryHasher().hash(repo, "PROJ", "app"));
        assertThat(server.commands()).containsExactly("git-upload-pack '/PROJ/app.git'");
    }

    @Test
    void nothingNextToTheKeyIsRead() throws Exception {
        // What JGit would read from an ~/.ssh: a config sending the host elsewhere, a known_hosts trusting the key
        // the server will show after the change, a default identity. None of it may count.
        Files.writeString(keys.resolve("config"), "Host 127.0.0.1\n  HostName 192.0.2.1\n  Port 1\n");
        Path strict = Files.copy(knownHosts, root.resolve("strict_known_hosts"));
        server.changeHostKey();
        server.writeKnownHosts(keys.resolve("known_hosts"));
        server.writeKnownHosts(keys.resolve("known_hosts2"));
        GitSshServer.writePrivateKey(GitSshServer.newKeyPair(), keys.resolve("id_ecdsa"));

        assertThatThrownBy(() -> client(keyFile, strict).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> assertThat(e.getMessage())
                        .contains("CHANGED", strict.toString(), server.hostKeyFingerprint()));
    }

    @Test
    void aChangedHostKeyFailsNamingTheHostTheFileAndTheFingerprintSeen() {
        server.changeHostKey();

        assertThatThrownBy(() -> client(keyFile, knownHosts).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.FAILED);
                    assertThat(e.getMessage())
                            .startsWith("mirror-2: ls-remote " + server.repositoryUrl("PROJ/app.git"))
                            .contains("[127.0.0.1]:" + server.port(), "CHANGED", knownHosts.toString())
                            .contains(server.hostKeyFingerprint())
                            .contains("ssh-keyscan -p " + server.port() + " 127.0.0.1", "administrator");
                });
        assertThat(server.commands()).isEmpty();
    }

    @Test
    void anUnknownHostIsNeverAcceptedAndTheFileIsLeftAlone() throws Exception {
        Files.writeString(knownHosts, "[127.0.0.1]:1 " + server.knownHostsLine().split(" ", 2)[1] + "\n");
        String before = Files.readString(knownHosts);

        assertThatThrownBy(() -> client(keyFile, knownHosts).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.FAILED);
                    assertThat(e.getMessage())
                            .contains("is not in " + knownHosts, server.hostKeyFingerprint(), "ssh-keyscan");
                });
        assertThat(Files.readString(knownHosts)).isEqualTo(before);
        assertThat(server.commands()).isEmpty();
    }

    @Test
    void aRevokedHostKeyIsRefusedThoughAlsoListedAsKnown() throws Exception {
        Files.writeString(knownHosts, server.knownHostsLine() + "\n@revoked " + server.knownHostsLine() + "\n");

        assertThatThrownBy(() -> client(keyFile, knownHosts).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> assertThat(e.getMessage())
                        .contains("@revoked", knownHosts.toString(), server.hostKeyFingerprint()));
    }

    @Test
    void aHashedKnownHostsLineAsSshKeyscanHWritesItIsMatched() throws Exception {
        // OpenSSH's HashKnownHosts form: |1|base64(salt)|base64(HMAC-SHA1(salt, "[host]:port")).
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(("[127.0.0.1]:" + server.port()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.util.Base64.Encoder base64 = java.util.Base64.getEncoder();
        Files.writeString(
                knownHosts,
                "|1|" + base64.encodeToString(salt) + "|" + base64.encodeToString(hash) + " "
                        + server.knownHostsLine().split(" ", 2)[1] + "\n");

        assertThat(client(keyFile, knownHosts)
                        .list(server.repositoryUrl("PROJ/app.git"))
                        .refs())
                .containsEntry("refs/heads/main", main);
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefused() {
        Path otherKey = GitSshServer.writePrivateKey(GitSshServer.newKeyPair(), keys.resolve("id_other"));

        assertThatThrownBy(() -> client(otherKey, knownHosts).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.REFUSED);
                    assertThat(e.getMessage()).contains("mirror-2", "refused", otherKey.toString());
                });
    }

    @Test
    void aRepositoryTheServerDoesNotHaveIsNotFound() {
        assertThatThrownBy(() -> client(keyFile, knownHosts).list(server.repositoryUrl("PROJ/nothing.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains("PROJ/nothing.git");
                });
    }

    @Test
    void aStalledCommandEndsInTimedOut() {
        server.stall();
        LsRemote impatient = new LsRemote(
                "mirror-2",
                new LsRemote.Settings(null, null, SECONDS_10, Duration.ofSeconds(1))
                        .withTimeout(Duration.ofSeconds(2))
                        .withSsh(new SshIdentity(keyFile, knownHosts)));

        assertThatThrownBy(() -> impatient.list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TIMED_OUT);
                    assertThat(e.getMessage()).contains("mirror-2", "no answer within");
                });
    }

    @Test
    void theByteBoundHoldsOverSshToo() {
        LsRemote bounded = new LsRemote(
                "mirror-2",
                new LsRemote.Settings(null, null, SECONDS_10, SECONDS_10)
                        .withLimits(1000, 64)
                        .withSsh(new SshIdentity(keyFile, knownHosts)));

        assertThatThrownBy(() -> bounded.list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> {
                    assertThat(e.reason()).isEqualTo(LsRemoteException.Reason.TOO_LARGE);
                    assertThat(e.getMessage()).contains("larger than 64 B");
                });
    }

    @Test
    void aMissingKeyFileNamesTheFile() {
        Path missing = keys.resolve("id_missing");

        assertThatThrownBy(() -> client(missing, knownHosts).list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(
                        LsRemoteException.class, e -> assertThat(e.getMessage()).contains(missing + " does not exist"));
        assertThatThrownBy(() -> new SshIdentity(keyFile, keys.resolve("nope")).check())
                .isInstanceOf(SshIdentity.Unusable.class)
                .hasMessageContaining(keys.resolve("nope") + " does not exist");
    }

    @Test
    void aPublicKeyGivenAsTheKeyFileIsNamedForWhatItIs() throws Exception {
        Path publicKey = Files.writeString(
                keys.resolve("id_farmvet.pub"), server.knownHostsLine().split(" ", 2)[1]);

        assertThatThrownBy(() -> new SshIdentity(publicKey, knownHosts).check())
                .isInstanceOf(SshIdentity.Unusable.class)
                .hasMessageContaining(publicKey.toString());
    }

    @Test
    void anSshUrlWithoutAnIdentityFailsSayingWhatToSet() {
        assertThatThrownBy(() -> new LsRemote("mirror-2", new LsRemote.Settings(null, null, SECONDS_10, SECONDS_10))
                        .list(server.repositoryUrl("PROJ/app.git")))
                .isInstanceOfSatisfying(LsRemoteException.class, e -> assertThat(e.getMessage())
                        .contains("auth.ssh", "key-file", "known-hosts-file"));
    }
}
