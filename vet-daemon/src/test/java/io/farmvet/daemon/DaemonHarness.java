package io.farmvet.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.config.ConfigLoader;
import io.farmvet.testing.TestHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/**
 * Starts real daemons for tests: a config file written to a folder, a real Quartz scheduler, a real H2 store and
 * a real Jetty on a loopback port, and talks to them over HTTP. Waits are bounded polls, never sleeps asserted on.
 */
final class DaemonHarness implements AutoCloseable {
    static final String TOKEN = "test-api-token-0123456789";
    static final String METRICS_TOKEN = "test-metrics-token-0123456789";
    /** Valid, and far enough in the future that no test sees it fire. */
    static final String NEVER = "0 0 0 1 1 ? 2099";

    static final Duration WAIT = Duration.ofSeconds(30);
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path configFile;
    final RecordingObserver observer = new RecordingObserver();
    private final TestHttp client = new TestHttp(Duration.ofSeconds(5));
    Daemon daemon;

    DaemonHarness(Path dir) throws IOException {
        this.dir = dir;
        this.configFile = dir.resolve("farmvet.yaml");
        Files.writeString(dir.resolve("api.token"), TOKEN + "\n");
        Files.writeString(dir.resolve("metrics.token"), METRICS_TOKEN + "\n");
    }

    /** Writes the config: one primary, the given nodes ("name=url"), and extra YAML sections. */
    DaemonHarness config(URI primary, String schedule, String extra, String... nodes) throws IOException {
        StringBuilder yaml = new StringBuilder()
                .append("farm:\n  name: test\n")
                .append("primary:\n  url: ")
                .append(primary)
                .append("\nnodes:\n");
        for (String node : nodes) {
            String[] parts = node.split("=", 2);
            yaml.append("  - name: ")
                    .append(parts[0])
                    .append("\n    url: ")
                    .append(parts[1])
                    .append('\n');
        }
        yaml.append("http:\n  connect-timeout: 2s\n  read-timeout: 10s\n")
                .append("vet:\n  deadline: 60s\n  schedule: \"")
                .append(schedule)
                .append("\"\n")
                .append(extra.contains("server:") ? "" : "server:\n  listen: 127.0.0.1:0\n  token-file: api.token\n")
                .append(extra.contains("state:") ? "" : "state:\n  dir: state\n")
                .append(extra);
        Files.writeString(configFile, yaml.toString());
        return this;
    }

    DaemonHarness start() throws Exception {
        return start(observer);
    }

    /** Starts the daemon reporting to {@code metrics} instead of the recording observer. */
    DaemonHarness start(VetObserver metrics) throws Exception {
        return start(metrics, Clock.systemUTC());
    }

    /** Starts the daemon on {@code clock} (its run ids, start times and history), with the recording observer. */
    DaemonHarness start(Clock clock) throws Exception {
        return start(observer, clock);
    }

    private DaemonHarness start(VetObserver metrics, Clock clock) throws Exception {
        daemon = Daemon.start(configFile, ConfigLoader.load(configFile), metrics, clock);
        return this;
    }

    void stop() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Override
    public void close() {
        stop();
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return send(request(path, token).GET().build());
    }

    HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.BodyPublisher publisher =
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return send(request(path, token)
                .header("Content-Type", "application/json")
                .POST(publisher)
                .build());
    }

    HttpRequest.Builder request(String path, String token) {
        return TestHttp.request(daemon.url().resolve(path), token).timeout(Duration.ofSeconds(20));
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code head} (request line and headers, without the blank line) as is; returns the status line. */
    String raw(String head) throws IOException {
        return rawRequest(head + "\r\nHost: " + daemon.url().getHost() + "\r\nConnection: close\r\n\r\n");
    }

    /** The status line answering {@code request}, written whole on a socket before anything is read. */
    String rawRequest(String request) throws IOException {
        return client.statusLine(daemon.url(), request);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Triggers a vet and returns its id. */
    String trigger(String body) throws Exception {
        HttpResponse<String> response = post("/api/v1/vets", TOKEN, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return json(response).get("id").asText();
    }

    /** Waits for vet {@code id} to finish and returns its report. */
    JsonNode awaitReport(String id) throws Exception {
        JsonNode[] report = new JsonNode[1];
        await("vet " + id + " to finish", () -> {
            try {
                HttpResponse<String> response = get("/api/v1/vets/" + id, TOKEN);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                report[0] = json(response);
                return !report[0].path("status").asText().equals("running");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return report[0];
    }

    /** Waits at most {@link #WAIT} for {@code condition}, asking every 50 ms. */
    static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }
}
