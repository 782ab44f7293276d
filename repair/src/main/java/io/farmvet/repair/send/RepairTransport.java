package io.farmvet.repair.send;

import java.io.IOException;

/** Sends one request and returns the answer; one exchange, no retries and no redirects (those are the caller's). */
public interface RepairTransport {
    /**
     * @throws IOException when no answer arrived (refused, reset, timed out)
     */
    Answer exchange(RepairRequest request) throws IOException;
}
