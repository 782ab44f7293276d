package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.METRICS_TOKEN;
import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static io.farmvet.daemon.DaemonHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.FakeServer;
import io.farmvet.testing.Listings;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the REST API refuses, and that nothing runs when it does. */
class ApiHardeningTest {
    @TempDir
    Path dir;

    private FakeServer primary;
    private FakeServer mirror;
    private DaemonHarness d;

    @BeforeEach
    void start() throws Exception {
        Listings listings = Listings.generated(20, 2);
        primary = FakeServer.start(FakeServer.json(listings.json()));
        mirror = FakeServer.start(FakeServer.json(listings.json()));
        d = new DaemonHarness(dir)
                .config(primary.url(), NEVER, "", "mirror-1=" + mirror.url())
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        d.close();
        primary.close();
        mirror.close();
    }

    private void nothingRan() {
        assertThat(d.observer.started.get()).isZero();
        assertThat(primary.requests()).isEmpty();
    }

    @Test
    void withoutATokenNothingRuns() throws Exception {
        HttpResponse<String> post = d.post("/api/v1/vets", null, null);
        HttpResponse<String> list = d.get("/api/v1/vets", null);
        HttpResponse<String> reload = d.post("/-/reload", null, null);

        for (HttpResponse<String> response : List.of(post, list, reload)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"farmvet\"");
            assertThat(json(response).get("error").asText()).contains("Authorization: Bearer");
        }
        assertThat(d.observer.reloads).isEmpty();
        nothingRan();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Bearer wrong-token-0123456789",
                "Bearer " + TOKEN + "x",
                "bearer",
                "Basic dGVzdDp0ZXN0",
                TOKEN,
                "Bearer " + METRICS_TOKEN
            })
    void aWrongTokenIsRefused(String authorization) throws Exception {
        HttpResponse<String> response = d.send(d.request("/api/v1/vets", null)
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer realm=\"farmvet\", error=\"invalid_token\"");
        assertThat(response.body()).doesNotContain(TOKEN);
        nothingRan();
    }

    @ParameterizedTest
    @ValueSource(strings = {"access_token", "token", "bearer", "Authorization"})
    void aTokenInTheQueryStringIsNeverAccepted(String parameter) throws Exception {
        HttpResponse<String> response = d.post("/api/v1/vets?" + parameter + "=" + TOKEN, null, null);

        assertThat(response.statusCode()).isEqualTo(401);
        nothingRan();
    }

    @Test
    void twoAuthorizationHeadersAreRefused() throws Exception {
        String status = d.raw("POST /api/v1/vets HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0");

        assertThat(status).isEqualTo("HTTP/1.1 401 Unauthorized");
        nothingRan();
    }

    @Test
    void metricsAreOpenWithoutAMetricsToken() throws Exception {
        HttpResponse<String> response = d.get("/metrics", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).isEqualTo(RecordingObserver.SCRAPE);
    }

    @Test
    void metricsNeedTheirOwnTokenWhenOneIsSet() throws Exception {
        d.close();
        d = new DaemonHarness(dir)
                .config(
                        primary.url(),
                        NEVER,
                        "server:\n  listen: 127.0.0.1:0\n  token-file: api.token\n"
                                + "  metrics-token-file: metrics.token\n",
                        "mirror-1=" + mirror.url())
                .start();

        assertThat(d.get("/metrics", null).statusCode()).isEqualTo(401);
        assertThat(d.get("/metrics", TOKEN).statusCode()).isEqualTo(401);
        assertThat(d.get("/metrics?token=" + METRICS_TOKEN, null).statusCode()).isEqualTo(401);
        HttpResponse<String> scraped = d.get("/metrics", METRICS_TOKEN);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body()).isEqualTo(RecordingObserver.SCRAPE);
        // The health checks stay open for the service manager and the load balancer.
        assertThat(d.get("/-/healthy", null).statusCode()).isEqualTo(200);
        assertThat(d.get("/-/ready", null).statusCode()).isEqualTo(200);
        // And the metrics token opens nothing else.
        assertThat(d.post("/api/v1/vets", METRICS_TOKEN, null).statusCode()).isEqualTo(401);
    }

    @Test
    void anOversizedBodyIs413AndNothingRuns() throws Exception {
        String big = "{\"nodes\": [\"" + "m".repeat(70 * 1024) + "\"]}";
        String head = "POST /api/v1/vets HTTP/1.1\r\nAuthorization: Bearer " + TOKEN;

        // On a socket, not through the JDK's client: that client reads the answer while it still sends, and once
        // in a full run saw the connection closed after the 413 before it had read it.
        String declared = d.raw(head + "\r\nContent-Length: " + big.length()); // refused before any body byte
        String chunked = d.rawRequest(head + "\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close"
                + "\r\n\r\n" + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n");

        assertThat(declared).isEqualTo("HTTP/1.1 413 Payload Too Large");
        assertThat(chunked).isEqualTo("HTTP/1.1 413 Payload Too Large");
        nothingRan();
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        String status = d.raw("GET /-/healthy HTTP/1.1\r\nX-Padding: " + "p".repeat(10 * 1024));

        assertThat(status).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    }

    @Test
    void oversizedHeadersOrUriOnTheTriggerAreRefusedAndNothingRuns() throws Exception {
        // Issue 6: the bounds hold on the authenticated trigger too, before any handler sees the request.
        String header = d.raw("POST /api/v1/vets HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nX-Padding: "
                + "p".repeat(10 * 1024) + "\r\nContent-Length: 0");
        String uri = d.raw("POST /api/v1/vets?" + "q".repeat(10 * 1024) + " HTTP/1.1\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: 0");

        assertThat(header).isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
        assertThat(uri).isEqualTo("HTTP/1.1 414 URI Too Long");
        nothingRan();
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> deleteVets =
                d.send(d.request("/api/v1/vets", TOKEN).DELETE().build());
        HttpResponse<String> postHealthy = d.post("/-/healthy", null, null);
        HttpResponse<String> getReload = d.get("/-/reload", TOKEN);
        HttpResponse<String> putVet = d.send(d.request("/api/v1/vets/20261122-101500.123-a1b2c3", TOKEN)
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build());

        assertThat(deleteVets.statusCode()).isEqualTo(405);
        assertThat(deleteVets.headers().firstValue("Allow")).contains("GET, POST");
        assertThat(postHealthy.statusCode()).isEqualTo(405);
        assertThat(postHealthy.headers().firstValue("Allow")).contains("GET");
        assertThat(getReload.statusCode()).isEqualTo(405);
        assertThat(getReload.headers().firstValue("Allow")).contains("POST");
        assertThat(putVet.statusCode()).isEqualTo(405);
        assertThat(d.observer.reloads).isEmpty();
        nothingRan();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/api", "/api/v1", "/api/v1/vets/x/y", "/api/v2/vets", "/metrics/x", "/index.html"})
    void unknownPathsAre404(String path) throws Exception {
        HttpResponse<String> response = d.get(path, TOKEN);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).startsWith("no such resource");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-id", "20261122-101500.123-a1b2c3", "..."})
    void unknownVetsAre404(String id) throws Exception {
        assertThat(d.get("/api/v1/vets/" + id, TOKEN).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/v1/vets/..%2F..%2Fmetrics",
                "/api/v1/%2e%2e/v1/vets",
                "/api/v1/vets/../vets",
                "/-/ready/../../api/v1/vets",
                "/api/v1/vets/%2E%2E",
                "/api//v1/vets",
                "/api/v1/./vets",
                "/api/v1/vets%5c..",
                "/api/v1/vets;x=1"
            })
    void pathTricksAre400(String path) throws Exception {
        String status = d.raw("POST " + path + " HTTP/1.1\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0");

        assertThat(status).startsWith("HTTP/1.1 400 ");
        nothingRan();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"nodes\": [\"mirror-9\", \"mirror-1\"]}",
                "{\"dryrun\": true}",
                "{\"dryRun\": \"yes\"}",
                "{\"nodes\": []}",
                "{\"nodes\": \"mirror-1\"}",
                "{\"nodes\": [1]}",
                "[1, 2]",
                "{\"dryRun\": true",
                "not json"
            })
    void badTriggerBodiesAre400AndNothingRuns(String body) throws Exception {
        HttpResponse<String> response = d.post("/api/v1/vets", TOKEN, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isNotBlank();
        nothingRan();
    }

    @Test
    void badBodiesSayWhatIsWrong() throws Exception {
        assertThat(json(d.post("/api/v1/vets", TOKEN, "{\"nodes\": [\"mirror-9\", \"mirror-1\"]}"))
                        .get("error")
                        .asText())
                .isEqualTo("unknown node(s): \"mirror-9\" (configured: mirror-1)");
        assertThat(json(d.post("/api/v1/vets", TOKEN, "{\"dryrun\": true, \"x\": 1}"))
                        .get("error")
                        .asText())
                .isEqualTo("unknown field(s): dryrun, x (known: dryRun, nodes)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=501", "limit=ten", "before=yesterday", "page=2", "limit=1&limit=2"})
    void badListQueriesAre400(String query) throws Exception {
        assertThat(d.get("/api/v1/vets?" + query, TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void manyConcurrentTriggersStartExactlyOneVet() throws Exception {
        // Issue 6: 200 callers at once, within the API's 256 connections and 16 threads.
        d.close();
        primary.close();
        Listings listings = Listings.generated(20, 2);
        // Slow enough that every trigger arrives while the one vet runs.
        primary = FakeServer.start(FakeServer.drip(listings.json(), Duration.ofMillis(50)));
        d = new DaemonHarness(dir)
                .config(primary.url(), NEVER, "", "mirror-1=" + mirror.url())
                .start();
        int callers = 200;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(() -> d.post("/api/v1/vets", TOKEN, null));
            }
            List<Integer> statuses = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
                HttpResponse<String> response = f.get();
                statuses.add(response.statusCode());
                ids.add(json(response).get("id").asText());
            }

            assertThat(statuses).filteredOn(s -> s == 202).hasSize(1);
            assertThat(statuses).filteredOn(s -> s == 409).hasSize(callers - 1);
            assertThat(ids).containsOnly(ids.get(0));
            assertThat(d.observer.started.get()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
