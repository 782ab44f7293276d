package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.PromText;
import io.farmvet.vet.FarmMembership;
import io.farmvet.vet.VetReport;
import io.farmvet.vet.VetReport.PrimaryResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.management.MBeanServerFactory;
import org.junit.jupiter.api.Test;

/** Issue 12, farm members: {@code farmvet_farm_member_mismatches{kind}}, NaN while no member list came. */
class FarmMemberGaugesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T03:00:00Z");

    @Test
    void mismatchesAreCountedByKindAndUnknownIsNaN() {
        try (FarmMetrics metrics = new FarmMetrics(
                "emea", List.of("mirror-1"), Clock.fixed(NOW, ZoneOffset.UTC), MBeanServerFactory.newMBeanServer())) {
            PromText before = PromText.parse(metrics.scrape());
            assertThat(before.value("farmvet_farm_member_mismatches", "kind", "unvetted-member"))
                    .isNaN();
            assertThat(before.help).containsKey("farmvet_farm_member_mismatches");

            FarmMembership members = new FarmMembership(
                    true,
                    List.of(
                            new FarmMembership.UnvettedMember("mirror-4", "10.0.0.4:5701", List.of("mirror-1")),
                            new FarmMembership.UnvettedMember("mirror-5", null, List.of("mirror-1"))),
                    List.of("mirror-1"),
                    List.of());
            metrics.vetFinished(report(members));
            PromText text = PromText.parse(metrics.scrape());
            assertThat(text.value("farmvet_farm_member_mismatches", "kind", "unvetted-member"))
                    .isEqualTo(2.0);
            assertThat(text.value("farmvet_farm_member_mismatches", "kind", "unlisted-node"))
                    .isEqualTo(1.0);

            metrics.vetFinished(report(FarmMembership.NOT_CHECKED));
            assertThat(PromText.parse(metrics.scrape())
                            .value("farmvet_farm_member_mismatches", "kind", "unlisted-node"))
                    .isNaN();
        }
    }

    private static VetReport report(FarmMembership members) {
        return new VetReport(
                "emea",
                VetReport.Status.CONSISTENT,
                NOW,
                5,
                new PrimaryResult("https://bitbucket.example.com", 1L, 10, 5, null),
                List.of(),
                null,
                members);
    }
}
