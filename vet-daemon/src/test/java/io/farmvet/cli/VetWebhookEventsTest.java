package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.daemon.hooks.SyncEventStore;
import io.farmvet.report.SyncEvent;
import io.farmvet.testing.FakeBitbucket;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: {@code farmvet vet} shows the last webhook sync event the daemon recorded in {@code state.dir} beside
 * a drifted repository, in the text and the JSON; without webhooks configured it reads no state at all.
 */
class VetWebhookEventsTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Path config(boolean webhooks) throws Exception {
        Listings farm = Listings.generated(10, 2);
        Listings drifted =
                farm.with(5, r -> new Listings.Repo(r.project(), r.id(), Listings.hash("x", 5), r.metadata()));
        FakeServer primary = servers.serve(new FakeBitbucket(farm).responder());
        FakeServer node = servers.serve(FakeBitbucket.node(drifted).responder());
        Files.writeString(dir.resolve("webhook.secret"), "a-webhook-secret-of-some-length\n");
        Files.setPosixFilePermissions(
                dir.resolve("webhook.secret"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path config = dir.resolve("farmvet.yaml");
        Files.writeString(config, """
                farm:
                  name: emea
                primary:
                  url: %s
                nodes:
                  - name: mirror-1
                    url: %s
                http:
                  connect-timeout: 2s
                  read-timeout: 5s
                state:
                  dir: state
                %s
                """.formatted(
                        primary.url(), node.url(), webhooks ? "server:\n  webhook-secret-file: webhook.secret\n" : ""));
        Files.createDirectories(dir.resolve("state"));
        new SyncEventStore(dir.resolve("state"))
                .record(List.of(new SyncEvent(
                        "emea", 5, "snapshot", "req-5", Instant.now().minusSeconds(30))));
        return config;
    }

    private int run(String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new Main(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false).run(args);
    }

    @Test
    void issue12TheTextAndTheJsonShowTheLastWebhookOfADriftedRepository() throws Exception {
        Path config = config(true);

        assertThat(run("vet", "--config", config.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .containsPattern(
                        "P2/repo-5 \\(id 5\\): content\n        sync: last synced \\d+ (h|d) ago, 0 failed syncs,"
                                + " status AVAILABLE; last webhook \\d+ (s|min) ago \\(snapshot from emea\\)\n");

        out.reset();
        assertThat(run("vet", "--config", config.toString(), "--json")).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", ""))
                .contains("\"syncType\":\"snapshot\",\"eventId\":\"req-5\",\"lastSyncDate\"");
    }

    @Test
    void issue12WithoutWebhooksTheStateIsNotRead() throws Exception {
        Path config = config(false);

        assertThat(run("vet", "--config", config.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("P2/repo-5 (id 5): content\n")
                .doesNotContain("last webhook");
    }
}
