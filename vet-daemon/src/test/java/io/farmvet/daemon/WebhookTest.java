package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.compare.Kind;
import io.farmvet.daemon.hooks.SyncEventStore;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/hooks/bitbucket} on a real daemon (issue 12, part 6): signed deliveries, a debounced vet for
 * a repository with a pending repair, and every bad input answered without recording anything.
 */
class WebhookTest {
    private static final String SECRET = "webhook-secret-5f1c0e7a9b2d4c68";
    /** The drifted repository, which has a pending repair on mirror-2. */
    private static final long PENDING_REPO = 3;
    /** The id of the farm's mirror server on the primary, as mirrorServers lists it. */
    private static final String MIRROR_ID = "B0AB-XYZ";

    @TempDir
    Path dir;

    private final Listings listings = Listings.generated(50, 5);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final StringBuffer logged = new StringBuffer();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            logged.append(event.getFormattedMessage()).append('\n');
        }
    };
    private final List<String> answers = new ArrayList<>();
    private Level rootLevel;
    private FakeServer primary;
    private FakeServer mirror;
    private FakeServer drifted;

    @BeforeEach
    void servers() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        capture.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        capture.start();
        root.addAppender(capture);
        primary = serve(FakeServer.json(listings.json()));
        mirror = serve(FakeServer.json(listings.shuffledJson(7)));
        drifted = serve(FakeServer.json(listings.with(
                        PENDING_REPO,
                        r -> new Listings.Repo(r.project(), r.id(), Listings.hash("x", PENDING_REPO), r.metadata()))
                .json()));
        Files.writeString(dir.resolve("webhook.secret"), SECRET + "\n");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(capture);
        root.setLevel(rootLevel);
        assertThat(logged.toString()).doesNotContain(SECRET);
        assertThat(String.join("\n", answers)).doesNotContain(SECRET);
    }

    private FakeServer serve(FakeServer.Responder responder) throws Exception {
        FakeServer server = FakeServer.start(responder);
        closeables.add(server);
        return server;
    }

    /**
     * A daemon with webhooks on, {@code debounce} long, and a pending repair of {@link #PENDING_REPO}; its farm's
     * mirror server is {@link #MIRROR_ID}, the sender of {@link #body}.
     */
    private DaemonHarness daemon(Duration debounce) throws Exception {
        return daemon(debounce, "  mirror-server-id: " + MIRROR_ID + "\n");
    }

    /** As {@link #daemon(Duration)}, with {@code farmKeys} added to the farm section (named "test"). */
    private DaemonHarness daemon(Duration debounce, String farmKeys) throws Exception {
        DaemonHarness d = new DaemonHarness(dir)
                .config(
                        primary.url(),
                        NEVER,
                        "server:\n  listen: 127.0.0.1:0\n  token-file: api.token\n  webhook-secret-file:"
                                + " webhook.secret\n",
                        "mirror-1=" + mirror.url(),
                        "mirror-2=" + drifted.url());
        closeables.add(d);
        String yaml = Files.readString(d.configFile);
        Files.writeString(
                d.configFile,
                yaml.replace("vet:\n", "vet:\n  webhook-debounce: " + debounce.toMillis() + "ms\n")
                        .replace("farm:\n  name: test\n", "farm:\n  name: test\n" + farmKeys));
        try (RepairLedger ledger = RepairLedger.open(dir.resolve("state"))) {
            RepairTarget target = new RepairTarget(
                    new RepairNode("mirror-2", drifted.url(), null), PENDING_REPO, 1, EnumSet.of(Kind.CONTENT));
            long id = ledger.begin(target, "POST " + drifted.url() + "/resync", Instant.now());
            ledger.answered(id, "202 queued", 1, true, Instant.now());
        }
        return d.start();
    }

    private static String body(long repositoryId, String syncType) {
        return body(MIRROR_ID, "emea-farm", repositoryId, syncType);
    }

    private static String body(String mirrorId, String mirrorName, long repositoryId, String syncType) {
        return "{\"eventKey\":\"mirror:repo_synchronized\",\"date\":\"2026-12-01T10:00:00+0000\","
                + "\"mirrorServer\":{\"id\":\"" + mirrorId + "\",\"name\":\"" + mirrorName + "\"},"
                + "\"repository\":{\"id\":" + repositoryId + ",\"slug\":\"repo\",\"project\":{\"key\":\"PROJ\"}},"
                + "\"changes\":[],\"refLimitExceeded\":false,\"syncType\":\"" + syncType + "\"}";
    }

    private static String signature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    /** Delivers {@code body} as Bitbucket does; {@code signature} null sends none, "" signs it with SECRET. */
    private HttpResponse<String> deliver(
            DaemonHarness d, String eventKey, String requestId, String signature, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(d.daemon.url().resolve("/api/v1/hooks/bitbucket"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (eventKey != null) {
            request.header("X-Event-Key", eventKey);
        }
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        if (signature != null) {
            request.header("X-Hub-Signature", signature.isEmpty() ? signature(SECRET, body) : signature);
        }
        HttpResponse<String> response = d.send(request.build());
        answers.add(response.headers().map() + " " + response.body());
        return response;
    }

    private HttpResponse<String> synced(DaemonHarness d, long repositoryId, String requestId) throws Exception {
        return deliver(
                d,
                "mirror:repo_synchronized",
                requestId,
                "",
                body(repositoryId, "incremental").getBytes(StandardCharsets.UTF_8));
    }

    private List<?> recorded() throws Exception {
        return new ArrayList<>(
                new SyncEventStore(dir.resolve("state")).latestByRepository().values());
    }

    private int recordedCount() {
        try {
            return recorded().size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Holds for {@code window}: nothing more starts. */
    private static void staysAt(DaemonHarness d, int vets, Duration window) {
        Awaitility.await("no more vets than " + vets)
                .during(window)
                .atMost(window.plusSeconds(10))
                .until(() -> d.observer.started.get() == vets);
    }

    @Test
    void aSignedEventForAPendingRepairTriggersOneVetWhoseReportShowsTheSync_issue12() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(500));

        HttpResponse<String> accepted = synced(d, PENDING_REPO, "d6f0a1e2-0001");

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(json(accepted).get("status").asText()).isEqualTo("accepted");
        DaemonHarness.await("the webhook's vet", () -> d.observer.finished.size() == 1);
        staysAt(d, 1, Duration.ofSeconds(2));
        JsonNode vets = json(d.get("/api/v1/vets", TOKEN)).get("vets");
        assertThat(vets).hasSize(1);
        JsonNode report = d.awaitReport(vets.get(0).get("id").asText());
        JsonNode inconsistency =
                report.get("nodes").get(1).get("inconsistencies").get(0);
        assertThat(inconsistency.get("repoId").asLong()).isEqualTo(PENDING_REPO);
        JsonNode sync = inconsistency.get("sync");
        assertThat(sync.get("eventId").asText()).isEqualTo("d6f0a1e2-0001");
        assertThat(sync.get("syncType").asText()).isEqualTo("incremental");
        assertThat(Instant.parse(sync.get("lastEventAt").asText())).isBeforeOrEqualTo(Instant.now());
        assertThat(d.observer.webhooks).containsExactly("accepted");
    }

    @Test
    void aBurstOfTwentyEventsTriggersOneVet_issue12() throws Exception {
        // Long enough that twenty deliveries (each written to the store) land inside one window on a busy box.
        Duration debounce = Duration.ofSeconds(2);
        DaemonHarness d = daemon(debounce);

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = synced(d, i % 2 == 0 ? PENDING_REPO : 40 + i, "burst-" + i);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        }

        DaemonHarness.await("the burst's vet", () -> d.observer.started.get() == 1);
        staysAt(d, 1, debounce.plusSeconds(1));
        assertThat(d.observer.webhooks).hasSize(20).containsOnly("accepted");
    }

    @Test
    void anEventForARepositoryWithoutAPendingRepairIsRecordedAndTriggersNothing() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));

        assertThat(synced(d, 7, "no-repair").statusCode()).isEqualTo(202);

        DaemonHarness.await("the event written", () -> recordedCount() > 0);
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).hasSize(1);
    }

    @Test
    void aBadOrMissingSignatureIs401AndNothingIsRecorded() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));
        byte[] body = body(PENDING_REPO, "snapshot").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> wrongSecret =
                deliver(d, "mirror:repo_synchronized", "a", signature("another-secret-0123456789", body), body);
        HttpResponse<String> missing = deliver(d, "mirror:repo_synchronized", "b", null, body);
        HttpResponse<String> notHex = deliver(d, "mirror:repo_synchronized", "c", "sha256=zz", body);
        HttpResponse<String> otherBody = deliver(
                d, "mirror:repo_synchronized", "d", signature(SECRET, "{}".getBytes(StandardCharsets.UTF_8)), body);

        for (HttpResponse<String> response : List.of(wrongSecret, missing, notHex, otherBody)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
            assertThat(json(response).get("error").asText()).contains("X-Hub-Signature");
        }
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).isEmpty();
        assertThat(d.observer.webhooks).containsOnly("bad-signature").hasSize(4);
        // A forged delivery must not use up the id of the real one.
        assertThat(synced(d, PENDING_REPO, "a").statusCode()).isEqualTo(202);
    }

    @Test
    void aRepeatedRequestIdIsDoneOnce() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));

        HttpResponse<String> first = synced(d, 7, "same-id");
        HttpResponse<String> again = synced(d, 8, "same-id");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("status").asText()).isEqualTo("duplicate");
        DaemonHarness.await("the event written", () -> recordedCount() > 0);
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).hasSize(1);
        assertThat(d.observer.webhooks).containsExactly("accepted", "duplicate");
    }

    @Test
    void otherEventKeysAreAcknowledgedAndIgnored() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));
        byte[] refsChanged =
                "{\"eventKey\":\"repo:refs_changed\",\"repository\":{\"id\":3}}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> byHeader = deliver(d, "repo:refs_changed", "h", "", refsChanged);
        HttpResponse<String> byBody = deliver(d, null, "b", "", refsChanged);

        for (HttpResponse<String> response : List.of(byHeader, byBody)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(json(response).get("status").asText()).isEqualTo("ignored");
        }
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).isEmpty();
        assertThat(d.observer.webhooks).containsExactly("ignored", "ignored");
    }

    @Test
    void anotherMirrorsEventIsAcknowledgedCountedAndNotRecorded_issue12() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));
        byte[] apac =
                body("C0FF-EE00", "emea-farm", PENDING_REPO, "incremental").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> other = deliver(d, "mirror:repo_synchronized", "apac-1", "", apac);

        assertThat(other.statusCode()).as(other.body()).isEqualTo(202);
        assertThat(json(other).get("status").asText()).isEqualTo("other-mirror");
        assertThat(json(other).get("detail").asText())
                .contains("mirror emea-farm (id C0FF-EE00) is not this farm's")
                .contains("farm.mirror-server-id is " + MIRROR_ID);
        // The farm's own mirror still counts, and only its event is recorded.
        assertThat(synced(d, 7, "emea-1").statusCode()).isEqualTo(202);
        DaemonHarness.await("the farm's event written", () -> recordedCount() > 0);
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).singleElement().asString().contains("repositoryId=7");
        assertThat(d.observer.webhooks).containsExactly("other-mirror", "accepted");
    }

    @Test
    void withoutAMirrorServerIdTheFarmsMirrorIsTheOneNamedLikeTheFarm_issue12() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200), "");
        byte[] named = body("ANY-ID", "TEST", 7, "snapshot").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> ours = deliver(d, "mirror:repo_synchronized", "n-1", "", named);
        HttpResponse<String> other = synced(d, 8, "n-2");

        assertThat(ours.statusCode()).isEqualTo(202);
        assertThat(json(ours).get("status").asText()).isEqualTo("accepted");
        assertThat(json(other).get("status").asText()).isEqualTo("other-mirror");
        assertThat(json(other).get("detail").asText())
                .contains("farm.mirror-server-id is not set and farm.name is test")
                .contains("farmvet discover");
        DaemonHarness.await("the farm's event written", () -> recordedCount() > 0);
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).singleElement().asString().contains("repositoryId=7");
    }

    @Test
    void aSignedBodyOfTheWrongShapeIs400AndNothingIsRecorded() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));
        String good = body(PENDING_REPO, "incremental");

        List<String[]> cases = List.of(
                new String[] {"not json", "not valid JSON"},
                new String[] {"[1]", "JSON object"},
                new String[] {good.replace("\"name\":\"emea-farm\"", "\"name\":7"), "mirrorServer.name"},
                new String[] {good.replace("emea-farm", "emea\\u0007farm"), "control characters"},
                new String[] {good.replace("\"id\":3,", "\"id\":\"3\","), "repository.id"},
                new String[] {good.replace("\"id\":\"" + MIRROR_ID + "\"", "\"id\":[1]"), "mirrorServer.id"},
                new String[] {good.replace("incremental", "full"), "syncType"},
                new String[] {
                    good.replace("\"eventKey\":\"mirror:repo_synchronized\"", "\"eventKey\":\"x\""), "one" + " event"
                });
        for (String[] c : cases) {
            HttpResponse<String> response =
                    deliver(d, "mirror:repo_synchronized", null, "", c[0].getBytes(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(response).get("error").asText()).as(c[0]).contains(c[1]);
        }
        staysAt(d, 0, Duration.ofSeconds(1));
        assertThat(recorded()).isEmpty();
        assertThat(d.observer.webhooks).hasSize(cases.size()).containsOnly("bad-request");
    }

    @Test
    void anOversizedBodyIs413() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));
        byte[] huge = new byte[io.farmvet.daemon.hooks.BitbucketWebhook.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');

        HttpResponse<String> response = deliver(d, "mirror:repo_synchronized", "big", "", huge);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(recorded()).isEmpty();
        assertThat(d.observer.webhooks).containsExactly("bad-request");
    }

    @Test
    void withoutASecretWebhooksAreOff() throws Exception {
        DaemonHarness d = new DaemonHarness(dir).config(primary.url(), NEVER, "", "mirror-1=" + mirror.url());
        closeables.add(d);
        d.start();

        HttpResponse<String> response = synced(d, PENDING_REPO, "off");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).contains("server.webhook-secret-file");
        assertThat(d.observer.webhooks).isEmpty();
    }

    @Test
    void theEndpointTakesOnlyPostAndNoBearerToken() throws Exception {
        DaemonHarness d = daemon(Duration.ofMillis(200));

        HttpResponse<String> get = d.get("/api/v1/hooks/bitbucket", null);

        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(synced(d, 7, "no-token").statusCode()).isEqualTo(202);
    }
}
