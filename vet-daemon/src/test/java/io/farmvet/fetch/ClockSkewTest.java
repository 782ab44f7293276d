package io.farmvet.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClockSkewTest {
    private static final long LOCAL = Instant.parse("2026-12-01T03:00:00Z").toEpochMilli();

    @Test
    void aServerAheadIsPositiveAndOneBehindNegative() {
        assertThat(ClockSkew.measure("Tue, 01 Dec 2026 03:00:45 GMT", LOCAL)).isEqualTo(45_000L);
        assertThat(ClockSkew.measure("Tue, 01 Dec 2026 02:59:15 GMT", LOCAL)).isEqualTo(-45_000L);
        assertThat(ClockSkew.measure(" Tue, 01 Dec 2026 03:00:00 GMT ", LOCAL)).isZero();
    }

    @Test
    void aMissingOrMalformedDateIsNoReading() {
        assertThat(ClockSkew.measure(null, LOCAL)).isNull();
        assertThat(ClockSkew.measure("", LOCAL)).isNull();
        assertThat(ClockSkew.measure("yesterday", LOCAL)).isNull();
        assertThat(ClockSkew.measure("2026-12-01T03:00:45Z", LOCAL)).isNull();
        assertThat(ClockSkew.measure("Tue, 01 Dec 2026 03:00:45 GMT" + " ".repeat(100) + "x", LOCAL))
                .isNull();
        assertThat(ClockSkew.measure("Tue, 01 Dec 2026 25:00:45 GMT", LOCAL)).isNull();
    }

    @Test
    void onlyMoreThanTenSecondsEitherWayIsNotable() {
        assertThat(ClockSkew.notable(null)).isFalse();
        assertThat(ClockSkew.notable(10_000L)).isFalse();
        assertThat(ClockSkew.notable(-10_000L)).isFalse();
        assertThat(ClockSkew.notable(10_001L)).isTrue();
        assertThat(ClockSkew.notable(-45_000L)).isTrue();
    }
}
