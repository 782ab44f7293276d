package io.farmvet.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Inconsistency;
import io.farmvet.compare.Kind;
import io.farmvet.explain.NodeSync;
import io.farmvet.explain.RepositorySync;
import io.farmvet.explain.SyncDiagnostics;
import io.farmvet.names.RepositoryNames;
import io.farmvet.vet.VetReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 section 3: the webhook's last event and the node's own account of a repository's sync are one
 * {@code "sync"} object in the JSON and one {@code sync:} line in the text, each part only where there is one.
 */
class SyncReportTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private final VetReport report = new VetReport(
                    "emea",
                    VetReport.Status.INCONSISTENT,
                    NOW,
                    5,
                    new VetReport.PrimaryResult("https://bitbucket.example.com", 3L, 10, 5, null),
                    List.of(new VetReport.NodeResult(
                            "mirror-1",
                            "https://mirror-1.example.com",
                            VetReport.NodeStatus.VETTED,
                            null,
                            3L,
                            10,
                            5,
                            List.of(
                                    new Inconsistency(2, 1, Set.of(Kind.CONTENT)),
                                    new Inconsistency(3, 1, Set.of(Kind.CONTENT)),
                                    new Inconsistency(4, 1, Set.of(Kind.METADATA))))))
            .withNames(RepositoryNames.builder()
                    .add(2, "API", "billing")
                    .add(3, "API", "gateway")
                    .add(4, "OPS", "terraform")
                    .build())
            .withSync(new SyncDiagnostics(Map.of(
                    "mirror-1",
                    new NodeSync(
                            4L,
                            Map.of(
                                    2L,
                                    new RepositorySync(
                                            NOW.minus(Duration.ofHours(3)),
                                            NOW.minus(Duration.ofDays(90)),
                                            1,
                                            "ERROR_AVAILABLE",
                                            false),
                                    4L,
                                    new RepositorySync(null, null, 0, null, true)),
                            List.of("mirror-1: GET …/mirrorRepos/4 answered HTTP 401")))));

    /** Repository 2 and 3 had webhooks; 4 none. */
    private static SyncEvent event(long repoId) {
        return repoId == 4
                ? null
                : new SyncEvent(
                        "mirror-farm", repoId, "incremental", "req-" + repoId, NOW.minus(Duration.ofMinutes(5)));
    }

    @Test
    void issue12TheWebhookAndTheNodeShareOneSyncObject() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonReport.write(report, SyncReportTest::event, out);
        String json = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", "");

        assertThat(json)
                .contains("\"refChangesQueue\":4,\"notes\":[\"mirror-1:GET…/mirrorRepos/4answeredHTTP401\"]")
                .contains("\"slug\":\"billing\",\"kinds\":[\"content\"],\"sync\":{\"lastEventAt\":"
                        + "\"2026-12-01T11:55:00Z\",\"syncType\":\"incremental\",\"eventId\":\"req-2\","
                        + "\"lastSyncDate\":\"2026-12-01T09:00:00Z\",\"initialSyncDate\":\"2026-09-02T12:00:00Z\","
                        + "\"failedSyncCount\":1,\"status\":\"ERROR_AVAILABLE\",\"bitbucketDelayed\":false}}")
                .contains("\"slug\":\"gateway\",\"kinds\":[\"content\"],\"sync\":{\"lastEventAt\":"
                        + "\"2026-12-01T11:55:00Z\",\"syncType\":\"incremental\",\"eventId\":\"req-3\"}}")
                .contains("\"slug\":\"terraform\",\"kinds\":[\"metadata\"],\"sync\":{\"lastSyncDate\":null,"
                        + "\"initialSyncDate\":null,\"failedSyncCount\":0,\"status\":null,\"bitbucketDelayed\":true}}");
    }

    @Test
    void issue12TheTextSaysWhenItLastSyncedAndTheLastWebhook() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextReport.write(report, SyncReportTest::event, new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("  mirror-1  https://mirror-1.example.com  3 repositories, 10 B: 3 inconsistent"
                        + " (2 content, 1 metadata)\n"
                        + "    ref changes queued: 4\n"
                        + "    note: mirror-1: GET …/mirrorRepos/4 answered HTTP 401\n"
                        + "      API/billing (id 2): content\n"
                        + "        sync: last synced 3 h ago, 1 failed sync, status ERROR_AVAILABLE; last webhook"
                        + " 5 min ago (incremental from mirror-farm)\n"
                        + "      API/gateway (id 3): content\n"
                        + "        sync: last webhook 5 min ago (incremental from mirror-farm)\n"
                        + "      OPS/terraform (id 4): metadata\n"
                        + "        sync: no sync recorded, 0 failed syncs, on Bitbucket's delayed-sync list\n");
    }
}
