package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.await;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** The vet calls the cluster tests make on an instance by its URL (a child daemon's), with the API token. */
final class ClusterApi {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ClusterApi() {}

    /** {@code POST /api/v1/vets} with {@code body} (empty: a vet with repairs). */
    static HttpResponse<String> startVet(URI instance, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(instance.resolve("/api/v1/vets"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The vet id of an answer that must have {@code status}. */
    static String vetId(HttpResponse<String> answer, int status) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        return json(answer).get("id").asText();
    }

    /** Waits for vet {@code id}'s finished report on {@code instance}; a 404 meanwhile is a vet still running elsewhere. */
    static JsonNode awaitFinished(URI instance, String id) {
        AtomicReference<JsonNode> report = new AtomicReference<>();
        await("vet " + id + " finished, read from " + instance, () -> {
            try {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(instance.resolve("/api/v1/vets/" + id))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return false;
                }
                report.set(json(response));
                return !report.get().path("status").asText().equals("running");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return report.get();
    }
}
