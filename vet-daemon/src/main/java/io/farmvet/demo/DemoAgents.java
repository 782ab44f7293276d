package io.farmvet.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.agent.AgentServer;
import io.farmvet.agent.AgentSettings;
import io.farmvet.config.Secret;
import io.farmvet.util.Units;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The demo farm's agents, all on 127.0.0.1 with ports the system picks: one on the primary (no upstream, so it only
 * serves hashes) and one per node, resyncing from the primary's folder over {@code file://}. They share one random
 * bearer token, written to {@link DemoLayout#tokenFile()} with mode 600. {@link #close} stops them all.
 */
final class DemoAgents implements AutoCloseable {
    /** 32 random bytes, as {@code openssl rand -hex 32} makes for farmvet's other tokens. */
    private static final int TOKEN_BYTES = 32;

    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<AgentServer> started = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private AgentServer primary;
    private final List<AgentServer> nodes = new ArrayList<>();

    private DemoAgents() {}

    static DemoAgents start(DemoLayout layout) throws IOException {
        Secret token = writeToken(layout.tokenFile());
        DemoAgents agents = new DemoAgents();
        try {
            agents.primary = agents.started(AgentSettings.of(layout.primary(), null, token));
            for (int i = 0; i < DemoLayout.NODE_NAMES.size(); i++) {
                Files.createDirectories(layout.quarantine(i));
                agents.nodes.add(agents.started(AgentSettings.of(layout.node(i), layout.upstreamTemplate(), token)
                        .withQuarantine(layout.quarantine(i))));
            }
        } catch (IOException | RuntimeException e) {
            agents.close();
            throw e;
        }
        return agents;
    }

    private AgentServer started(AgentSettings settings) throws IOException {
        AgentServer agent = AgentServer.start(settings.withListen("127.0.0.1", 0));
        started.add(agent);
        return agent;
    }

    private static Secret writeToken(Path file) throws IOException {
        byte[] bytes = new byte[TOKEN_BYTES];
        new SecureRandom().nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Files.deleteIfExists(file);
        Files.createFile(file);
        try {
            // Before the token is written, so it is never readable by others.
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): the folder's own permissions apply.
        }
        Files.writeString(file, token + "\n");
        return new Secret(token, file);
    }

    AgentServer primary() {
        return primary;
    }

    List<AgentServer> nodes() {
        return List.copyOf(nodes);
    }

    /** Every agent, primary first. */
    List<AgentServer> all() {
        return List.copyOf(started);
    }

    /**
     * Polls {@code GET /status} of each agent until it says {@code SYNCHRONIZED}: its first scan is done and no
     * resync is queued or running.
     *
     * @return null when every agent got there within {@code timeout}, else what the late ones said last
     */
    String awaitSynchronized(List<AgentServer> agents, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> late = new ArrayList<>();
        for (AgentServer agent : agents) {
            String state = status(agent);
            while (!"SYNCHRONIZED".equals(state) && System.nanoTime() < deadline) {
                Thread.sleep(POLL_INTERVAL.toMillis());
                state = status(agent);
            }
            if (!"SYNCHRONIZED".equals(state)) {
                late.add(agent.uri() + " " + state);
            }
        }
        return late.isEmpty() ? null : String.join(", ", late) + " after " + Units.duration(timeout);
    }

    private String status(AgentServer agent) throws InterruptedException {
        URI uri = agent.uri().resolve("/status");
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode state = JSON.readTree(response.body()).get("state");
            return state == null ? "HTTP " + response.statusCode() + " without a state" : state.asText();
        } catch (IOException e) {
            return "unreachable (" + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (AgentServer agent : started) {
            agent.close();
        }
    }
}
