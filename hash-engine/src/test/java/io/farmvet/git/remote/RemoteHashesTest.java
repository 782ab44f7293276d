package io.farmvet.git.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.git.GitCli;
import io.farmvet.git.GitHttpServer;
import io.farmvet.git.RepositoryHasher;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a repository listed over smart HTTP hashes exactly as the agent hashes it on disk, so agents and servers
 * of kind {@code git} sit in one farm.
 */
class RemoteHashesTest {
    private static final Duration SECONDS_5 = Duration.ofSeconds(5);

    @TempDir
    Path root;

    private GitHttpServer server;
    private Path repo;

    @BeforeEach
    void setUp() throws Exception {
        repo = root.resolve("PROJ/app.git");
        String main = GitCli.initWithMain(repo, "first");
        GitCli.git(repo, "update-ref", "refs/heads/feature", GitCli.commit(repo, "feature", main));
        GitCli.git(repo, "tag", "-a", "v1", "-m", "release 1", main);
        GitCli.git(repo, "tag", "light", main);
        // Outside the hash's prefixes: advertised, never a line.
        GitCli.git(repo, "update-ref", "refs/pull/1/head", main);
        GitCli.git(repo, "symbolic-ref", "HEAD", "refs/heads/feature");
        server = GitHttpServer.start(root);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
    }

    @Test
    void hashesOverTheProtocolEqualTheAgentsOnDisk() throws Exception {
        AdvertisedRefs advertised = new LsRemote("mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5))
                .list(server.repositoryUrl("PROJ/app.git"));

        assertThat(RemoteHashes.of("PROJ", "app", advertised))
                .isEqualTo(new RepositoryHasher().hash(repo, "PROJ", "app"));
        assertThat(RemoteHashes.of("PROJ", "app", advertised).contentHash()).isEqualTo(GitCli.cliContentHash(repo));
    }

    @Test
    void anEmptyRepositoryHashesTheEmptyInputAsTheAgentDoes() throws Exception {
        Path empty = GitCli.initBare(root.resolve("PROJ/empty.git"));
        AdvertisedRefs advertised = new LsRemote("mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5))
                .list(server.repositoryUrl("PROJ/empty.git"));

        assertThat(RemoteHashes.of("PROJ", "empty", advertised).contentHash()).isEqualTo(GitCli.EMPTY_INPUT_SHA256);
        assertThat(RemoteHashes.of("PROJ", "empty", advertised).contentHash())
                .isEqualTo(new RepositoryHasher().hash(empty, "PROJ", "empty").contentHash());
    }
}
