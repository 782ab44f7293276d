package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.farmvet.compare.Scope;
import io.farmvet.listing.ListingLimits;
import io.farmvet.repair.RepairMode;
import io.farmvet.repair.RepairSettings;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy/farmvet.example.yaml} loads with the real loader, and shows every key the loader knows. */
class ExampleConfigTest {
    // Surefire runs in the module's folder; the example lives at the repository root.
    private static final Path EXAMPLE = Path.of("..", "deploy", "farmvet.example.yaml");

    @TempDir
    Path dir;

    @Test
    void theExampleLoads() throws Exception {
        String text = Files.readString(EXAMPLE)
                .replace("/etc/farmvet/", dir + "/")
                .replace("/var/lib/farmvet", dir.resolve("state").toString());
        Files.writeString(dir.resolve("primary.token"), "example-primary-token\n");
        Files.writeString(dir.resolve("mirror.password"), "example-mirror-password\n");
        Files.writeString(dir.resolve("mirror-2.token"), "example-mirror-2-token\n");
        Files.writeString(dir.resolve("jenkins.header"), "Bearer example-jenkins-token\n");
        Files.writeString(dir.resolve("api.token"), "example-api-token-0123456789\n");
        Files.writeString(dir.resolve("metrics.token"), "example-metrics-token-0123456789\n");
        Files.writeString(dir.resolve("webhook.secret"), "example-webhook-secret-0123456789\n");
        Files.writeString(dir.resolve("repos.txt"), "# the farm's repositories\nPROJ/app\n");
        try (InputStream ca = getClass().getResourceAsStream("/config/valid/ca.pem")) {
            Files.copy(ca, dir.resolve("ca.pem"));
        }
        Path file = dir.resolve("farmvet.yaml");
        Files.writeString(file, text);

        FarmvetConfig config = ConfigLoader.load(file);

        assertThat(config.farm().name()).isEqualTo("emea");
        assertThat(config.farm().scope()).isEqualTo(Scope.INFERRED);
        assertThat(config.farm().mirrorServerId()).isEqualTo("B0AB-4C1D-9E2F-7A3B");
        assertThat(config.primary().url()).isEqualTo(URI.create("https://bitbucket.example.com"));
        assertThat(config.primary().auth().authorizationHeader()).isEqualTo("Bearer example-primary-token");
        assertThat(config.nodes()).hasSize(3);
        assertThat(config.nodes().get(2).kind()).isEqualTo(FarmvetConfig.Server.Kind.GIT);
        assertThat(config.git().concurrency()).isEqualTo(FarmvetConfig.Git.DEFAULT_CONCURRENCY);
        assertThat(config.git().repositories()).containsExactly(new FarmvetConfig.RepositoryPath("PROJ", "app"));
        assertThat(config.nodes().get(0).auth()).isInstanceOfSatisfying(Auth.Basic.class, basic -> {
            assertThat(basic.username()).isEqualTo("farmvet");
            assertThat(basic.password().reveal()).isEqualTo("example-mirror-password");
        });
        assertThat(config.nodes().get(1).url()).isEqualTo(URI.create("https://mirror-2.example.com:8443/bitbucket"));
        // The example shows the defaults, so loading it must give exactly the defaults.
        assertThat(config.http().connectTimeout()).isEqualTo(FarmvetConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(config.http().readTimeout()).isEqualTo(FarmvetConfig.DEFAULT_READ_TIMEOUT);
        assertThat(config.http().caFile()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(config.listing()).isEqualTo(FarmvetConfig.Listing.DEFAULTS);
        assertThat(config.listing().limits()).isEqualTo(ListingLimits.DEFAULTS);
        assertThat(config.vet().deadline())
                .isEqualTo(Duration.ofMinutes(10))
                .isEqualTo(FarmvetConfig.DEFAULT_VET_DEADLINE);
        assertThat(config.repair().mode()).isEqualTo(RepairMode.NONE);
        assertThat(config.repair().settings())
                .usingRecursiveComparison()
                .ignoringFields("http")
                .isEqualTo(RepairSettings.defaults());
        assertThat(config.repair().settings().http().headers())
                .containsEntry("Authorization", "Bearer example-jenkins-token");
        assertThat(config.vet().schedule()).isEqualTo(FarmvetConfig.DEFAULT_SCHEDULE);
        assertThat(config.server().host()).isEqualTo(FarmvetConfig.DEFAULT_LISTEN_HOST);
        assertThat(config.server().port()).isEqualTo(FarmvetConfig.DEFAULT_LISTEN_PORT);
        assertThat(config.server().token().reveal()).isEqualTo("example-api-token-0123456789");
        assertThat(config.server().metricsToken().reveal()).isEqualTo("example-metrics-token-0123456789");
        assertThat(config.server().sessionTtl()).isEqualTo(FarmvetConfig.RestServer.DEFAULT_SESSION_TTL);
        assertThat(config.server().publicUrl()).isEqualTo(URI.create("https://farmvet.example.com"));
        assertThat(config.server().tls().certFile()).isEqualTo(dir.resolve("tls/farmvet.crt"));
        assertThat(config.state().dir()).isEqualTo(dir.resolve("state"));
        assertThat(config.history().keepSuccesses()).isEqualTo(FarmvetConfig.DEFAULT_KEEP_SUCCESSES);
        assertThat(config.history().keepFailures()).isEqualTo(FarmvetConfig.DEFAULT_KEEP_FAILURES);
        assertThat(config.history().maxBytes()).isEqualTo(FarmvetConfig.DEFAULT_HISTORY_MAX_BYTES);
        assertThat(config.explain()).isEqualTo(FarmvetConfig.Explain.DEFAULTS);
    }

    @Test
    void theExampleShowsEveryKey() throws Exception {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.toFile());
        Set<String> paths = new TreeSet<>();
        collect(root, "", paths);

        assertThat(paths)
                .containsExactlyInAnyOrder(
                        "farm.name",
                        "farm.scope",
                        "farm.mirror-server-id",
                        "primary.kind",
                        "primary.url",
                        "primary.auth.bearer-token-file",
                        "nodes[].name",
                        "nodes[].url",
                        "nodes[].member",
                        "nodes[].kind",
                        "repositories.from",
                        "repositories.file",
                        "git.concurrency",
                        "nodes[].auth.basic.username",
                        "nodes[].auth.basic.password-file",
                        "nodes[].auth.bearer-token-file",
                        "http.connect-timeout",
                        "http.read-timeout",
                        "http.ca-file",
                        "listing.max-size",
                        "listing.read-ahead",
                        "vet.deadline",
                        "vet.schedule",
                        "vet.webhook-debounce",
                        "repair.mode",
                        "repair.dry-run",
                        "repair.settle",
                        "repair.confirm-per-repository-max",
                        "repair.max-fraction",
                        "repair.max-per-run",
                        "repair.concurrency",
                        "repair.rate",
                        "repair.retries",
                        "repair.backoff-initial",
                        "repair.backoff-max",
                        "repair.timeout",
                        "repair.verify-vets",
                        "repair.verify-after",
                        "repair.audit-log",
                        "repair.http.method",
                        "repair.http.url",
                        "repair.http.body",
                        "repair.http.headers.Content-Type",
                        "repair.http.headers.Authorization.value-file",
                        "server.listen",
                        "server.webhook-secret-file",
                        "server.public-url",
                        "server.session-ttl",
                        "server.tls.cert-file",
                        "server.tls.key-file",
                        "server.token-file",
                        "server.metrics-token-file",
                        "state.dir",
                        "history.keep-successes",
                        "history.max-bytes",
                        "history.keep-failures",
                        "explain.max-repositories",
                        "explain.delay-threshold");
    }

    private static void collect(JsonNode node, String path, Set<String> paths) {
        if (node.isObject()) {
            for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                collect(node.get(key), path.isEmpty() ? key : path + "." + key, paths);
            }
        } else if (node.isArray() && !path.equals("farm.scope")) {
            node.forEach(element -> collect(element, path + "[]", paths));
        } else {
            paths.add(path);
        }
    }
}
