package io.farmvet.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class NamedThreadsTest {
    @Test
    void namesThreadsByRoleAndCountsWithinTheFactory() {
        NamedThreads threads = NamedThreads.of("hash-3");

        Thread first = threads.newThread(() -> {});
        Thread second = threads.newThread(() -> {});

        assertThat(first.getName()).isEqualTo("farmvet-hash-3-1");
        assertThat(second.getName()).isEqualTo("farmvet-hash-3-2");
        assertThat(NamedThreads.of("vet").newThread(() -> {}).getName()).isEqualTo("farmvet-vet-1");
    }

    @Test
    void makesDaemonThreads() {
        assertThat(NamedThreads.of("vet").newThread(() -> {}).isDaemon()).isTrue();
    }

    @Test
    void logsWhatEscapesATaskWithTheThreadName() throws InterruptedException {
        Logger logger = (Logger) LoggerFactory.getLogger(NamedThreads.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            Thread thread = NamedThreads.of("scan").start(() -> {
                throw new IllegalStateException("disk gone");
            });
            thread.join();

            assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getFormattedMessage())
                    .isEqualTo("thread farmvet-scan-1 stopped on an unexpected error: "
                            + "java.lang.IllegalStateException: disk gone"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void refusesABlankRole() {
        assertThatThrownBy(() -> NamedThreads.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
