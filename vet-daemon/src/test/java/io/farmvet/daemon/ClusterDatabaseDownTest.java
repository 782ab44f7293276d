package io.farmvet.daemon;

import static io.farmvet.daemon.ClusterApi.awaitFinished;
import static io.farmvet.daemon.ClusterApi.startVet;
import static io.farmvet.daemon.ClusterApi.vetId;
import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.repair.send.AgentResync;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: the state database goes away in the middle of a vet whose repairs are slow (the node holds its first
 * resync answer). The vet sends nothing more, its report names the state error, the daemon keeps serving; once
 * the database is back the next vet repairs normally, and every ledger row committed before is still there.
 */
class ClusterDatabaseDownTest {
    private static final String RESYNC = AgentResync.PATH;
    private static final List<Long> DRIFTED = List.of(5L, 7L, 9L);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Listings farm = Listings.generated(300, 4);
    private final AtomicBoolean answering = new AtomicBoolean(false);
    private final CountDownLatch held = new CountDownLatch(1);
    private final AtomicReference<String> listing =
            new AtomicReference<>(drifted(List.of()).shuffledJson(1));
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Path data;
    private int port;
    private EmbeddedPostgres postgres;
    private FakeServer node;
    private URI daemon;

    @BeforeEach
    void start() throws Exception {
        data = dir.resolve("pgdata");
        postgres = postgres(0);
        port = postgres.getPort();
        FakeServer primary = FakeServer.start(FakeServer.json(farm.json()));
        closeables.add(primary);
        FakeServer.Responder resync = (request, out) -> {
            if (!answering.get()) {
                held.await(120, TimeUnit.SECONDS); // released by the test, or when it ends
            }
            FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}").respond(request, out);
        };
        node = FakeServer.start(FakeServer.node(
                "SYNCHRONIZED", FakeServer.route(RESYNC, resync, (request, out) -> FakeServer.json(listing.get())
                        .respond(request, out))));
        closeables.add(node);
        String url = postgres.getJdbcUrl("postgres", "postgres");
        url = url.substring(0, url.indexOf('?'));
        Path home = Files.createDirectories(dir.resolve("a"));
        Files.writeString(home.resolve("db.password"), "unused-with-trust-auth\n");
        DaemonHarness config = new DaemonHarness(home)
                .config(
                        primary.url(),
                        NEVER,
                        // One request at a time, so the held answer keeps the others waiting behind it.
                        "repair:\n  mode: agent\n  settle: 0s\n  timeout: 60s\n  concurrency: 1\n"
                                + "state:\n  dir: state\n  database:\n    url: " + url
                                + "\n    username: postgres\n    password-file: db.password\n",
                        "mirror-1=" + node.url());
        ChildDaemon child = ChildDaemon.start(config.configFile);
        closeables.add(child);
        daemon = child.url();
    }

    @AfterEach
    void stop() throws Exception {
        held.countDown();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theDatabaseRestartedMidVetStopsItsRepairsAndTheNextVetRepairsTheRest() throws Exception {
        String before = vetId(startVet(daemon, "{\"dryRun\": true}"), 202);
        assertThat(awaitFinished(daemon, before).get("status").asText()).isEqualTo("inconsistent");
        String vet = vetId(startVet(daemon, ""), 202);
        await("the first repair in flight at the node", () -> resyncs() == 1);

        postgres.close();
        postgres = null;
        // The daemon keeps serving while its state is away.
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
        // The cluster status notices within its refresh period and the pool's connect timeout.
        Awaitility.await("/-/ready to name the state database")
                .atMost(Duration.ofSeconds(90))
                .until(() -> {
                    HttpResponse<String> ready = get("/-/ready");
                    return ready.statusCode() == 503 && ready.body().contains("state database");
                });
        postgres = postgres(port);

        answering.set(true);
        held.countDown();
        JsonNode report = awaitFinished(daemon, vet);
        assertThat(report.get("repairError").asText())
                .contains("repairs stopped for this vet")
                .contains("(state.database)");
        assertThat(resyncs()).as("nothing sent after the database went away").isEqualTo(1);
        List<String> rows = ledger();
        assertThat(rows).as("the request sent has its row, pending").hasSize(1);
        long sent = Long.parseLong(rows.get(0).split(" ")[0]);
        assertThat(rows.get(0)).endsWith(" pending");
        assertThat(report.get("nodes").get(0).get("repairs"))
                .extracting(
                        r -> r.get("repoId").asLong() + " " + r.get("outcome").asText())
                .containsExactlyInAnyOrderElementsOf(
                        DRIFTED.stream().map(id -> id + " failed").toList());

        // The database is back: the node caught up on the repair sent; the next vet verifies it and sends the rest.
        listing.set(drifted(List.of(sent)).shuffledJson(2));
        Awaitility.await("/-/ready again")
                .atMost(Duration.ofSeconds(90))
                .until(() -> get("/-/ready").statusCode() == 200);
        JsonNode next = awaitFinished(daemon, vetId(startVet(daemon, ""), 202));
        assertThat(next.path("repairError").isNull()).as(next.toString()).isTrue();
        assertThat(next.get("nodes").get(0).get("repairs"))
                .extracting(
                        r -> r.get("repoId").asLong() + " " + r.get("outcome").asText())
                .containsExactlyInAnyOrderElementsOf(DRIFTED.stream()
                        .map(id -> id + (id == sent ? " repaired" : " sent"))
                        .toList());
        assertThat(resyncs()).isEqualTo(3);
        assertThat(ledger()).hasSize(3).contains(sent + " repaired");
        assertThat(awaitFinished(daemon, before).get("status").asText())
                .as("the history committed before the stop")
                .isEqualTo("inconsistent");
    }

    @Test
    void aVetWhoseLockSessionIsKilledSendsNothingMore() throws Exception {
        String vet = vetId(startVet(daemon, ""), 202);
        await("the first repair in flight at the node", () -> resyncs() == 1);
        // The database drops the lock's session (an operator, or a failover of PostgreSQL): the ledger's pool
        // connection is fine, so only the lock says that another instance may now vet beside this one.
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_terminate_backend(backend_pid) FROM vet_lock_holder")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getBoolean(1)).isTrue();
        }
        answering.set(true);
        held.countDown();
        JsonNode report = awaitFinished(daemon, vet);
        assertThat(report.get("repairError").asText())
                .contains("lost the cluster's vet lock")
                .contains("(state.database)");
        assertThat(resyncs()).isEqualTo(1);
        assertThat(ledger()).as("the one sent, answered").hasSize(1).allMatch(row -> row.endsWith(" pending"));
        assertThat(report.get("nodes").get(0).get("repairs"))
                .extracting(r -> r.get("outcome").asText())
                .containsExactlyInAnyOrder("sent", "failed", "failed");
    }

    private Listings drifted(List<Long> caughtUp) {
        Listings listings = farm;
        for (long id : DRIFTED) {
            if (!caughtUp.contains(id)) {
                int n = (int) id;
                listings = listings.with(
                        n, r -> new Listings.Repo(r.project(), n, Listings.hash("stale", n), r.metadata()));
            }
        }
        return listings;
    }

    private EmbeddedPostgres postgres(int port) throws IOException {
        EmbeddedPostgres.Builder builder =
                EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
        if (port != 0) {
            builder.setPort(port);
        }
        return builder.start();
    }

    /** Every ledger row as "repository state", oldest first. */
    private List<String> ledger() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT repository_id, state FROM repairs ORDER BY id")) {
            while (r.next()) {
                rows.add(r.getLong(1) + " " + r.getString(2));
            }
        }
        return rows;
    }

    private long resyncs() {
        return node.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals(RESYNC))
                .count();
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(
                    HttpRequest.newBuilder(daemon.resolve(path))
                            .header("Authorization", "Bearer " + TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
