package io.farmvet.git.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.git.GitCli;
import io.farmvet.git.GitHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: ls-remotes one after the other to one server share its HTTP connections. JGit's JDK connections go
 * through the JDK's keep-alive cache, and JGit reads each answer to its end, so nothing in farmvet has to ask for
 * it; this test keeps it so.
 */
class LsRemoteConnectionReuseTest {
    private static final Duration SECONDS_5 = Duration.ofSeconds(5);
    private static final int CALLS = 12;

    @TempDir
    Path root;

    @Test
    void issue13LsRemotesInARowShareKeptAliveConnections() throws Exception {
        GitCli.initWithMain(root.resolve("PROJ/app.git"), "first");
        try (GitHttpServer server = GitHttpServer.start(root)) {
            LsRemote lsRemote = new LsRemote("mirror-1", new LsRemote.Settings(null, null, SECONDS_5, SECONDS_5));
            for (int i = 0; i < CALLS; i++) {
                assertThat(lsRemote.list(server.repositoryUrl("PROJ/app.git")).refs())
                        .containsKey("refs/heads/main");
            }

            assertThat(server.requests()).hasSize(2 * CALLS);
            // One, unless the server or the JDK dropped an idle one in between: far fewer than a connection a call.
            assertThat(server.connectionsOpened()).isLessThanOrEqualTo(2);
        }
    }
}
