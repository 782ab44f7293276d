package io.farmvet.vet;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.report.JsonReport;
import io.farmvet.report.TextReport;
import io.farmvet.testing.FakeFarm;
import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import io.farmvet.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 12, clocks: each server's Date header, read by the real client from loopback servers. */
class ClockSkewVetTest {
    @RegisterExtension
    final FakeFarm servers = new FakeFarm();

    private final Listings farm = Listings.generated(20, 3);

    @Test
    void aServer45SecondsOffIsReportedAndOneWithoutADateIsNot() throws Exception {
        FakeServer primary = servers.serve(dated(Duration.ofSeconds(-45), farm.json()));
        FakeServer ahead = servers.serve(FakeServer.node("SYNCHRONIZED", dated(Duration.ofSeconds(45), farm.json())));
        FakeServer undated = servers.serve(FakeServer.node("SYNCHRONIZED", FakeServer.json(farm.json())));
        FakeServer malformed = servers.serve(FakeServer.node(
                "SYNCHRONIZED",
                FakeServer.status(200, "OK", farm.json(), "Content-Type: application/json", "Date: soon")));

        VetReport report = VetReports.vet(new TestConfigs()
                .primary(primary.url())
                .node("ahead", ahead.url())
                .node("undated", undated.url())
                .node("malformed", malformed.url()));

        assertThat(report.status()).isEqualTo(VetReport.Status.CONSISTENT);
        // The Date header is whole seconds, stamped before the answer travelled: a reading is up to ~1 s low.
        assertThat(report.primary().clockSkewMs()).isBetween(-47_000L, -44_000L);
        assertThat(report.nodes().get(0).clockSkewMs()).isBetween(43_000L, 45_000L);
        assertThat(report.nodes().get(1).clockSkewMs()).isNull();
        assertThat(report.nodes().get(2).clockSkewMs()).isNull();

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        JsonReport.write(report, json);
        assertThat(json.toString(StandardCharsets.UTF_8))
                .containsPattern("\"clockSkewMs\" : -4[4-7]\\d{3}")
                .containsPattern("\"clockSkewMs\" : 4[3-5]\\d{3}")
                .contains("\"clockSkewMs\" : null");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        TextReport.write(report, new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8))
                .containsPattern("primary  \\S+ \\[clock 4\\d s behind; Bitbucket's JWTs fail beyond 30 s]")
                .containsPattern("ahead  \\S+ \\[clock 4\\d s ahead;")
                .doesNotContainPattern("undated  \\S+ \\[clock");
    }

    @Test
    void aFailedListingStillTellsTheServersClock() throws Exception {
        FakeServer primary = servers.serve(FakeServer.json(farm.json()));
        FakeServer refusing = servers.serve(
                FakeServer.node("SYNCHRONIZED", dated(401, "Unauthorized", Duration.ofSeconds(45), "{}")));

        VetReport report =
                VetReports.vet(new TestConfigs().primary(primary.url()).node("refusing", refusing.url()));

        assertThat(report.nodes().get(0).failed()).isTrue();
        assertThat(report.nodes().get(0).clockSkewMs()).isBetween(43_000L, 45_000L);
        assertThat(report.primary().clockSkewMs()).isNull();
    }

    /** A listing answer whose Date header is {@code offset} away from this machine's clock. */
    private static FakeServer.Responder dated(Duration offset, String body) {
        return dated(200, "OK", offset, body);
    }

    /** Any answer whose Date header, stamped as it is sent, is {@code offset} away from this machine's clock. */
    private static FakeServer.Responder dated(int code, String reason, Duration offset, String body) {
        return (request, out) -> FakeServer.status(
                        code, reason, body, "Content-Type: application/json", "Date: " + httpDate(offset))
                .respond(request, out);
    }

    private static String httpDate(Duration offset) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plus(offset));
    }
}
