package io.farmvet.daemon.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Kind;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.config.Secret;
import io.farmvet.daemon.VetRequest;
import io.farmvet.daemon.VetRunner;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.ledger.RepairLedger;
import io.farmvet.state.StateDatabase;
import io.farmvet.testing.TestConfigs;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook's debounced vet and the single flight: a vet already running makes it wait, not vanish. */
class BitbucketWebhookTest {
    private static final Secret SECRET = new Secret("webhook-secret-0123456789", Path.of("webhook.secret"));
    private static final URI NODE = URI.create("http://127.0.0.1:9/");

    @TempDir
    Path stateDir;

    private FarmvetConfig config(Duration debounce) {
        FarmvetConfig c = new TestConfigs()
                .primary(URI.create("http://127.0.0.1:8/"))
                .node("mirror-1", NODE)
                .build();
        return new FarmvetConfig(
                // The deliveries below come from mirror server "1".
                new FarmvetConfig.Farm(c.farm().name(), c.farm().scope(), "1"),
                c.primary(),
                c.nodes(),
                c.http(),
                c.listing(),
                new FarmvetConfig.Vet(c.vet().deadline(), c.vet().schedule(), debounce),
                c.repair(),
                new FarmvetConfig.RestServer("127.0.0.1", 0, null, null, SECRET),
                c.state(),
                c.history(),
                c.source(),
                c.explain(),
                c.git());
    }

    private static BitbucketWebhook.Delivery delivery(long repositoryId, String requestId) {
        byte[] body = ("{\"eventKey\":\"mirror:repo_synchronized\",\"mirrorServer\":{\"id\":\"1\",\"name\":\"farm\"},"
                        + "\"repository\":{\"id\":" + repositoryId + "},\"syncType\":\"snapshot\"}")
                .getBytes(StandardCharsets.UTF_8);
        String signature = "sha256=" + HexFormat.of().formatHex(HubSignature.sign(SECRET, body));
        return new BitbucketWebhook.Delivery("mirror:repo_synchronized", requestId, signature, body);
    }

    @Test
    void aVetAlreadyRunningMakesTheWebhooksVetWaitAndRunAfterIt() throws Exception {
        try (RepairLedger ledger = RepairLedger.open(stateDir)) {
            long id = ledger.begin(
                    new RepairTarget(new RepairNode("mirror-1", NODE, null), 5, 1, EnumSet.of(Kind.CONTENT)),
                    "POST resync",
                    Instant.now());
            ledger.answered(id, "202", 1, true, Instant.now());
        }
        FarmvetConfig config = config(Duration.ofMillis(100));
        List<VetRequest> asked = new CopyOnWriteArrayList<>();
        VetRunner.Flight running = new VetRunner.Flight("running", Instant.now(), VetRequest.SCHEDULED);
        try (BitbucketWebhook webhook = new BitbucketWebhook(
                () -> config,
                StateDatabase.h2(stateDir),
                request -> {
                    asked.add(request);
                    // The first firing finds a scheduled vet in flight; the next one gets the flight.
                    return asked.size() == 1
                            ? new VetRunner.Start(running, false)
                            : new VetRunner.Start(new VetRunner.Flight("mine", Instant.now(), request), true);
                },
                outcome -> {},
                Clock.systemUTC())) {

            BitbucketWebhook.Answer answer = webhook.receive(SECRET, delivery(5, "r1"));

            assertThat(answer.status()).as(answer.message()).isEqualTo(202);
            Awaitility.await("the webhook's vet, after the running one")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> asked.size() == 2);
            Awaitility.await("no third start")
                    .during(Duration.ofMillis(800))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> asked.size() == 2);
            assertThat(asked).allSatisfy(r -> assertThat(r.trigger()).isEqualTo(VetRequest.Trigger.WEBHOOK));
            assertThat(webhook.events().latestByRepository()).containsOnlyKeys(5L);
        }
    }

    @Test
    void aRepositoryWithoutAPendingRepairStartsNothingButIsRecorded() throws Exception {
        FarmvetConfig config = config(Duration.ofMillis(50));
        List<VetRequest> asked = new CopyOnWriteArrayList<>();
        try (BitbucketWebhook webhook = new BitbucketWebhook(
                () -> config,
                StateDatabase.h2(stateDir),
                request -> {
                    asked.add(request);
                    return new VetRunner.Start(null, false);
                },
                outcome -> {},
                Clock.systemUTC())) {

            webhook.receive(SECRET, delivery(9, "r2"));

            Awaitility.await("the event written")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> !webhook.events().latestByRepository().isEmpty());
            Awaitility.await("no vet")
                    .during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(10))
                    .until(asked::isEmpty);
        }
    }
}
