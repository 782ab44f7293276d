package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The shipped logback.xml loads cleanly: a broken one silently falls back to logging DEBUG to stdout. */
class LoggingConfigTest {
    @Test
    void logbackConfigHasNoErrors() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<Status> statuses = context.getStatusManager().getCopyOfStatusList();

        assertThat(statuses)
                .as(statuses.stream().map(Status::toString).collect(Collectors.joining("\n")))
                .allSatisfy(s -> assertThat(s.getLevel()).isLessThan(Status.WARN))
                .anySatisfy(s -> assertThat(s.getMessage()).contains("logback.xml"));
    }
}
