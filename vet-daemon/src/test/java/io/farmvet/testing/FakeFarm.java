package io.farmvet.testing;

import io.farmvet.repair.send.AgentResync;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The loopback servers of one test's farm, closed after the test: register one with {@code @RegisterExtension}
 * and start each server with {@link #serve}. With the farm's usual node, a synchronized one that serves its listing
 * and accepts every resync, and the resync requests a server received.
 */
public final class FakeFarm implements AfterEachCallback {
    /** Where a repair in {@code repair.mode: agent} is sent. */
    public static final String RESYNC_PATH = AgentResync.PATH;
    /** The agent's answer to a resync it queued. */
    public static final FakeServer.Responder ACCEPTED = FakeServer.status(202, "Accepted", "{\"state\":\"queued\"}");

    private final List<FakeServer> servers = new ArrayList<>();
    /** Released when the test ends, so that a server holding a request on purpose lets go of its thread. */
    private final CountDownLatch testOver = new CountDownLatch(1);

    public FakeServer serve(FakeServer.Responder responder) throws IOException {
        return serve(FakeServer.start(responder));
    }

    /** Closes {@code server} with the farm, such as one started with TLS. */
    public FakeServer serve(FakeServer server) {
        servers.add(server);
        return server;
    }

    /** A synchronized node that serves {@code listing}, shuffled as another server may send it. */
    public static FakeServer.Responder syncedNode(Listings listing) {
        return syncedNode(FakeServer.json(listing.shuffledJson(11)));
    }

    /** A synchronized node that answers listing requests with {@code listing} and accepts every resync. */
    public static FakeServer.Responder syncedNode(FakeServer.Responder listing) {
        return FakeServer.node("SYNCHRONIZED", FakeServer.route(RESYNC_PATH, ACCEPTED, listing));
    }

    /** Reads the request and never answers it: a server that hangs, until the test is over. */
    public FakeServer.Responder hangs() {
        return (request, out) -> testOver.await();
    }

    /** The resync requests {@code server} received, in order. */
    public static List<FakeServer.Request> resyncs(FakeServer server) {
        return server.requests().stream()
                .filter(r -> r.method().equals("POST") && r.path().equals(RESYNC_PATH))
                .toList();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        testOver.countDown();
        for (FakeServer server : servers) {
            server.close();
        }
        servers.clear();
    }
}
