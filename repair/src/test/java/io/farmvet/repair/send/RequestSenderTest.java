package io.farmvet.repair.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.compare.Kind;
import io.farmvet.concurrent.Sleeper;
import io.farmvet.concurrent.TokenBucket;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import io.farmvet.repair.testing.FakeTime;
import io.farmvet.repair.testing.RecordingServer;
import io.farmvet.repair.testing.RecordingServer.Reply;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real loopback servers; back-off and pacing run on {@link FakeTime}, so nothing really waits. */
class RequestSenderTest {
    private final FakeTime time = new FakeTime();
    private RecordingServer server;
    private HttpRepairTransport transport;

    @BeforeEach
    void start() throws IOException {
        server = new RecordingServer();
        transport = new HttpRepairTransport(Duration.ofSeconds(5), null, 4, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws IOException {
        transport.close();
        server.close();
    }

    @Test
    void anAcceptedRequestIsSentOnce() {
        SendResult result = sender(3).send(request(server.url()));

        assertThat(result.accepted()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.answer()).isEqualTo("HTTP 202: {\"queued\":true}");
        assertThat(server.count()).isEqualTo(1);
        assertThat(server.received().get(0).header("Authorization")).isEqualTo("Bearer node-token-1");
    }

    @Test
    void serverErrorsAreRetriedABoundedNumberOfTimesWithJitteredBackoff() {
        server.respond(r -> Reply.of(503, "busy"));

        SendResult result = sender(3).send(request(server.url()));

        assertThat(result.accepted()).isFalse();
        assertThat(server.count()).isEqualTo(4);
        assertThat(result.attempts()).isEqualTo(4);
        assertThat(result.detail()).isEqualTo("HTTP 503: busy (gave up after 4 attempts)");
        // Full jitter: each wait is within [0, min(max, initial * 2^(n-1))]; the pacing waits (200 ms) come first.
        List<Duration> backoffs = backoffSleeps();
        assertThat(backoffs).hasSize(3);
        assertThat(backoffs.get(0)).isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(backoffs.get(1)).isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(backoffs.get(2)).isLessThanOrEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void tooManyRequestsIsRetriedNoSoonerThanRetryAfter() {
        server.respond(
                r -> server.count() < 3 ? new Reply(429, Map.of("Retry-After", "7"), "slow down") : Reply.of(202));

        SendResult result = sender(3).send(request(server.url()));

        assertThat(result.accepted()).isTrue();
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(server.count()).isEqualTo(3);
        assertThat(backoffSleeps()).hasSize(2).allSatisfy(d -> assertThat(d)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void aRetryAfterBeyondTheBackoffMaximumIsNotWaitedFor() {
        server.respond(r -> new Reply(429, Map.of("Retry-After", "3600"), ""));

        SendResult result = sender(3).send(request(server.url()));

        assertThat(result.accepted()).isFalse();
        assertThat(server.count()).isEqualTo(1);
        assertThat(result.detail()).isEqualTo("HTTP 429 (Retry-After 1h exceeds repair.backoff-max 30s; not retried)");
    }

    @Test
    void otherClientErrorsAreNotRetried() {
        for (int status : new int[] {400, 401, 403, 404, 409, 410}) {
            server.respond(r -> Reply.of(status, "no"));
            int before = server.count();

            SendResult result = sender(3).send(request(server.url()));

            assertThat(result.accepted()).isFalse();
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(server.count() - before).isEqualTo(1);
            assertThat(result.detail()).isEqualTo("HTTP " + status + ": no (not retried)");
        }
    }

    @Test
    void redirectsAreNotFollowed() throws IOException {
        try (RecordingServer elsewhere = new RecordingServer()) {
            server.respond(r -> new Reply(307, Map.of("Location", elsewhere.url() + "/steal"), ""));

            SendResult result = sender(3).send(request(server.url()));

            assertThat(result.accepted()).isFalse();
            assertThat(result.detail()).isEqualTo("HTTP 307 (not retried)");
            assertThat(elsewhere.count()).isZero();
        }
    }

    @Test
    void aRefusedConnectionIsRetriedABoundedNumberOfTimes() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        SendResult result = sender(2).send(request(URI.create("http://127.0.0.1:" + closedPort)));

        assertThat(result.accepted()).isFalse();
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.answer()).startsWith("I/O error: ");
        assertThat(result.detail()).endsWith("(gave up after 3 attempts)");
    }

    @Test
    void zeroRetriesMeansOneAttempt() {
        server.respond(r -> Reply.of(500));

        SendResult result = sender(0).send(request(server.url()));

        assertThat(result.attempts()).isEqualTo(1);
        assertThat(server.count()).isEqualTo(1);
    }

    @Test
    void theRateSpacesEveryAttemptIncludingRetries() {
        List<Long> startedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.respond(r -> {
            startedAt.add(time.nanoTime());
            return Reply.of(500);
        });
        RequestSender sender = new RequestSender(
                transport,
                new AgentAdapter(),
                new TokenBucket(5, time),
                new Backoff(Duration.ofNanos(1), Duration.ofNanos(1), new SplittableRandom(1)),
                4,
                time);

        sender.send(request(server.url()));

        // 5 attempts at 5 per second: each starts at least 200 ms after the one before, though back-off is ~0.
        assertThat(startedAt).hasSize(5);
        for (int i = 1; i < startedAt.size(); i++) {
            assertThat(startedAt.get(i) - startedAt.get(i - 1)).isGreaterThanOrEqualTo(200_000_000L);
        }
    }

    @Test
    void secretsNeverAppearInTheAnswerOrDetail() {
        server.respond(r -> Reply.of(500, "echo " + r.header("Authorization")));

        SendResult result = sender(1).send(request(server.url()));

        assertThat(result.answer()).doesNotContain("node-token-1").contains("***");
        assertThat(result.detail()).doesNotContain("node-token-1");
    }

    @Test
    void interruptedWhileBackingOffItStopsAndKeepsTheFlag() {
        server.respond(r -> Reply.of(500));
        Sleeper interrupting = new Sleeper() {
            @Override
            public long nanoTime() {
                return time.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                throw new InterruptedException("stop");
            }
        };
        RequestSender sender = new RequestSender(
                transport, new AgentAdapter(), new TokenBucket(1000, interrupting), backoff(), 3, interrupting);
        try {
            SendResult result = sender.send(request(server.url()));

            assertThat(result.accepted()).isFalse();
            assertThat(result.detail()).endsWith("(interrupted after 1 attempts)");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(server.count()).isEqualTo(1);
        } finally {
            Thread.interrupted();
        }
    }

    private List<Duration> backoffSleeps() {
        return time.sleeps("backoff");
    }

    private RequestSender sender(int retries) {
        return new RequestSender(
                transport,
                new AgentAdapter(),
                new TokenBucket(5, time.sleeper("pacing")),
                backoff(),
                retries,
                time.sleeper("backoff"));
    }

    private static Backoff backoff() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), new SplittableRandom(42));
    }

    private static RepairRequest request(URI base) {
        RepairNode node = new RepairNode("n1", base, "Bearer node-token-1");
        return new AgentAdapter()
                .request(new RepairTarget(node, 42, 7, EnumSet.of(Kind.CONTENT)))
                .orElseThrow();
    }
}
