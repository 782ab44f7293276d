package io.farmvet.repair.send;

import io.farmvet.concurrent.Sleeper;
import io.farmvet.concurrent.TokenBucket;
import io.farmvet.util.Units;
import java.io.IOException;
import java.time.Duration;

/**
 * Sends one node's requests within its bounds: every attempt waits for the node's {@link TokenBucket}; an I/O error,
 * a 5xx or a 429 is retried up to {@code repair.retries} times after a {@link Backoff} wait (for a 429 at least its
 * {@code Retry-After}; one beyond {@code repair.backoff-max} is not waited for); any other answer the adapter does
 * not accept fails at once. Concurrency is the caller's: it runs at most {@code repair.concurrency} sends at a time
 * per node. Thread-safe.
 */
public final class RequestSender {
    static final int TOO_MANY_REQUESTS = 429;

    private final RepairTransport transport;
    private final RepairAdapter adapter;
    private final TokenBucket bucket;
    private final Backoff backoff;
    private final int retries;
    private final Sleeper sleeper;

    public RequestSender(
            RepairTransport transport,
            RepairAdapter adapter,
            TokenBucket bucket,
            Backoff backoff,
            int retries,
            Sleeper sleeper) {
        this.transport = transport;
        this.adapter = adapter;
        this.bucket = bucket;
        this.backoff = backoff;
        this.retries = retries;
        this.sleeper = sleeper;
    }

    /** Sends until accepted, refused for good, or out of retries. Never throws; restores the interrupt flag. */
    public SendResult send(RepairRequest request) {
        String last = "not sent";
        int attempt = 0;
        try {
            while (true) {
                attempt++;
                bucket.acquire();
                boolean retryable;
                Duration retryAfter = null;
                try {
                    Answer answer = transport.exchange(request);
                    last = request.mask(answer.summary());
                    if (adapter.accepts(answer.status())) {
                        return new SendResult(true, attempt, last, null);
                    }
                    retryable = answer.status() == TOO_MANY_REQUESTS || answer.status() >= 500;
                    if (answer.status() == TOO_MANY_REQUESTS) {
                        retryAfter = answer.retryAfter();
                    }
                } catch (java.net.SocketTimeoutException e) {
                    last = request.mask("no answer within repair.timeout: " + message(e));
                    retryable = true;
                } catch (IOException e) {
                    last = request.mask("I/O error: " + message(e));
                    retryable = true;
                } catch (RuntimeException e) {
                    last = request.mask("could not send: " + message(e));
                    retryable = false;
                }
                if (!retryable) {
                    return new SendResult(false, attempt, last, last + " (not retried)");
                }
                if (attempt > retries) {
                    return new SendResult(false, attempt, last, last + " (gave up after " + attempt + " attempts)");
                }
                Duration wait = backoff.delay(attempt);
                if (retryAfter != null) {
                    if (retryAfter.compareTo(backoff.max()) > 0) {
                        return new SendResult(
                                false,
                                attempt,
                                last,
                                last + " (Retry-After " + Units.duration(retryAfter)
                                        + " exceeds repair.backoff-max "
                                        + Units.duration(backoff.max())
                                        + "; not retried)");
                    }
                    wait = wait.compareTo(retryAfter) < 0 ? retryAfter : wait;
                }
                sleeper.sleep(wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SendResult(false, attempt, last, last + " (interrupted after " + attempt + " attempts)");
        }
    }

    private static String message(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
