package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.farmvet.testing.PromText;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The farm-vet timer over JMX, read back through the platform MBean server by the exact name Bitbucket uses.
 * These tests build instances with the public constructor, as the daemon does.
 */
class FarmMetricsJmxTest {
    private static final MBeanServer PLATFORM = ManagementFactory.getPlatformMBeanServer();
    private static final ObjectName NAME = objectName(
            "com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,category02=vet,name=timer");

    /** The attributes of Bitbucket's timers (Dropwizard's JmxTimer), as its monitoring page lists them. */
    private static final List<String> BITBUCKET_TIMER_ATTRIBUTES = List.of(
            "Count",
            "Mean",
            "StdDev",
            "Min",
            "Max",
            "50thPercentile",
            "75thPercentile",
            "95thPercentile",
            "98thPercentile",
            "99thPercentile",
            "999thPercentile",
            "OneMinuteRate",
            "FiveMinuteRate",
            "FifteenMinuteRate",
            "MeanRate");

    @AfterEach
    void nothingLeftRegistered() {
        assertThat(PLATFORM.isRegistered(NAME))
                .as("a test left the bean registered")
                .isFalse();
    }

    @Test
    void theVetTimerHasBitbucketsNameAndAttributesBeforeTheFirstVet() throws Exception {
        try (FarmMetrics metrics = new FarmMetrics("emea", List.of("mirror-1"))) {
            assertThat(metrics.vetTimerObjectName()).isEqualTo(NAME);
            assertThat(metrics.vetTimerObjectName().toString()).isEqualTo(FarmMetrics.VET_TIMER_JMX_NAME);
            assertThat(PLATFORM.isRegistered(NAME)).isTrue();

            List<String> attributes = Arrays.stream(PLATFORM.getMBeanInfo(NAME).getAttributes())
                    .map(MBeanAttributeInfo::getName)
                    .toList();
            assertThat(attributes).containsAll(BITBUCKET_TIMER_ATTRIBUTES);
            assertThat(PLATFORM.getAttribute(NAME, "Count")).isEqualTo(0L);
            assertThat(PLATFORM.getAttribute(NAME, "DurationUnit")).isEqualTo("milliseconds");
            assertThat(PLATFORM.getAttribute(NAME, "RateUnit")).isEqualTo("events/second");
            // Only the timer is published: no other bean in Bitbucket's domain from us.
            assertThat(PLATFORM.queryNames(new ObjectName("com.atlassian.bitbucket:*"), null))
                    .containsExactly(NAME);
        }
    }

    @Test
    void everyVetIsTimedWhateverItsOutcome() throws Exception {
        try (FarmMetrics metrics = new FarmMetrics("emea", List.of("mirror-1", "mirror-2"))) {
            metrics.vetFinished(FarmMetricsTest.consistentVet(1_000));
            metrics.vetFinished(FarmMetricsTest.incompleteVet()); // 7 000 ms
            metrics.vetFinished(FarmMetricsTest.consistentVet(4_000));

            assertThat(PLATFORM.getAttribute(NAME, "Count")).isEqualTo(3L);
            assertThat((Double) PLATFORM.getAttribute(NAME, "Max")).isEqualTo(7_000.0, within(1e-6));
            assertThat((Double) PLATFORM.getAttribute(NAME, "Min")).isEqualTo(1_000.0, within(1e-6));
            // Dropwizard's reservoir weighs each sample by when it was recorded (exponential decay), so the mean
            // is exact only when the three are recorded in the same instant: one run on a loaded machine gave
            // 4014.96. Within 1% still tells a mean from a max or a last value.
            assertThat((Double) PLATFORM.getAttribute(NAME, "Mean")).isEqualTo(4_000.0, within(40.0));
            assertThat((Double) PLATFORM.getAttribute(NAME, "50thPercentile")).isEqualTo(4_000.0, within(1e-6));
            assertThat((Double) PLATFORM.getAttribute(NAME, "99thPercentile")).isEqualTo(7_000.0, within(1e-6));
            assertThat((Double) PLATFORM.getAttribute(NAME, "StdDev")).isPositive();
            // The exponentially weighted rates tick every 5 s, so right after the events they may still be 0;
            // the mean rate counts from the timer's creation and is already positive.
            assertThat((Double) PLATFORM.getAttribute(NAME, "OneMinuteRate")).isNotNegative();
            assertThat((Double) PLATFORM.getAttribute(NAME, "FifteenMinuteRate"))
                    .isNotNegative();
            assertThat((Double) PLATFORM.getAttribute(NAME, "MeanRate")).isPositive();

            // The same calls fed Prometheus's histogram.
            PromText text = PromText.parse(metrics.scrape());
            assertThat(text.find("farmvet_vet_duration_seconds_count").stream()
                            .mapToDouble(PromText.Sample::value)
                            .sum())
                    .isEqualTo(3);
        }
    }

    @Test
    void onlyOneInstanceOwnsTheNameAndCloseHandsItOn() throws Exception {
        FarmMetrics first = new FarmMetrics("emea", List.of("mirror-1"));
        FarmMetrics second = new FarmMetrics("apac", List.of("mirror-9"));
        try {
            assertThat(first.ownsJmx()).isTrue();
            assertThat(second.ownsJmx()).isFalse();

            second.vetFinished(FarmMetricsTest.consistentVet(2_000));
            assertThat(PLATFORM.getAttribute(NAME, "Count"))
                    .as("the owner's timer")
                    .isEqualTo(0L);
            assertThat(PromText.parse(second.scrape())
                            .value("farmvet_vet_duration_seconds_count", "outcome", "consistent"))
                    .as("the second instance still publishes to Prometheus")
                    .isEqualTo(1);

            second.close();
            assertThat(PLATFORM.isRegistered(NAME))
                    .as("closing the non-owner leaves the owner's bean")
                    .isTrue();
            first.close();
            assertThat(PLATFORM.isRegistered(NAME)).isFalse();
        } finally {
            first.close();
            second.close();
        }

        try (FarmMetrics third = new FarmMetrics("emea", List.of("mirror-1"))) {
            assertThat(third.ownsJmx()).isTrue();
            assertThat(PLATFORM.getAttribute(NAME, "Count")).as("a fresh timer").isEqualTo(0L);
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
