package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The report and the list of the REST API agree about a vet, and a bad body is told what is wrong (issue 11). */
class ReportApiTest {
    @TempDir
    Path dir;

    private FakeServer primary;
    private FakeServer node;

    @BeforeEach
    void servers() throws Exception {
        String listing = Listings.generated(20, 2).json();
        primary = FakeServer.start(FakeServer.json(listing));
        node = FakeServer.start(FakeServer.node("SYNCHRONIZED", FakeServer.json(listing)));
    }

    @AfterEach
    void stopServers() throws Exception {
        primary.close();
        node.close();
    }

    /**
     * The clock moves a second at each reading, so that the vet's own reading of the start, after the trigger's,
     * is a different instant: the list showed the trigger's, the report the vet's.
     */
    @Test
    void issue11_aReportFetchedByIdHasItsIdAndTheStartTheListShows() throws Exception {
        try (DaemonHarness d = new DaemonHarness(dir)
                .config(primary.url(), NEVER, "", "mirror-1=" + node.url())
                .start(new SteppingClock(Instant.parse("2026-12-01T10:00:00Z"), Duration.ofSeconds(1)))) {
            String id = d.trigger(null);
            JsonNode report = d.awaitReport(id);
            JsonNode listed = json(d.get("/api/v1/vets", TOKEN)).get("vets").get(0);

            assertThat(report.get("id").asText()).isEqualTo(id);
            assertThat(report.fieldNames().next()).isEqualTo("id");
            assertThat(listed.get("id").asText()).isEqualTo(id);
            assertThat(report.get("startedAt").asText())
                    .isEqualTo(listed.get("startedAt").asText());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"dryRun\": tru}|unexpected 't' at line 1, column 12",
                "{dryRun: true}|unexpected 'd' at line 1, column 2",
                "{\"dryRun\": true|it ends before the JSON does",
                "[[[[[[[[[[1]]]]]]]]]]|it nests deeper than 8 levels",
            })
    void issue11_aBodyThatIsNotJsonIsToldWhereAndWhatAValidOneLooksLike(String body, String what) throws Exception {
        try (DaemonHarness d = new DaemonHarness(dir)
                .config(primary.url(), NEVER, "", "mirror-1=" + node.url())
                .start()) {
            HttpResponse<String> response = d.post("/api/v1/vets", TOKEN, body);

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(json(response).get("error").asText())
                    .startsWith("the body is not valid JSON: " + what)
                    .endsWith("; send a JSON object such as {\"dryRun\": true, \"nodes\": [\"mirror-1\"]} (both"
                            + " fields optional), or no body")
                    .doesNotContain("Source")
                    .doesNotContain("REDACTED")
                    .doesNotContain("code ")
                    .doesNotContain("marker");
        }
    }

    /** A clock that moves {@code step} forward at each reading. */
    private static final class SteppingClock extends Clock {
        private final AtomicLong millis;
        private final long stepMillis;

        SteppingClock(Instant start, Duration step) {
            this.millis = new AtomicLong(start.toEpochMilli());
            this.stepMillis = step.toMillis();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.getAndAdd(stepMillis));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
