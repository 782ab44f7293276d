package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.farmvet.config.Auth;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.FarmvetConfig.RepositoryPath;
import io.farmvet.git.GitCli;
import io.farmvet.git.GitHttpServer;
import io.farmvet.listing.ListingEntry;
import io.farmvet.listing.ListingHandler;
import io.farmvet.listing.ListingSummary;
import io.farmvet.testing.SelfSignedTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the pressure a {@link GitListing} puts on a server (git.rate), what it counts (bytes, repositories
 * done), over real smart HTTP ({@code git http-backend}).
 */
class GitListingPressureTest {
    private static final FarmvetConfig.Http HTTP =
            new FarmvetConfig.Http(Duration.ofSeconds(5), Duration.ofSeconds(10), null);

    @TempDir
    Path root;

    private final ExecutorService reader = Executors.newSingleThreadExecutor();
    private GitHttpServer server;

    @AfterEach
    void close() throws Exception {
        reader.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    private List<RepositoryPath> repositories(int n) throws Exception {
        List<RepositoryPath> paths = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GitCli.initWithMain(root.resolve("PROJ/repo-" + i + ".git"), "repository " + i);
            paths.add(new RepositoryPath("PROJ", "repo-" + i));
        }
        server = GitHttpServer.start(root);
        return paths;
    }

    private GitListing listing(List<RepositoryPath> paths, double rate, ServerProgress progress) {
        return listing(paths, new FarmvetConfig.Git(8, paths, rate), HTTP, progress);
    }

    private GitListing listing(
            List<RepositoryPath> paths, FarmvetConfig.Git git, FarmvetConfig.Http http, ServerProgress progress) {
        String template = server.url() + "/{project}/{repo}.git";
        FarmvetConfig.Server node = new FarmvetConfig.Server(
                "mirror-1", server.url(), Auth.NONE, null, FarmvetConfig.Server.Kind.GIT, template);
        return new GitListing(node, "nodes[0]", git, git.repositories(), http, progress);
    }

    /** The times the server saw the ls-remotes start (their first request, the GET of info/refs), in order. */
    private List<Long> starts() {
        return server.requests().stream()
                .filter(r -> r.path().endsWith("/info/refs"))
                .map(GitHttpServer.Seen::nanos)
                .sorted()
                .toList();
    }

    @Test
    void issue13GitRateSpacesTheLsRemotesStartsAtMostRatePerSecond() throws Exception {
        List<RepositoryPath> paths = repositories(6);
        double rate = 10;
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / 10;

        long before = System.nanoTime();
        try (GitListing listing = listing(paths, rate, new ServerProgress("mirror-1"))) {
            listing.send();
            assertThat(listing.read(new Count()).repositories()).isEqualTo(6);
        }

        // The k-th start (from 0) cannot come before k slots of 1/rate after the read began, however noisy the
        // machine: a slower one only adds to each gap.
        List<Long> starts = starts();
        assertThat(starts).hasSize(6);
        for (int k = 0; k < starts.size(); k++) {
            assertThat(starts.get(k) - before)
                    .as("start %d of 6 at git.rate %s/s", k, rate)
                    .isGreaterThanOrEqualTo(k * intervalNanos);
        }
    }

    @Test
    void issue13ACancelDoesNotWaitOutTheRate() throws Exception {
        List<RepositoryPath> paths = repositories(3);
        ServerProgress progress = new ServerProgress("mirror-1");
        // One ls-remote every 1000 s: only the first goes out before the cancel.
        try (GitListing listing = listing(paths, 0.001, progress)) {
            listing.send();
            Future<ListingSummary> read = reader.submit(() -> listing.read(new Count()));
            // The pool's threads take the slots in any order: the first may be any of the three repositories.
            await().atMost(Duration.ofSeconds(30)).until(() -> starts().size() == 1);

            listing.cancel("vet deadline of 2s (vet.deadline) reached");

            ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                    ExecutionException.class, () -> read.get(60, TimeUnit.SECONDS));
            assertThat(e.getCause())
                    .isInstanceOf(FetchException.class)
                    .hasMessageStartingWith("mirror-1: cancelled (vet deadline of 2s (vet.deadline) reached) after ")
                    .hasMessageMatching(".* after [01] repositor(y|ies) of 3");
        }
        assertThat(starts()).hasSize(1);
    }

    @Test
    void issue13CountsTheBytesOfEveryAnswerAndTheRepositoriesDoneOfAll() throws Exception {
        List<RepositoryPath> paths = repositories(4);
        ServerProgress progress = new ServerProgress("mirror-1");
        ListingSummary summary;
        try (GitListing listing = listing(paths, FarmvetConfig.Git.UNLIMITED_RATE, progress)) {
            listing.send();
            summary = listing.read(new Count());
            assertThat(listing.bytesRead()).isEqualTo(server.bodyBytesSent());
        }

        assertThat(server.bodyBytesSent()).isPositive();
        assertThat(summary.bytes()).isEqualTo(server.bodyBytesSent());
        assertThat(progress.bytes()).isEqualTo(server.bodyBytesSent());
        assertThat(progress.repositories()).isEqualTo(4);
        assertThat(progress.expectedRepositories()).isEqualTo(4);
    }

    @Test
    void issue13OverHttpsWithAnInternalCaTheLsRemotesShareTheirConnections() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(Files.createDirectories(root.resolve("tls")));
        List<RepositoryPath> paths = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            GitCli.initWithMain(root.resolve("repos/PROJ/repo-" + i + ".git"), "repository " + i);
            paths.add(new RepositoryPath("PROJ", "repo-" + i));
        }
        server = GitHttpServer.startTls(root.resolve("repos"), tls.serverContext());
        FarmvetConfig.Http http = new FarmvetConfig.Http(Duration.ofSeconds(5), Duration.ofSeconds(10), tls.caFile());

        // One at a time: each ls-remote finds the connection the one before it left in the JDK's cache.
        try (GitListing listing = listing(
                paths,
                new FarmvetConfig.Git(1, paths, FarmvetConfig.Git.UNLIMITED_RATE),
                http,
                new ServerProgress("mirror-1"))) {
            listing.send();
            assertThat(listing.read(new Count()).repositories()).isEqualTo(6);
        }

        assertThat(server.url().getScheme()).isEqualTo("https");
        assertThat(server.requests()).hasSize(12);
        // Jetty counts a TLS connection twice (its TLS and its HTTP layer): 2 is one connection. With JGit's own TLS
        // set-up (a socket factory per connection) it counted 24, a connection per request.
        assertThat(server.connectionsOpened()).isLessThanOrEqualTo(2);
    }

    private static final class Count implements ListingHandler {
        @Override
        public void repository(ListingEntry entry) {}
    }
}
