package io.farmvet.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {
    @ParameterizedTest(name = "{0} ms is {1}")
    @CsvSource({
        "0, 0s",
        "1, 1ms",
        "250, 250ms",
        "999, 999ms",
        "1000, 1s",
        "1500, 1.5s",
        "30000, 30s",
        "30012, 30.012s",
        "59999, 59.999s",
        "60000, 1m",
        "90000, 1m30s",
        "90400, 1m30s",
        "90600, 1m31s",
        "120000, 2m",
        "3600000, 1h",
        "5400000, 1h30m",
        "3601000, 1h1s",
        "90000000, 25h",
        "-1500, -1.5s"
    })
    void durationsReadAsTheConfigIsWritten(long ms, String text) {
        assertThat(Units.duration(Duration.ofMillis(ms))).isEqualTo(text);
        assertThat(Units.millis(ms)).isEqualTo(text);
    }

    @Test
    void durationsBelowAMillisecondAreZero() {
        assertThat(Units.duration(Duration.ofNanos(400_000))).isEqualTo("0s");
    }

    @Test
    void countsArePluralisedRight() {
        assertThat(Units.count(0, "inconsistency", "inconsistencies")).isEqualTo("0 inconsistencies");
        assertThat(Units.count(1, "inconsistency", "inconsistencies")).isEqualTo("1 inconsistency");
        assertThat(Units.count(2, "inconsistency", "inconsistencies")).isEqualTo("2 inconsistencies");
    }

    @Test
    void bytesUseDecimalUnits() {
        assertThat(Units.bytes(812)).isEqualTo("812 B");
        assertThat(Units.bytes(12_400)).isEqualTo("12.4 KB");
        assertThat(Units.bytes(3_100_000)).isEqualTo("3.1 MB");
    }
}
